// Writes the nodes a piece of a graph describes, like write-nodes, except
// those an earlier piece of the same rewrite described: those are left
// alone and not returned, so that the writer merges them instead.
UNWIND $rows AS row
MERGE (n:Resource {uri: row.uri})
WITH n, row
WHERE n.graph IS NULL OR n.graph <> $graph
WITH n, row, [label IN labels(n) WHERE label <> 'Resource' AND NOT label IN row.labels] AS stale
REMOVE n:$(stale)
SET n = row.props, n.uri = row.uri, n.graph = $graph, n.rdfTypes = row.rdfTypes
SET n:$(row.labels)
RETURN row.uri AS uri, elementId(n) AS id
