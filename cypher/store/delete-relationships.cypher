// Deletes relationships a graph no longer states.
UNWIND $rows AS row
MATCH (a:Resource {uri: row.from})-[r]->(b:Resource {uri: row.to})
WHERE type(r) = row.type AND a.graph = $graph
DELETE r
