// Writes the nodes a graph describes, replacing what it said of them before:
// labels, asserted types and literal properties. Returns each node's element id
// for create-relationships.
UNWIND $rows AS row
MERGE (n:Resource {uri: row.uri})
WITH n, row, [label IN labels(n) WHERE label <> 'Resource' AND NOT label IN row.labels] AS stale
REMOVE n:$(stale)
SET n = row.props, n.uri = row.uri, n.graph = $graph, n.rdfTypes = row.rdfTypes
SET n:$(row.labels)
RETURN row.uri AS uri, elementId(n) AS id
