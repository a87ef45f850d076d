// Report items: the generated items derived from each provision of a policy, with type, family, scenario label and attack.
// Instructions teach a rule; scenarios, red-team prompts and imported scenarios test it.
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:IN_POLICY]-(rule)<-[:prov__wasDerivedFrom]-(item)
WHERE item:Instruction OR item:Scenario OR item:RedTeamPrompt OR item:ImportedScenario
OPTIONAL MATCH (item)-[:SCENARIO_LABEL]->(labelNode)
OPTIONAL MATCH (item)-[:ATTACK]->(attackNode)
RETURN DISTINCT item.uri AS item, rule.uri AS rule,
       CASE WHEN item:RedTeamPrompt THEN 'RedTeamPrompt' WHEN item:Scenario THEN 'Scenario' WHEN item:ImportedScenario THEN 'ImportedScenario' ELSE 'Instruction' END AS type,
       item.family AS family, split(labelNode.uri, '#')[1] AS label, split(attackNode.uri, '#')[1] AS attack
ORDER BY rule, item
