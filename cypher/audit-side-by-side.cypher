// Scenarios two runs both ran, with each run's deciding outcome and its grade (pass, borderline,
// fail; empty for results written before grades, or undecided): the input of
// side-by-side red teaming (both comply, only the first, only the second, both fail).
// A run's results are its own and those it carries over from earlier runs
// (studio:carriesOverFrom, studio:leavesOut): cypher/fragments/run-results.cypher and run-results-at.cypher.
// @param first iri
// @param second iri
MATCH (first:Resource {uri: $first})
// @include run-results(first, a)
MATCH (a)-[:RAN_SCENARIO]->(scenario), (a)-[:earl__result]->(ar)-[:earl__outcome]->(ao)
MATCH (second:Resource {uri: $second})
// The second run's result on each scenario, from the scenario: one scenario at a time.
// @include run-results-at(second, scenario, RAN_SCENARIO, b)
MATCH (b)-[:earl__result]->(br)-[:earl__outcome]->(bo)
RETURN scenario.uri AS scenario, split(ao.uri, '#')[1] AS firstOutcome, split(bo.uri, '#')[1] AS secondOutcome,
       ar.grade AS firstGrade, br.grade AS secondGrade
ORDER BY scenario
