// Strips what a graph said about nodes that other graphs still refer to.
MATCH (n:Resource {graph: $graph})
WITH n, [label IN labels(n) WHERE label <> 'Resource'] AS described
REMOVE n:$(described)
SET n = {uri: n.uri}
