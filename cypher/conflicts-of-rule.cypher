// Conflicts of a rule: the detected conflicts a conflicts run recorded for one rule, one row each.
// With the other rule, certainty, the documented conflict it matches and, when
// resolved, the deciding principle, winner, loser and reason. Nothing before
// a run (POST /v1/policies/{policy}/conflicts or studio conflicts).
// @param rule iri
MATCH (rule:Resource {uri: $rule})<-[:BETWEEN]-(conflict:DetectedConflict)-[:BETWEEN]->(other)
WHERE other <> rule
OPTIONAL MATCH (conflict)-[:CERTAINTY]->(certainty)
OPTIONAL MATCH (conflict)-[:rdfs__seeAlso]->(documented)
// A resolution counts only whole: principle, winner and loser together.
OPTIONAL MATCH (conflict)-[:RESOLUTION]->(resolution)-[:DECIDED_BY]->(principle), (resolution)-[:WINNER]->(winner), (resolution)-[:LOSER]->(loser)
RETURN DISTINCT conflict.uri AS conflict, other.uri AS other, certainty.uri AS certainty, documented.uri AS documented,
       principle.uri AS principle, winner.uri AS winner, loser.uri AS loser,
       CASE WHEN principle IS NULL THEN NULL ELSE resolution.rdfs__comment END AS reason
ORDER BY conflict
