// The policy packs recorded for a policy: per deployment context, the pack's
// SHA-256, the file it was written to and how many rules it states.
// @param policy iri
MATCH (pack:PolicyPack)-[:prov__wasDerivedFrom]->(policy:Resource {uri: $policy})
MATCH (pack)-[:IN_CONTEXT]->(context)
OPTIONAL MATCH (pack)-[:prov__wasDerivedFrom]->(rule)-[:IN_POLICY]->(policy)
RETURN pack.uri AS pack, context.uri AS context, pack.sha256 AS sha256, pack.file AS file, count(DISTINCT rule) AS rules
ORDER BY context
