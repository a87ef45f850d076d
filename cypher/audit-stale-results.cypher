// Results made stale by a later change: the deciding results of a policy's runs
// whose rule's text changed or whose rule was removed since the run, or whose
// scenario is no longer in the graph: neither among the generated items nor
// among the imported ones (an imported scenario keeps its studio:messages in
// its import's graph, so it is never stale for not being generated). One row
// per run, scenario, rule and reason.
// A run's results are its own and those it carries over from earlier runs
// (studio:carriesOverFrom, studio:leavesOut): cypher/fragments/run-results.cypher and run-results-at.cypher.
// @param policy iri
CALL () {
  MATCH (run:AuditRun)-[:prov__used]->(:Resource {uri: $policy}),
        (run)-[:RULE_SNAPSHOT]->(snapshot)-[:SNAPSHOT_OF]->(rule)
  WHERE rule.text IS NULL OR rule.text <> snapshot.snapshotText
  // The run's results of each changed rule, from the rule: one rule at a time.
  // @include run-results-at(run, rule, TESTS_RULE, result)
  MATCH (result)-[:RAN_SCENARIO]->(scenario)
  RETURN run, scenario, rule, CASE WHEN rule.text IS NULL THEN 'rule removed' ELSE 'rule changed' END AS reason
  UNION
  MATCH (run:AuditRun)-[:prov__used]->(:Resource {uri: $policy})
  // @include run-results(run, result)
  MATCH (result)-[:RAN_SCENARIO]->(scenario), (result)-[:TESTS_RULE]->(rule)
  WHERE scenario.messages IS NULL
  RETURN run, scenario, rule, 'scenario removed' AS reason
}
RETURN DISTINCT run.uri AS run, scenario.uri AS scenario, rule.uri AS rule, reason
ORDER BY run, scenario, rule, reason
