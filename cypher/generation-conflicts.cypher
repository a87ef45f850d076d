// Generation conflicts: the detected conflicts between a policy's rules, one
// row per (conflict, rule), with certainty and, when resolved, the deciding
// principle, winner and loser; unresolved conflicts have no resolution.
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:IN_POLICY]-(rule)<-[:BETWEEN]-(conflict:DetectedConflict)
OPTIONAL MATCH (conflict)-[:CERTAINTY]->(certainty)
OPTIONAL MATCH (conflict)-[:RESOLUTION]->(resolution)
OPTIONAL MATCH (resolution)-[:DECIDED_BY]->(principle)
OPTIONAL MATCH (resolution)-[:WINNER]->(winner)
OPTIONAL MATCH (resolution)-[:LOSER]->(loser)
RETURN DISTINCT conflict.uri AS conflict, rule.uri AS rule, certainty.uri AS certainty,
       CASE WHEN winner IS NULL OR loser IS NULL THEN NULL ELSE principle.uri END AS principle,
       CASE WHEN principle IS NULL OR loser IS NULL THEN NULL ELSE winner.uri END AS winner,
       CASE WHEN principle IS NULL OR winner IS NULL THEN NULL ELSE loser.uri END AS loser
ORDER BY conflict, rule
