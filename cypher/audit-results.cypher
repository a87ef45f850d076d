// The results of a run that decide their scenarios: one row per result and
// rule it tests, with the outcome, reason, grader and the answer given.
// A run's results are its own and those it carries over from earlier runs
// (studio:carriesOverFrom, studio:leavesOut; see src/auditors/to-rdf.ts).
// @param run iri
MATCH (run:Resource {uri: $run})
CALL (run) {
  MATCH (result:AuditResult {decisive: true})-[:prov__wasGeneratedBy]->(run)
  RETURN result
  UNION
  // A result the run carries over (in a chain), unless a run on the way leaves its scenario out.
  MATCH path = (run)-[:CARRIES_OVER_FROM*1..]->(source),
        (result:AuditResult)-[:prov__wasGeneratedBy]->(source), (result)-[:RAN_SCENARIO]->(carried)
  WHERE ((result.decisive AND EXISTS { (result)-[:earl__mode]->(:Resource {uri: 'http://www.w3.org/ns/earl#automatic'}) }) OR result.decidesUnreviewed)
    AND NONE(between IN nodes(path)[..-1] WHERE EXISTS { (between)-[:LEAVES_OUT]->(carried) })
  RETURN result
}
MATCH (result)-[:RAN_SCENARIO]->(scenario),
      (result)-[:TESTS_RULE]->(rule),
      (result)-[:earl__result]->(testResult)-[:earl__outcome]->(outcome),
      (result)-[:earl__assertedBy]->(grader),
      (result)-[:EVIDENCE]->(evidence)
RETURN DISTINCT result.uri AS result, scenario.uri AS scenario, rule.uri AS rule, split(outcome.uri, '#')[1] AS outcome,
       testResult.earl__info AS reason, grader.rdfs__label AS grader, grader.graderKind AS graderKind, evidence.responseText AS response
ORDER BY scenario, rule
