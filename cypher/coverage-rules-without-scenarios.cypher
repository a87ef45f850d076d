// Coverage: for each rule of a policy, the scenario labels (Compliant,
// NonCompliant, Ambiguous) no generated scenario derived from it carries.
// Red-team prompts do not count: they are variants, not scenarios of their own.
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:IN_POLICY]-(rule:Rule)
UNWIND ['Compliant', 'NonCompliant', 'Ambiguous'] AS missing
WITH rule, missing
WHERE NOT EXISTS {
  MATCH (rule)<-[:prov__wasDerivedFrom]-(item:Scenario)-[:SCENARIO_LABEL]->(label:Resource {uri: 'https://w3id.org/alignment-studio/ns#' + missing})
  WHERE NOT item:RedTeamPrompt
}
RETURN rule.uri AS rule, missing
ORDER BY rule, missing
