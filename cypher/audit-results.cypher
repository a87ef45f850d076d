// The results of a run that decide their scenarios: one row per result and
// rule it tests, with the outcome, reason, grader and the answer given.
// @param run iri
MATCH (:Resource {uri: $run})<-[:prov__wasGeneratedBy]-(result:AuditResult {decisive: true})-[:RAN_SCENARIO]->(scenario),
      (result)-[:TESTS_RULE]->(rule),
      (result)-[:earl__result]->(testResult)-[:earl__outcome]->(outcome),
      (result)-[:earl__assertedBy]->(grader),
      (result)-[:EVIDENCE]->(evidence)
RETURN DISTINCT result.uri AS result, scenario.uri AS scenario, rule.uri AS rule, split(outcome.uri, '#')[1] AS outcome,
       testResult.earl__info AS reason, grader.rdfs__label AS grader, grader.graderKind AS graderKind, evidence.responseText AS response
ORDER BY scenario, rule
