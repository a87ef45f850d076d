// Coverage: the terms in a policy's reach (its own and the vocabulary's) that
// no generated item derived from the policy uses.
// @param policy iri
MATCH (policy:Resource {uri: $policy})
MATCH (term:Term)
WHERE term.graph IN [policy.graph, 'https://w3id.org/alignment-studio/ns']
UNWIND [type IN term.rdfTypes WHERE type IN [
  'https://w3id.org/alignment-studio/ns#Role', 'https://w3id.org/alignment-studio/ns#Action',
  'https://w3id.org/alignment-studio/ns#Asset', 'https://w3id.org/alignment-studio/ns#Organization',
  'https://w3id.org/alignment-studio/ns#Department', 'https://w3id.org/alignment-studio/ns#Channel',
  'https://w3id.org/alignment-studio/ns#Jurisdiction', 'https://w3id.org/alignment-studio/ns#Quantity',
  'https://w3id.org/alignment-studio/ns#Period', 'https://w3id.org/alignment-studio/ns#Circumstance'
]] AS type
WITH policy, term, type
WHERE NOT EXISTS { MATCH (term)<-[:USES_TERM]-()-[:prov__wasDerivedFrom]->()-[:IN_POLICY]->(policy) }
RETURN DISTINCT term.uri AS term, substring(type, 37) AS type
ORDER BY term
