// Rules of a policy that no generated scenario or red-team prompt tests: the
// rules an audit cannot reach until the framers generate scenarios for them.
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:IN_POLICY]-(rule:Rule)
WHERE NOT EXISTS { MATCH (rule)<-[:prov__wasDerivedFrom]-(:Scenario) }
RETURN rule.uri AS rule, [k IN ['Obligation', 'Prohibition', 'Permission', 'Recommendation'] WHERE k IN labels(rule)][0] AS kind
ORDER BY rule
