// Strips what a graph said about nodes it no longer describes.
UNWIND $uris AS uri
MATCH (n:Resource {uri: uri})
WHERE n.graph = $graph
WITH n, [label IN labels(n) WHERE label <> 'Resource'] AS described
REMOVE n:$(described)
SET n = {uri: n.uri}
