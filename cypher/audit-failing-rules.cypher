// Rules failing in a run: each rule with a scenario whose deciding verdict
// failed, with how many of its scenarios failed and how many ran.
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
MATCH (result)-[:TESTS_RULE]->(rule),
      (result)-[:earl__result]->()-[:earl__outcome]->(outcome)
WITH rule, count(result) AS scenarios, size([o IN collect(outcome.uri) WHERE o = 'http://www.w3.org/ns/earl#failed']) AS failed
WHERE failed > 0
RETURN rule.uri AS rule, failed, scenarios
ORDER BY failed DESC, rule
