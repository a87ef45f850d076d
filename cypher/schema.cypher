// Schema of the policy graph in Neo4j, applied idempotently each time the store opens.
// Every RDF resource is a :Resource with a unique uri (neosemantics' convention).
CREATE CONSTRAINT resource_uri IF NOT EXISTS FOR (n:Resource) REQUIRE n.uri IS UNIQUE;
// The graph (policy or vocabulary) that describes a node: import and export select by it.
CREATE INDEX resource_graph IF NOT EXISTS FOR (n:Resource) ON (n.graph);
// One registry node per loaded graph.
CREATE CONSTRAINT studio_graph IF NOT EXISTS FOR (g:_StudioGraph) REQUIRE g.graph IS UNIQUE;
// The IRI behind each label, property key and relationship type, for export.
CREATE CONSTRAINT studio_name IF NOT EXISTS FOR (n:_StudioName) REQUIRE n.key IS UNIQUE;
// One node per version of a policy the studio keeps (history, never read as data), by the SHA-256 of its source.
CREATE CONSTRAINT studio_version IF NOT EXISTS FOR (v:_StudioVersion) REQUIRE v.sha256 IS UNIQUE;
