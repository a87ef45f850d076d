// Audit runs of a policy, oldest first: stage, model, times, and the number of
// scenarios whose deciding verdict passed, failed or could not tell.
// A run's results are its own and those it carries over from earlier runs
// (studio:carriesOverFrom, studio:leavesOut): cypher/fragments/run-results.cypher.
// @param policy iri
MATCH (run:AuditRun)-[:prov__used]->(:Resource {uri: $policy})
MATCH (run)-[:STAGE]->(stage)
CALL (run) {
  // @include run-results(run, result)
  MATCH (result)-[:earl__result]->()-[:earl__outcome]->(outcome)
  RETURN collect(outcome.uri) AS outcomes
}
RETURN run.uri AS run, split(stage.uri, '#')[1] AS stage, run.model AS model,
       run.prov__startedAtTime AS startedAt, run.prov__endedAtTime AS endedAt,
       size(outcomes) AS scenarios,
       size([o IN outcomes WHERE o = 'http://www.w3.org/ns/earl#passed']) AS passed,
       size([o IN outcomes WHERE o = 'http://www.w3.org/ns/earl#failed']) AS failed,
       size([o IN outcomes WHERE o = 'http://www.w3.org/ns/earl#cantTell']) AS cantTell
ORDER BY datetime(startedAt), run
