// Makes sure every node a graph refers to exists.
UNWIND $uris AS uri
MERGE (:Resource {uri: uri})
