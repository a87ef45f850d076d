// Rule: one rule's kind, label, text, policy, section and bearer; no row when the IRI names no rule.
// @param rule iri
MATCH (rule:Resource {uri: $rule})
UNWIND [kind IN ['Obligation', 'Prohibition', 'Permission', 'Recommendation'] WHERE kind IN labels(rule)] AS kind
OPTIONAL MATCH (rule)-[:IN_POLICY]->(policy)
OPTIONAL MATCH (rule)-[:SECTION]->(section)
OPTIONAL MATCH (rule)-[:BEARER]->(bearer)
RETURN rule.uri AS rule, kind, rule.rdfs__label AS label, rule.text AS text, policy.uri AS policy, section.uri AS section, bearer.uri AS bearer
ORDER BY kind
