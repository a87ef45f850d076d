// The results of a run that decide their scenarios: one row per result and
// rule it tests, with the outcome, reason, grader and the answer given.
// A run's results are its own and those it carries over from earlier runs
// (studio:carriesOverFrom, studio:leavesOut): cypher/fragments/run-results.cypher.
// @param run iri
MATCH (run:Resource {uri: $run})
// @include run-results(run, result)
MATCH (result)-[:RAN_SCENARIO]->(scenario),
      (result)-[:TESTS_RULE]->(rule),
      (result)-[:earl__result]->(testResult)-[:earl__outcome]->(outcome),
      (result)-[:earl__assertedBy]->(grader),
      (result)-[:EVIDENCE]->(evidence)
RETURN DISTINCT result.uri AS result, scenario.uri AS scenario, rule.uri AS rule, split(outcome.uri, '#')[1] AS outcome,
       testResult.earl__info AS reason, grader.rdfs__label AS grader, grader.graderKind AS graderKind, evidence.responseText AS response
ORDER BY scenario, rule
