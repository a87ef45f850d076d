// A rule's audit history: every run whose results test it, oldest first, with
// the stage, the model and how its scenarios came out in that run.
// A run's results are its own and those it carries over from earlier runs
// (studio:carriesOverFrom, studio:leavesOut; see src/auditors/to-rdf.ts).
// @param rule iri
MATCH (rule:Resource {uri: $rule})
CALL (rule) {
  MATCH (rule)<-[:TESTS_RULE]-(result:AuditResult {decisive: true})-[:prov__wasGeneratedBy]->(run:AuditRun)
  RETURN run, result
  UNION
  // Results other runs carry over (in a chain), unless a run on the way leaves their scenario out.
  MATCH (rule)<-[:TESTS_RULE]-(result:AuditResult)-[:prov__wasGeneratedBy]->(source), (result)-[:RAN_SCENARIO]->(carried)
  WHERE (result.decisive AND EXISTS { (result)-[:earl__mode]->(:Resource {uri: 'http://www.w3.org/ns/earl#automatic'}) }) OR result.decidesUnreviewed
  MATCH path = (run:AuditRun)-[:CARRIES_OVER_FROM*1..]->(source)
  WHERE NONE(between IN nodes(path)[..-1] WHERE EXISTS { (between)-[:LEAVES_OUT]->(carried) })
  RETURN run, result
}
MATCH (result)-[:earl__result]->()-[:earl__outcome]->(outcome),
      (run)-[:STAGE]->(stage)
WITH run, stage, collect(outcome.uri) AS outcomes
RETURN run.uri AS run, split(stage.uri, '#')[1] AS stage, run.model AS model, run.prov__startedAtTime AS startedAt,
       size(outcomes) AS scenarios,
       size([o IN outcomes WHERE o = 'http://www.w3.org/ns/earl#passed']) AS passed,
       size([o IN outcomes WHERE o = 'http://www.w3.org/ns/earl#failed']) AS failed,
       size([o IN outcomes WHERE o = 'http://www.w3.org/ns/earl#cantTell']) AS cantTell
ORDER BY datetime(startedAt), run
