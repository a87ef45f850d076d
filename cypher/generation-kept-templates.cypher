// Generation kept templates: the templates the policy's last generation run
// followed, by id, with the content hash each had then; `studio generate
// --changed` renders again the items of a template whose content changed.
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:prov__used]-(activity:GenerationActivity)-[:TEMPLATE]->(plan)
RETURN DISTINCT plan.rdfs__label AS template, plan.contentHash AS contentHash
ORDER BY template
