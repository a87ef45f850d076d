// Suite import term names: the names (rdfs:label, skos:altLabel) of a policy's
// actions, assets, roles and parties that an imported test case may mention,
// one row per (term, name), for suggesting the rules a case tests.
// @param policy iri
MATCH (policy:Resource {uri: $policy})
MATCH (term:Term)
WHERE term.graph = policy.graph AND any(type IN term.rdfTypes WHERE type IN [
  'https://w3id.org/alignment-studio/ns#Action', 'https://w3id.org/alignment-studio/ns#Asset',
  'https://w3id.org/alignment-studio/ns#Role', 'https://w3id.org/alignment-studio/ns#Organization',
  'https://w3id.org/alignment-studio/ns#Department'
])
UNWIND [value IN [term.rdfs__label, term.skos__altLabel] WHERE value IS NOT NULL] AS values
UNWIND CASE WHEN values IS :: LIST<ANY> THEN values ELSE [values] END AS name
RETURN DISTINCT term.uri AS term, toString(name) AS name
ORDER BY term, name
