// Rules: one page of rules in IRI order after a cursor, filtered by kind, section (subsections included), bearer and policy.
// An empty string for a filter means any; an empty cursor starts at the first rule. A page holds at most 501 rows:
// the API shows up to 500 and uses the 501st to know that another page follows.
// @param byKind string
// @param bySection string
// @param byBearer string
// @param byPolicy string
// @param after string
MATCH (rule:Rule)
WHERE rule.uri > $after
UNWIND [kind IN ['Obligation', 'Prohibition', 'Permission', 'Recommendation'] WHERE kind IN labels(rule)] AS kind
WITH rule, kind
WHERE $byKind = '' OR kind = $byKind
MATCH (rule)-[:IN_POLICY]->(policy), (rule)-[:SECTION]->(section), (rule)-[:BEARER]->(bearer)
WHERE ($byPolicy = '' OR policy.uri = $byPolicy)
  AND ($byBearer = '' OR bearer.uri = $byBearer)
  AND ($bySection = '' OR EXISTS { MATCH (section)-[:PART_OF*0..]->(within:Resource) WHERE within.uri = $bySection })
RETURN rule.uri AS rule, kind, rule.rdfs__label AS label, policy.uri AS policy, section.uri AS section, bearer.uri AS bearer
ORDER BY rule
LIMIT 501
