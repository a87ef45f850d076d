// Graph section links: the links between provisions of a policy that cross from one section to another, counted per
// pair of sections and relation: refersTo, exceptionTo, overrides, and conflict (found by a conflicts run; its two
// sections in the order of its two rules' IRIs).
// @param policy iri
MATCH (policy:Resource {uri: $policy})
CALL (policy) {
  MATCH (policy)<-[:IN_POLICY]-(a)-[r:REFERS_TO|EXCEPTION_TO|OVERRIDES]->(b)
  RETURN a, b, CASE type(r) WHEN 'REFERS_TO' THEN 'refersTo' WHEN 'EXCEPTION_TO' THEN 'exceptionTo' ELSE 'overrides' END AS relation
  UNION
  MATCH (policy)<-[:IN_POLICY]-(a)<-[:BETWEEN]-(:DetectedConflict)-[:BETWEEN]->(b)
  WHERE a.uri < b.uri
  RETURN a, b, 'conflict' AS relation
}
MATCH (b)-[:IN_POLICY]->(policy), (a)-[:SECTION]->(source), (b)-[:SECTION]->(target)
WHERE source <> target
RETURN source.uri AS source, target.uri AS target, relation, count(DISTINCT [a.uri, b.uri]) AS links
ORDER BY source, target, relation
