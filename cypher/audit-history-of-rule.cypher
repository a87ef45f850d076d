// A rule's audit history: every run whose results test it, oldest first, with
// the stage, the model and how its scenarios came out in that run.
// A run's results are its own and those it carries over from earlier runs
// (studio:carriesOverFrom, studio:leavesOut): cypher/fragments/run-results-at.cypher.
// @param rule iri
MATCH (rule:Resource {uri: $rule})
// The runs that may hold results of the rule: those that made one, and those that carry one over.
MATCH (rule)<-[:TESTS_RULE]-(:AuditResult)-[:prov__wasGeneratedBy]->(maker)
MATCH (run:AuditRun)-[:CARRIES_OVER_FROM*0..]->(maker)
WITH DISTINCT rule, run
// @include run-results-at(run, rule, TESTS_RULE, result)
MATCH (result)-[:earl__result]->()-[:earl__outcome]->(outcome),
      (run)-[:STAGE]->(stage)
WITH run, stage, collect(outcome.uri) AS outcomes
RETURN run.uri AS run, split(stage.uri, '#')[1] AS stage, run.model AS model, run.prov__startedAtTime AS startedAt,
       size(outcomes) AS scenarios,
       size([o IN outcomes WHERE o = 'http://www.w3.org/ns/earl#passed']) AS passed,
       size([o IN outcomes WHERE o = 'http://www.w3.org/ns/earl#failed']) AS failed,
       size([o IN outcomes WHERE o = 'http://www.w3.org/ns/earl#cantTell']) AS cantTell
ORDER BY datetime(startedAt), run
