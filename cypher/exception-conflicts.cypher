// Exception conflicts: an exception that lifts a prohibition permits, within its base rule's scope narrowed by
// its own bearer, action, targets, counterparties and conditions, what that prohibition forbids; where another
// prohibition of the same policy (not one of the exception's own bases) forbids the same, the two conflict.
// One row per (prohibition, exception, base prohibition). The twin of sparql/exception-conflicts.rq: the same
// rows on both stores. An empty byPolicy means every policy.
// @param byPolicy string
MATCH (permissive:Exception)-[:IN_POLICY]->(policy:Resource), (permissive)-[:EXCEPTION_TO]->(base:Prohibition)
WHERE ($byPolicy = '' OR policy.uri = $byPolicy)
MATCH (base)-[:BEARER]->(baseBearer:Resource), (base)-[:ACTION]->(baseAction:Resource)
OPTIONAL MATCH (permissive)-[:BEARER]->(ownBearer:Resource)
OPTIONAL MATCH (permissive)-[:ACTION]->(ownAction:Resource)
WITH DISTINCT policy, permissive, base, coalesce(ownBearer, baseBearer) AS permissiveBearer, coalesce(ownAction, baseAction) AS permissiveAction
// The prohibitions whose action is the scope's, or one under the other (as in cypher/conflicts.cypher).
CALL (permissiveAction) {
  MATCH (action:Resource)-[:BROADER*0..]->(permissiveAction)
  RETURN action AS prohibitionAction
  UNION
  MATCH (permissiveAction)-[:BROADER*1..]->(action:Resource)
  RETURN action AS prohibitionAction
}
MATCH (prohibitionAction)<-[:ACTION]-(prohibition:Prohibition)-[:IN_POLICY]->(policy), (prohibition)-[:BEARER]->(prohibitionBearer:Resource)
WHERE NOT EXISTS { (permissive)-[:EXCEPTION_TO]->(prohibition) }
WITH DISTINCT policy, prohibition, permissive, base, prohibitionBearer, prohibitionAction, permissiveBearer, permissiveAction

// The exception's scope: its own targets and counterparties where it names some, else its base's; its own
// conditions and its base's together.
WITH policy, prohibition, permissive, base, prohibitionBearer, prohibitionAction, permissiveBearer, permissiveAction,
  [(prohibition)-[:TARGET]->(t:Resource) | t] AS pTargets,
  CASE WHEN EXISTS { (permissive)-[:TARGET]->(:Resource) } THEN [(permissive)-[:TARGET]->(t:Resource) | t] ELSE [(base)-[:TARGET]->(t:Resource) | t] END AS qTargets,
  [(prohibition)-[:COUNTERPARTY]->(t:Resource) | t] AS pCounterparties,
  CASE WHEN EXISTS { (permissive)-[:COUNTERPARTY]->(:Resource) } THEN [(permissive)-[:COUNTERPARTY]->(t:Resource) | t] ELSE [(base)-[:COUNTERPARTY]->(t:Resource) | t] END AS qCounterparties,
  [(prohibition)-[:CONDITION]->(c:Resource) | c] AS pConditions,
  [(permissive)-[:CONDITION]->(c:Resource) | c] + [(base)-[:CONDITION]->(c:Resource) WHERE NOT EXISTS { (permissive)-[:CONDITION]->(c) } | c] AS qConditions
