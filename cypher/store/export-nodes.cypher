// The nodes a graph describes, with their asserted types and literal properties.
MATCH (n:Resource {graph: $graph})
RETURN n.uri AS uri, coalesce(n.rdfTypes, []) AS rdfTypes, properties(n) AS props
