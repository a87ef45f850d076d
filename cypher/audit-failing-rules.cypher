// Rules failing in a run: each rule with a scenario whose deciding verdict
// failed, with how many of its scenarios failed and how many ran.
// @param run iri
MATCH (:Resource {uri: $run})<-[:prov__wasGeneratedBy]-(result:AuditResult {decisive: true})-[:TESTS_RULE]->(rule),
      (result)-[:earl__result]->()-[:earl__outcome]->(outcome)
WITH rule, count(result) AS scenarios, size([o IN collect(outcome.uri) WHERE o = 'http://www.w3.org/ns/earl#failed']) AS failed
WHERE failed > 0
RETURN rule.uri AS rule, failed, scenarios
ORDER BY failed DESC, rule
