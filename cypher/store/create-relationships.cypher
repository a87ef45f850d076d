// Writes the relationships a graph states (IRI and blank node objects), each
// marked with its graph. Ends are found by element id, which the import
// collected while writing the nodes: twice as fast as two uri index seeks.
UNWIND $rows AS row
MATCH (a) WHERE elementId(a) = row.from
MATCH (b) WHERE elementId(b) = row.to
CREATE (a)-[:$(row.type) {graph: $graph}]->(b)
