// Starts a rewrite of a graph in pieces, inside its transaction: strips what
// it said of its nodes and marks them, so that the pieces can tell a node
// they describe again from one an earlier piece described, and the commit
// can delete those no piece described and nothing refers to.
MATCH (n:Resource {graph: $graph})
WITH n, [label IN labels(n) WHERE label <> 'Resource'] AS described
REMOVE n:$(described)
SET n = {uri: n.uri}
SET n:_StudioReleased
