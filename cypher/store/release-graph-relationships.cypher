// Starts a rewrite of a graph in pieces, inside its transaction: deletes the
// relationships it states, marking their far ends so that the commit can
// delete those left with nothing.
MATCH (n:Resource {graph: $graph})-[r]->(m)
SET m:_StudioReleased
DELETE r
