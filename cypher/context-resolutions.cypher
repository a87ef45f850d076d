// How the conflicts of a policy resolve in one deployment context, as recorded
// in the context's derived graph: the conflict, the principle that decided,
// winner and loser (none for a conflict the context leaves unresolved).
// @param context iri
MATCH (resolution:Resolution)-[:IN_CONTEXT]->(:Resource {uri: $context})
MATCH (resolution)-[:RESOLVES]->(conflict)
OPTIONAL MATCH (resolution)-[:DECIDED_BY]->(principle)
OPTIONAL MATCH (resolution)-[:WINNER]->(winner)
OPTIONAL MATCH (resolution)-[:LOSER]->(loser)
RETURN conflict.uri AS conflict,
       CASE WHEN winner IS NULL OR loser IS NULL THEN NULL ELSE principle.uri END AS principle,
       CASE WHEN principle IS NULL OR loser IS NULL THEN NULL ELSE winner.uri END AS winner,
       CASE WHEN principle IS NULL OR winner IS NULL THEN NULL ELSE loser.uri END AS loser
ORDER BY conflict
