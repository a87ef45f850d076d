// Deletes nodes that no graph describes and nothing refers to any more.
UNWIND $uris AS uri
MATCH (n:Resource {uri: uri})
WHERE n.graph IS NULL AND NOT (n)--()
DELETE n
