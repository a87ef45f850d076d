// Writes the relationships a graph states (IRI and blank node objects).
UNWIND $rows AS row
MATCH (a:Resource {uri: row.from})
MATCH (b:Resource {uri: row.to})
CREATE (a)-[r:$(row.type)]->(b)
SET r.graph = $graph
