// Audit runs of a policy, oldest first: stage, model, times, and the number of
// scenarios whose deciding verdict passed, failed or could not tell.
// A run's results are its own and those it carries over from earlier runs
// (studio:carriesOverFrom, studio:leavesOut; see src/auditors/to-rdf.ts).
// @param policy iri
MATCH (run:AuditRun)-[:prov__used]->(:Resource {uri: $policy})
MATCH (run)-[:STAGE]->(stage)
CALL (run) {
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
