// Makes sure every node a graph refers to exists, and returns its element id.
UNWIND $uris AS uri
MERGE (n:Resource {uri: uri})
RETURN uri, elementId(n) AS id
