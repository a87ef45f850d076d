// Graph term neighbourhood: what the graph view draws around one term (a role, action, asset…), one row per edge:
// its broader terms up the hierarchy, its narrower terms one step down, and the provisions that name it as bearer,
// action or target (via is the node the neighbour hangs from). One row "self" gives the term's own label; no row at
// all when the IRI names nothing with a label.
// @param term iri
MATCH (term:Resource {uri: $term})
CALL (term) {
  WITH term WHERE term.rdfs__label IS NOT NULL
  RETURN 'self' AS relation, term AS via, term AS node
  UNION
  MATCH (term)-[:BROADER*0..]->(via)-[:BROADER]->(node)
  RETURN 'broader' AS relation, via, node
  UNION
  MATCH (node)-[:BROADER]->(term)
  RETURN 'narrower' AS relation, term AS via, node
  UNION
  MATCH (node)-[r:BEARER|ACTION|TARGET]->(term)
  RETURN toLower(type(r)) AS relation, term AS via, node
}
RETURN DISTINCT term.uri AS term, relation, via.uri AS via, node.uri AS node, coalesce(node.rdfs__label, node.dcterms__title) AS label,
       CASE WHEN any(kind IN ['Obligation', 'Prohibition', 'Permission', 'Recommendation'] WHERE kind IN labels(node)) THEN 'rule'
            WHEN 'Exception' IN labels(node) THEN 'exception' ELSE 'other' END AS nodeKind
ORDER BY relation, via, node
