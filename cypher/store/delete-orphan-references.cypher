// Deletes nodes that no graph describes and nothing refers to.
MATCH (n:Resource)
WHERE n.graph IS NULL AND NOT (n)--()
DELETE n
