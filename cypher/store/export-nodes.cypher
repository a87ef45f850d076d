// The nodes a graph describes, with their labels, asserted types and literal properties.
MATCH (n:Resource {graph: $graph})
RETURN n.uri AS uri, labels(n) AS labels, coalesce(n.rdfTypes, []) AS rdfTypes, properties(n) AS props
