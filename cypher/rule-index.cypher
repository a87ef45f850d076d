// Rule index: every rule of every loaded policy with the fields the rule list filters on (kind, policy, section, bearer) and its label, in IRI order.
// GET /v1/rules reads it once per set of loaded policy versions and pages and counts it in memory.
MATCH (rule:Rule)
UNWIND [kind IN ['Obligation', 'Prohibition', 'Permission', 'Recommendation'] WHERE kind IN labels(rule)] AS kind
MATCH (rule)-[:IN_POLICY]->(policy), (rule)-[:SECTION]->(section), (rule)-[:BEARER]->(bearer)
RETURN rule.uri AS rule, kind, rule.rdfs__label AS label, policy.uri AS policy, section.uri AS section, bearer.uri AS bearer
ORDER BY rule
