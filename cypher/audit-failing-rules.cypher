// Rules failing in a run: each rule with a scenario whose deciding verdict
// failed, with how many of its scenarios failed and how many ran.
// A run's results are its own and those it carries over from earlier runs
// (studio:carriesOverFrom, studio:leavesOut): cypher/fragments/run-results.cypher.
// @param run iri
MATCH (run:Resource {uri: $run})
// @include run-results(run, result)
MATCH (result)-[:TESTS_RULE]->(rule),
      (result)-[:earl__result]->()-[:earl__outcome]->(outcome)
WITH rule, count(result) AS scenarios, size([o IN collect(outcome.uri) WHERE o = 'http://www.w3.org/ns/earl#failed']) AS failed
WHERE failed > 0
RETURN rule.uri AS rule, failed, scenarios
ORDER BY failed DESC, rule
