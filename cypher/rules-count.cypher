// Rules count: how many rules match the filters of the rules query (kind, section with its subsections, bearer, policy).
// An empty string for a filter means any.
// @param byKind string
// @param bySection string
// @param byBearer string
// @param byPolicy string
MATCH (rule:Rule)
UNWIND [kind IN ['Obligation', 'Prohibition', 'Permission', 'Recommendation'] WHERE kind IN labels(rule)] AS kind
WITH rule, kind
WHERE $byKind = '' OR kind = $byKind
MATCH (rule)-[:IN_POLICY]->(policy), (rule)-[:SECTION]->(section), (rule)-[:BEARER]->(bearer)
WHERE ($byPolicy = '' OR policy.uri = $byPolicy)
  AND ($byBearer = '' OR bearer.uri = $byBearer)
  AND ($bySection = '' OR EXISTS { MATCH (section)-[:PART_OF*0..]->(within:Resource) WHERE within.uri = $bySection })
RETURN count(rule) AS rules
