// Exceptions overridden: each exception that a provision applying notwithstanding exceptions (studio:notwithstanding)
// sets aside, one row per (provision, exception, base). See the twin sparql/exceptions-overridden.rq.
// @param byPolicy string
MATCH (provision:Resource)-[:NOTWITHSTANDING]->(covered:Resource), (provision)-[:IN_POLICY]->(policy:Resource)
WHERE $byPolicy = '' OR policy.uri = $byPolicy
MATCH (exception:Exception)-[:IN_POLICY]->(policy), (exception)-[:EXCEPTION_TO]->(base:Resource)
WHERE exception <> provision AND (base = covered OR EXISTS { (base)-[:SECTION]->(:Resource)-[:PART_OF*0..]->(covered) })
RETURN DISTINCT policy.uri AS policy, provision.uri AS provision, exception.uri AS exception, base.uri AS base
ORDER BY policy, provision, exception, base
