// Scenarios two runs both ran, with each run's deciding outcome and its grade (pass, borderline,
// fail; empty for results written before grades, or undecided): the input of
// side-by-side red teaming (both comply, only the first, only the second, both fail).
// A run's results are its own and those it carries over from earlier runs
// (studio:carriesOverFrom, studio:leavesOut; see src/auditors/to-rdf.ts).
// @param first iri
// @param second iri
MATCH (first:Resource {uri: $first})
CALL (first) {
  MATCH (a:AuditResult {decisive: true})-[:prov__wasGeneratedBy]->(first)
  RETURN a
  UNION
  // A result the run carries over (in a chain), unless a run on the way leaves its scenario out.
  MATCH path = (first)-[:CARRIES_OVER_FROM*1..]->(source),
        (a:AuditResult)-[:prov__wasGeneratedBy]->(source), (a)-[:RAN_SCENARIO]->(carried)
  WHERE ((a.decisive AND EXISTS { (a)-[:earl__mode]->(:Resource {uri: 'http://www.w3.org/ns/earl#automatic'}) }) OR a.decidesUnreviewed)
    AND NONE(between IN nodes(path)[..-1] WHERE EXISTS { (between)-[:LEAVES_OUT]->(carried) })
  RETURN a
}
MATCH (a)-[:RAN_SCENARIO]->(scenario), (a)-[:earl__result]->(ar)-[:earl__outcome]->(ao)
MATCH (second:Resource {uri: $second})
// The second run's result on each scenario, from the scenario: one scenario at a time.
CALL (second, scenario) {
  MATCH (scenario)<-[:RAN_SCENARIO]-(b:AuditResult {decisive: true})-[:prov__wasGeneratedBy]->(second)
  RETURN b
  UNION
  // The result the second run carries over, unless a run on the way leaves the scenario out.
  MATCH (scenario)<-[:RAN_SCENARIO]-(b:AuditResult)-[:prov__wasGeneratedBy]->(source)
  WHERE ((b.decisive AND EXISTS { (b)-[:earl__mode]->(:Resource {uri: 'http://www.w3.org/ns/earl#automatic'}) }) OR b.decidesUnreviewed)
  MATCH path = (second)-[:CARRIES_OVER_FROM*1..]->(source)
  WHERE NONE(between IN nodes(path)[..-1] WHERE EXISTS { (between)-[:LEAVES_OUT]->(scenario) })
  RETURN b
}
MATCH (b)-[:earl__result]->(br)-[:earl__outcome]->(bo)
RETURN scenario.uri AS scenario, split(ao.uri, '#')[1] AS firstOutcome, split(bo.uri, '#')[1] AS secondOutcome,
       ar.grade AS firstGrade, br.grade AS secondGrade
ORDER BY scenario
