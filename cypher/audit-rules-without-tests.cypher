// Rules of a policy that no scenario or red-team prompt tests, generated or
// imported (`studio suite import`): the rules an audit cannot reach until the framers generate
// scenarios for them, or test cases for them are imported.
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:IN_POLICY]-(rule:Rule)
WHERE NOT EXISTS { MATCH (rule)<-[:prov__wasDerivedFrom]-(item) WHERE item:Scenario OR item:RedTeamPrompt OR item:ImportedScenario }
RETURN rule.uri AS rule, [k IN ['Obligation', 'Prohibition', 'Permission', 'Recommendation'] WHERE k IN labels(rule)][0] AS kind
ORDER BY rule
