// Scenarios two runs both ran, with each run's deciding outcome and its grade (pass, borderline,
// fail; empty for results written before grades, or undecided): the input of
// side-by-side red teaming (both comply, only the first, only the second, both fail).
// @param first iri
// @param second iri
MATCH (:Resource {uri: $first})<-[:prov__wasGeneratedBy]-(a:AuditResult {decisive: true})-[:RAN_SCENARIO]->(scenario),
      (a)-[:earl__result]->(ar)-[:earl__outcome]->(ao)
MATCH (:Resource {uri: $second})<-[:prov__wasGeneratedBy]-(b:AuditResult {decisive: true})-[:RAN_SCENARIO]->(scenario),
      (b)-[:earl__result]->(br)-[:earl__outcome]->(bo)
RETURN scenario.uri AS scenario, split(ao.uri, '#')[1] AS firstOutcome, split(bo.uri, '#')[1] AS secondOutcome,
       ar.grade AS firstGrade, br.grade AS secondGrade
ORDER BY scenario
