// Deletes the nodes a graph described that nothing else refers to any more.
MATCH (n:Resource {graph: $graph})
WHERE NOT (n)--()
DELETE n
