// Results made stale by a later change: the deciding results of a policy's runs
// whose rule's text changed or whose rule was removed since the run, or whose
// scenario is no longer in the graph: neither among the generated items nor
// among the imported ones (an imported scenario keeps its studio:messages in
// its import's graph, so it is never stale for not being generated). One row
// per run, scenario, rule and reason.
// A run's results are its own and those it carries over from earlier runs
// (studio:carriesOverFrom, studio:leavesOut; see src/auditors/to-rdf.ts).
// @param policy iri
CALL () {
  MATCH (run:AuditRun)-[:prov__used]->(:Resource {uri: $policy}),
        (run)-[:RULE_SNAPSHOT]->(snapshot)-[:SNAPSHOT_OF]->(rule)
  WHERE rule.text IS NULL OR rule.text <> snapshot.snapshotText
  // The run's results of each changed rule, from the rule: one rule at a time.
  CALL (run, rule) {
    MATCH (rule)<-[:TESTS_RULE]-(result:AuditResult {decisive: true})-[:prov__wasGeneratedBy]->(run)
    RETURN result
    UNION
    // Results the run carries over (in a chain), unless a run on the way leaves their scenario out.
    MATCH (rule)<-[:TESTS_RULE]-(result:AuditResult)-[:prov__wasGeneratedBy]->(source), (result)-[:RAN_SCENARIO]->(carried)
    WHERE (result.decisive AND EXISTS { (result)-[:earl__mode]->(:Resource {uri: 'http://www.w3.org/ns/earl#automatic'}) }) OR result.decidesUnreviewed
    MATCH path = (run)-[:CARRIES_OVER_FROM*1..]->(source)
    WHERE NONE(between IN nodes(path)[..-1] WHERE EXISTS { (between)-[:LEAVES_OUT]->(carried) })
    RETURN result
  }
  MATCH (result)-[:RAN_SCENARIO]->(scenario)
  RETURN run, scenario, rule, CASE WHEN rule.text IS NULL THEN 'rule removed' ELSE 'rule changed' END AS reason
  UNION
  MATCH (run:AuditRun)-[:prov__used]->(:Resource {uri: $policy})
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
  MATCH (result)-[:RAN_SCENARIO]->(scenario), (result)-[:TESTS_RULE]->(rule)
  WHERE scenario.messages IS NULL
  RETURN run, scenario, rule, 'scenario removed' AS reason
}
RETURN DISTINCT run.uri AS run, scenario.uri AS scenario, rule.uri AS rule, reason
ORDER BY run, scenario, rule, reason