WITH policy, prohibition, permissive, base, pConditions, qConditions,
  CASE
    WHEN prohibitionBearer = permissiveBearer THEN 'same'
    WHEN EXISTS { (prohibitionBearer)-[:BROADER*1..]->(permissiveBearer) } THEN 'narrower'
    WHEN EXISTS { (permissiveBearer)-[:BROADER*1..]->(prohibitionBearer) } THEN 'broader'
    WHEN EXISTS { (prohibitionBearer)-[:BROADER*0..]->(:Resource)-[:DISJOINT_WITH]-(:Resource)<-[:BROADER*0..]-(permissiveBearer) } THEN 'none'
    ELSE 'unknown'
  END AS bearer,
  CASE WHEN prohibitionAction = permissiveAction THEN 'same'
    WHEN EXISTS { (prohibitionAction)-[:BROADER*1..]->(permissiveAction) } THEN 'narrower' ELSE 'broader' END AS action,
  CASE
    WHEN size(pTargets) = 0 AND size(qTargets) = 0 THEN 'same'
    WHEN size(pTargets) = 0 THEN 'broader'
    WHEN size(qTargets) = 0 THEN 'narrower'
    WHEN all(x IN pTargets WHERE any(y IN qTargets WHERE (x = y OR EXISTS { (x)-[:BROADER*1..]->(y) })))
      THEN CASE WHEN all(y IN qTargets WHERE any(x IN pTargets WHERE (y = x OR EXISTS { (y)-[:BROADER*1..]->(x) }))) THEN 'same' ELSE 'narrower' END
    WHEN all(y IN qTargets WHERE any(x IN pTargets WHERE (y = x OR EXISTS { (y)-[:BROADER*1..]->(x) }))) THEN 'broader'
    WHEN any(x IN pTargets WHERE any(y IN qTargets WHERE (x = y OR EXISTS { (x)-[:BROADER*1..]->(y) }) OR (y = x OR EXISTS { (y)-[:BROADER*1..]->(x) }))) THEN 'overlap'
    WHEN all(x IN pTargets WHERE all(y IN qTargets WHERE EXISTS { (x)-[:BROADER*0..]->(:Resource)-[:DISJOINT_WITH]-(:Resource)<-[:BROADER*0..]-(y) })) THEN 'none'
    ELSE 'unknown'
  END AS target,
  CASE
    WHEN size(pCounterparties) = 0 AND size(qCounterparties) = 0 THEN 'same'
    WHEN size(pCounterparties) = 0 THEN 'broader'
    WHEN size(qCounterparties) = 0 THEN 'narrower'
    WHEN all(x IN pCounterparties WHERE any(y IN qCounterparties WHERE (x = y OR EXISTS { (x)-[:BROADER*1..]->(y) })))
      THEN CASE WHEN all(y IN qCounterparties WHERE any(x IN pCounterparties WHERE (y = x OR EXISTS { (y)-[:BROADER*1..]->(x) }))) THEN 'same' ELSE 'narrower' END
    WHEN all(y IN qCounterparties WHERE any(x IN pCounterparties WHERE (y = x OR EXISTS { (y)-[:BROADER*1..]->(x) }))) THEN 'broader'
    WHEN any(x IN pCounterparties WHERE any(y IN qCounterparties WHERE (x = y OR EXISTS { (x)-[:BROADER*1..]->(y) }) OR (y = x OR EXISTS { (y)-[:BROADER*1..]->(x) }))) THEN 'overlap'
    WHEN all(x IN pCounterparties WHERE all(y IN qCounterparties WHERE EXISTS { (x)-[:BROADER*0..]->(:Resource)-[:DISJOINT_WITH]-(:Resource)<-[:BROADER*0..]-(y) })) THEN 'none'
    ELSE 'unknown'
  END AS counterparty
WHERE bearer <> 'none' AND target <> 'none' AND counterparty <> 'none'
  // Effective periods that never meet.
  AND NOT coalesce(prohibition.effectiveUntil < permissive.effectiveFrom, false)
  AND NOT coalesce(permissive.effectiveUntil < prohibition.effectiveFrom, false)
  // Conditions provably disjoint (see cypher/conflicts.cypher).
  AND NOT any(c1 IN pConditions WHERE any(c2 IN qConditions WHERE
        (EXISTS { (c1)-[:AUDIENCE]->(:Resource) } AND EXISTS { (c2)-[:AUDIENCE]->(:Resource) }
          AND none(a1 IN [(c1)-[:AUDIENCE]->(a:Resource) | a] WHERE a1 IN [(c2)-[:AUDIENCE]->(a:Resource) | a]))
     OR (EXISTS { (c1)-[:JURISDICTION]->(:Resource) } AND EXISTS { (c2)-[:JURISDICTION]->(:Resource) }
          AND none(j1 IN [(c1)-[:JURISDICTION]->(j:Resource) | j] WHERE any(j2 IN [(c2)-[:JURISDICTION]->(j:Resource) | j] WHERE
                   j1 = j2 OR EXISTS { (j1)-[:BROADER*1..]->(j2) } OR EXISTS { (j2)-[:BROADER*1..]->(j1) })))
     OR EXISTS { MATCH (c1)-[:CIRCUMSTANCE]->(:Resource)<-[:CIRCUMSTANCE]-(c2)
                 WHERE coalesce(c1.negated, false) <> coalesce(c2.negated, false) }
     OR (coalesce(c1.unit = c2.unit, c1.unit IS NULL AND c2.unit IS NULL) AND EXISTS { MATCH (c1)-[:QUANTITY]->(:Resource)<-[:QUANTITY]-(c2)
        WHERE coalesce(c1.maxInclusive, c1.maxExclusive) < coalesce(c2.minInclusive, c2.minExclusive)
           OR c1.maxExclusive = coalesce(c2.minInclusive, c2.minExclusive)
           OR c1.maxInclusive = c2.minExclusive
           OR coalesce(c2.maxInclusive, c2.maxExclusive) < coalesce(c1.minInclusive, c1.minExclusive)
           OR c2.maxExclusive = coalesce(c1.minInclusive, c1.minExclusive)
           OR c2.maxInclusive = c1.minExclusive })
     OR coalesce(c1.endDate < c2.startDate, false)
     OR coalesce(c2.endDate < c1.startDate, false)))

