// Coverage: the rules of a policy that no generated instruction is derived from.
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:IN_POLICY]-(rule:Rule)
WHERE NOT EXISTS { MATCH (rule)<-[:prov__wasDerivedFrom]-(:Instruction) }
RETURN rule.uri AS rule, rule.rdfs__label AS label
ORDER BY rule
