// Ends a rewrite of a graph in pieces: unmarks the nodes its start released,
// and deletes those that no graph describes and nothing refers to.
MATCH (n:_StudioReleased)
REMOVE n:_StudioReleased
WITH n
WHERE n.graph IS NULL AND NOT (n)--()
DELETE n
