// The relationships a graph states: those from the nodes it describes.
MATCH (n:Resource {graph: $graph})-[r]->(m)
RETURN n.uri AS from, type(r) AS type, m.uri AS to
