// Coverage: for each exception of a policy, the side of its boundary (inside,
// outside) that no generated boundary scenario covers.
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:IN_POLICY]-(exception:Exception)
// An exception only to definitions ("gift does not include ...") has no boundary scenario to stand on.
WHERE EXISTS { (exception)-[:EXCEPTION_TO]->(base:Resource) WHERE NOT base:Definition }
UNWIND [['inside', 'InsideException'], ['outside', 'OutsideException']] AS side
WITH exception, side
WHERE NOT EXISTS {
  MATCH (exception)<-[:prov__wasDerivedFrom]-()-[:BOUNDARY_SIDE]->(:Resource {uri: 'https://w3id.org/alignment-studio/ns#' + side[1]})
}
RETURN exception.uri AS exception, side[0] AS missing
ORDER BY exception, missing
