// Generation channel names: the other names of a policy's channels that an
// answer may use for them, one row per (channel, name): skos:altLabel values
// and studio:contactPoint values (phone, address, URL, e-mail).
// @param policy iri
MATCH (policy:Resource {uri: $policy})
MATCH (channel:Term)
WHERE channel.graph = policy.graph AND 'https://w3id.org/alignment-studio/ns#Channel' IN channel.rdfTypes
UNWIND [value IN [channel.skos__altLabel, channel.contactPoint] WHERE value IS NOT NULL] AS values
UNWIND CASE WHEN values IS :: LIST<ANY> THEN values ELSE [values] END AS name
RETURN DISTINCT channel.uri AS channel, toString(name) AS name
ORDER BY channel, name
