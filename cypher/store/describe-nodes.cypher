// What a graph says of some of its nodes, by uri: to merge a node described
// over several pieces of a rewrite.
UNWIND $uris AS uri
MATCH (n:Resource {uri: uri})
RETURN n.uri AS uri, elementId(n) AS id, labels(n) AS labels, coalesce(n.rdfTypes, []) AS rdfTypes, properties(n) AS props
