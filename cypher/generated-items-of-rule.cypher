// Generated items of a rule: how many generated items (instructions, scenarios, red-team prompts) derive from one rule, by template family and scenario label.
// The label is null for items without one (instructions, definitions, summaries).
// Nothing before a generation run (POST /v1/jobs, or studio generate).
// @param rule iri
MATCH (:Resource {uri: $rule})<-[:prov__wasDerivedFrom]-(item)
WHERE item.family IS NOT NULL
OPTIONAL MATCH (item)-[:SCENARIO_LABEL]->(label)
WITH item.family AS family, label.uri AS label, count(DISTINCT item) AS items
RETURN family, label, items
ORDER BY family, label
