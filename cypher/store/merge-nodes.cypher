// Writes the nodes a graph describes: labels, asserted types and literal properties.
UNWIND $rows AS row
MERGE (n:Resource {uri: row.uri})
SET n += row.props, n.graph = $graph, n.rdfTypes = row.rdfTypes
SET n:$(row.labels)
