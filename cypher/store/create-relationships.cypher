// Writes the relationships a graph states (IRI and blank node objects), each marked with its graph.
UNWIND $rows AS row
MATCH (a:Resource {uri: row.from})
MATCH (b:Resource {uri: row.to})
CREATE (a)-[:$(row.type) {graph: $graph}]->(b)
