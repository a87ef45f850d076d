// Documented conflicts: the collisions a policy's authors declared (studio:DocumentedConflict), with the rule
// they intend to prevail and the principle that should decide, so that detection can be checked against them.
// The two rules come in IRI order. An empty byPolicy means every policy.
// @param byPolicy string
MATCH (conflict:DocumentedConflict)-[:BETWEEN]->(first:Resource),
      (conflict)-[:BETWEEN]->(second:Resource)
WHERE first.uri < second.uri
MATCH (first)-[:IN_POLICY]->(policy:Resource)
WHERE $byPolicy = '' OR policy.uri = $byPolicy
OPTIONAL MATCH (conflict)-[:INTENDED_WINNER]->(winner:Resource)
OPTIONAL MATCH (conflict)-[:INTENDED_PRINCIPLE]->(principle:Resource)
RETURN conflict.uri AS conflict, policy.uri AS policy, first.uri AS first, second.uri AS second,
       winner.uri AS intendedWinner, principle.uri AS intendedPrinciple, conflict.rdfs__label AS label
ORDER BY conflict
