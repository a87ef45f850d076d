// The nodes a graph describes, with their labels, asserted types, literal properties and element ids.
MATCH (n:Resource {graph: $graph})
RETURN n.uri AS uri, elementId(n) AS id, labels(n) AS labels, coalesce(n.rdfTypes, []) AS rdfTypes, properties(n) AS props
