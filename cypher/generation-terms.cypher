// Generation terms: the terms a policy can draw entities from (its own and the
// vocabulary's), with their kind, label and broader term, one row per
// (term, broader), and the forms an author wrote for it (studio:gerund, studio:thirdPerson, studio:plural, studio:withObject).
// @param policy iri
MATCH (policy:Resource {uri: $policy})
MATCH (term:Term)
WHERE term.graph IN [policy.graph, 'https://w3id.org/alignment-studio/ns']
UNWIND [type IN term.rdfTypes WHERE type IN [
  'https://w3id.org/alignment-studio/ns#Role', 'https://w3id.org/alignment-studio/ns#Action',
  'https://w3id.org/alignment-studio/ns#Asset', 'https://w3id.org/alignment-studio/ns#Organization',
  'https://w3id.org/alignment-studio/ns#Department', 'https://w3id.org/alignment-studio/ns#Channel',
  'https://w3id.org/alignment-studio/ns#Jurisdiction', 'https://w3id.org/alignment-studio/ns#Quantity',
  'https://w3id.org/alignment-studio/ns#Period', 'https://w3id.org/alignment-studio/ns#Circumstance',
  'https://w3id.org/alignment-studio/ns#Agency', 'https://w3id.org/alignment-studio/ns#Rate'
]] AS type
OPTIONAL MATCH (term)-[:BROADER]->(broader)
RETURN DISTINCT term.uri AS term, substring(type, 37) AS type, term.rdfs__label AS label, broader.uri AS broader,
       term.gerund AS gerund, term.thirdPerson AS thirdPerson, term.plural AS plural, term.withObject AS withObject
ORDER BY term, broader
