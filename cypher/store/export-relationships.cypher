// The relationships a graph states.
MATCH (n:Resource {graph: $graph})-[r]->(m)
WHERE r.graph = $graph
RETURN n.uri AS from, type(r) AS type, m.uri AS to
