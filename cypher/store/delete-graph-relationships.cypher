// Deletes the relationships a graph stated.
MATCH (n:Resource {graph: $graph})-[r]->()
WHERE r.graph = $graph
DELETE r
