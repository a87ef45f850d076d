// A rule's audit history: every run whose results test it, oldest first, with
// the stage, the model and how its scenarios came out in that run.
// @param rule iri
MATCH (:Resource {uri: $rule})<-[:TESTS_RULE]-(result:AuditResult {decisive: true})-[:prov__wasGeneratedBy]->(run:AuditRun),
      (result)-[:earl__result]->()-[:earl__outcome]->(outcome),
      (run)-[:STAGE]->(stage)
WITH run, stage, collect(outcome.uri) AS outcomes
RETURN run.uri AS run, split(stage.uri, '#')[1] AS stage, run.model AS model, run.prov__startedAtTime AS startedAt,
       size(outcomes) AS scenarios,
       size([o IN outcomes WHERE o = 'http://www.w3.org/ns/earl#passed']) AS passed,
       size([o IN outcomes WHERE o = 'http://www.w3.org/ns/earl#failed']) AS failed,
       size([o IN outcomes WHERE o = 'http://www.w3.org/ns/earl#cantTell']) AS cantTell
ORDER BY datetime(startedAt), run