// The conditions one side has and the other does not, compared by value.
WITH policy, prohibition, permissive, base, bearer, action, target, counterparty,
  [c1 IN pConditions WHERE NOT any(c2 IN qConditions WHERE (c1 = c2 OR (size(labels(c1)) = size(labels(c2)) AND all(l IN labels(c1) WHERE l IN labels(c2))
        AND all(k IN ['unit', 'minInclusive', 'minExclusive', 'maxInclusive', 'maxExclusive', 'startDate', 'endDate'] WHERE coalesce(c1[k] = c2[k], c1[k] IS NULL AND c2[k] IS NULL))
        AND coalesce(c1.negated, false) = coalesce(c2.negated, false)
        AND all(t IN [(c1)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]] WHERE t IN [(c2)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]])
        AND all(t IN [(c2)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]] WHERE t IN [(c1)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]]))))] AS pOwn,
  [c2 IN qConditions WHERE NOT any(c1 IN pConditions WHERE (c1 = c2 OR (size(labels(c1)) = size(labels(c2)) AND all(l IN labels(c1) WHERE l IN labels(c2))
        AND all(k IN ['unit', 'minInclusive', 'minExclusive', 'maxInclusive', 'maxExclusive', 'startDate', 'endDate'] WHERE coalesce(c1[k] = c2[k], c1[k] IS NULL AND c2[k] IS NULL))
        AND coalesce(c1.negated, false) = coalesce(c2.negated, false)
        AND all(t IN [(c1)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]] WHERE t IN [(c2)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]])
        AND all(t IN [(c2)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]] WHERE t IN [(c1)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]]))))] AS qOwn
WITH policy, prohibition, permissive, base, bearer, action, target, counterparty,
  // Conditions the graph cannot compare (see cypher/conflicts.cypher), and a threshold on a rate set elsewhere.
  CASE WHEN any(c1 IN pOwn WHERE any(c2 IN qOwn WHERE
        EXISTS { MATCH (c1)-[:CIRCUMSTANCE]->(x1:Resource), (c2)-[:CIRCUMSTANCE]->(x2:Resource) WHERE x1 <> x2 }
     OR EXISTS { (c1)-[:CIRCUMSTANCE]->(:Resource) } <> EXISTS { (c2)-[:CIRCUMSTANCE]->(:Resource) }
     OR EXISTS { MATCH (c1)-[:QUANTITY]->(q1:Resource), (c2)-[:QUANTITY]->(q2:Resource) WHERE q1 <> q2 }
     OR (EXISTS { (c1)-[:QUANTITY]->(:Resource)<-[:QUANTITY]-(c2) } AND NOT coalesce(c1.unit = c2.unit, c1.unit IS NULL AND c2.unit IS NULL))
     OR EXISTS { MATCH (c1)-[:PERIOD]->(p1:Resource), (c2)-[:PERIOD]->(p2:Resource) WHERE p1 <> p2 }
     OR (EXISTS { (c1)-[:PERIOD]->(:Resource) } AND (c2.startDate IS NOT NULL OR c2.endDate IS NOT NULL))
     OR (EXISTS { (c2)-[:PERIOD]->(:Resource) } AND (c1.startDate IS NOT NULL OR c1.endDate IS NOT NULL))
     OR (EXISTS { (c1)-[:QUANTITY]->(:Resource)<-[:QUANTITY]-(c2) } AND (EXISTS { (c1)-[:RATE_REFERENCE]->(:Resource) } OR EXISTS { (c2)-[:RATE_REFERENCE]->(:Resource) }))))
    THEN 'possible' ELSE 'definite' END AS conditionsCertainty,
  CASE
    WHEN size(qOwn) = 0 THEN CASE WHEN size(pOwn) = 0 THEN 'same' ELSE 'narrower' END
    WHEN size(pOwn) = 0 THEN 'broader'
    ELSE 'overlap'
  END AS conditions
RETURN policy.uri AS policy, prohibition.uri AS prohibition, permissive.uri AS permissive, base.uri AS base,
  bearer, action, target, counterparty, conditions,
  CASE WHEN bearer = 'unknown' OR target = 'unknown' OR counterparty = 'unknown' OR conditionsCertainty = 'possible'
    THEN 'possible' ELSE 'definite' END AS certainty,
  coalesce(prohibition.authorityRank,
    reduce(best = null, found IN [path = (prohibition)-[:SECTION]->(:Resource)-[:PART_OF*0..4]->(ranked:Resource) WHERE ranked.authorityRank IS NOT NULL | [length(path), ranked.authorityRank]] |
      CASE WHEN best IS NULL OR found[0] < best[0] THEN found ELSE best END)[1]) AS prohibitionRank,
  coalesce(permissive.authorityRank,
    reduce(best = null, found IN [path = (permissive)-[:SECTION]->(:Resource)-[:PART_OF*0..4]->(ranked:Resource) WHERE ranked.authorityRank IS NOT NULL | [length(path), ranked.authorityRank]] |
      CASE WHEN best IS NULL OR found[0] < best[0] THEN found ELSE best END)[1]) AS permissiveRank,
  toString(prohibition.effectiveFrom) AS prohibitionFrom,
  toString(permissive.effectiveFrom) AS permissiveFrom,
  EXISTS { (prohibition)-[:OVERRIDES]->(permissive) } AS prohibitionOverrides,
  EXISTS { (permissive)-[:OVERRIDES]->(prohibition) } AS permissiveOverrides
ORDER BY policy, prohibition, permissive, base
