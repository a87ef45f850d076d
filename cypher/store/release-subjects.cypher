// A patch of a graph, inside its transaction: removes what the graph says of
// some of its subjects (the relationships it states from them, marking their
// far ends, then their labels and literal properties, marking them too), so
// that delete-released-nodes deletes those nothing refers to any more.
// Returns what each subject held, for the graph's count of triples.
UNWIND $uris AS uri
MATCH (n:Resource {uri: uri})
WHERE n.graph = $graph
WITH n, properties(n) AS props, coalesce(n.rdfTypes, []) AS rdfTypes
OPTIONAL MATCH (n)-[r]->(m)
SET m:_StudioReleased
DELETE r
WITH n, props, rdfTypes, count(r) AS relationships
WITH n, props, rdfTypes, relationships, [label IN labels(n) WHERE label <> 'Resource'] AS described
REMOVE n:$(described)
SET n = {uri: n.uri}
SET n:_StudioReleased
RETURN n.uri AS uri, props, rdfTypes, relationships
