// The results of a run (as run-results) that reach a given node, a rule or a scenario, by a
// given relationship (TESTS_RULE, RAN_SCENARIO): a subquery of the bound run and node, read
// from the node, so that a query asks for one rule or scenario at a time.
// @fragment run-results-at(run, node, LINK, result)
CALL (run, node) {
  MATCH (node)<-[:LINK]-(result:AuditResult {decisive: true})-[:prov__wasGeneratedBy]->(run)
  RETURN result
  UNION
  // Results the run carries over (in a chain), unless a run on the way leaves their scenario out.
  MATCH (node)<-[:LINK]-(result:AuditResult)-[:prov__wasGeneratedBy]->(source)
  WHERE (result.decisive AND EXISTS { (result)-[:earl__mode]->(:Resource {uri: 'http://www.w3.org/ns/earl#automatic'}) }) OR result.decidesUnreviewed
  // A MATCH of its own: LINK may be RAN_SCENARIO, a relationship one MATCH cannot bind twice.
  MATCH (result)-[:RAN_SCENARIO]->(carried), path = (run)-[:CARRIES_OVER_FROM*1..]->(source)
  WHERE NONE(between IN nodes(path)[..-1] WHERE EXISTS { (between)-[:LEAVES_OUT]->(carried) })
  RETURN result
}
