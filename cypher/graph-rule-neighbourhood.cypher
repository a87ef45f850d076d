// Graph rule neighbourhood: what the graph view draws around one rule, one row per edge:
// its exceptions, the rules it refers to and that refer to it, the rules it overrides and that override it,
// the rules a conflicts run found it in conflict with, its bearer, action and target terms, and their broader terms
// (via is the node the neighbour hangs from: the rule, or for a broader term the narrower one), and whether the
// neighbour is a rule, an exception or something else (a term, a definition).
// @param rule iri
MATCH (rule:Resource {uri: $rule})
CALL (rule) {
  MATCH (node)-[:EXCEPTION_TO]->(rule)
  RETURN 'exception' AS relation, rule AS via, node
  UNION
  MATCH (rule)-[r:REFERS_TO|OVERRIDES|BEARER|ACTION|TARGET]->(node)
  RETURN CASE type(r) WHEN 'REFERS_TO' THEN 'refersTo' ELSE toLower(type(r)) END AS relation, rule AS via, node
  UNION
  MATCH (node)-[r:REFERS_TO|OVERRIDES]->(rule)
  RETURN CASE type(r) WHEN 'REFERS_TO' THEN 'referencedBy' ELSE 'overriddenBy' END AS relation, rule AS via, node
  UNION
  MATCH (rule)<-[:BETWEEN]-(:DetectedConflict)-[:BETWEEN]->(node)
  WHERE node <> rule
  RETURN 'conflict' AS relation, rule AS via, node
  UNION
  MATCH (rule)-[:BEARER|ACTION|TARGET]->(:Resource)-[:BROADER*0..]->(via)-[:BROADER]->(node)
  RETURN 'broader' AS relation, via, node
}
RETURN DISTINCT rule.uri AS rule, relation, via.uri AS via, node.uri AS node, coalesce(node.rdfs__label, node.dcterms__title) AS label,
       CASE WHEN any(kind IN ['Obligation', 'Prohibition', 'Permission', 'Recommendation'] WHERE kind IN labels(node)) THEN 'rule'
            WHEN 'Exception' IN labels(node) THEN 'exception' ELSE 'other' END AS nodeKind
ORDER BY relation, via, node
