// Modality conflicts: a prohibition against an obligation or a permission of the same policy whose bearers,
// actions, targets and counterparties overlap (the same term, or one under the other through studio:broader;
// no target or counterparty means any) and whose conditions and effective periods can hold at once.
// One row per pair, from the prohibition's side: how each dimension relates (same, narrower, broader,
// overlap, unknown), whether the conflict is "definite" or only "possible" (the graph cannot tell whether two
// terms coincide, or whether two circumstances, quantities or named periods hold together), and what
// precedence needs: nearest authority rank, effective date, explicit overrides, and the chain of command (the
// instructing source, hard limits, defaults that yield to the other rule's source). An empty byPolicy means
// every policy. The twin of sparql/conflicts.rq: the same rows on both stores. bearers: the pairs of bearers
// that can be the same person (see the SPARQL twin).
// @param byPolicy string
// @param bearers table(prohibitionBearer iri, permissiveBearer iri)
// The bearers table, grouped by the prohibition's bearer: each group's prohibitions are found from their
// bearer, and their candidates keep the obligations and permissions with a bearer of the group (a short list;
// a test of each pair against the whole table would scan it for every pair).
UNWIND $bearers AS pair
WITH pair.prohibitionBearer AS prohibitionBearer, collect(pair.permissiveBearer) AS permissiveBearers
MATCH (:Resource {uri: prohibitionBearer})<-[:BEARER]-(prohibition:Prohibition)-[:IN_POLICY]->(policy:Resource)
WHERE $byPolicy = '' OR policy.uri = $byPolicy
MATCH (prohibition)-[:ACTION]->(prohibitionAction:Resource)
CALL (prohibitionAction) {
  MATCH (action:Resource)-[:BROADER*0..]->(prohibitionAction)
  RETURN action
  UNION
  MATCH (prohibitionAction)-[:BROADER*1..]->(action:Resource)
  RETURN action
}
MATCH (action)<-[:ACTION]-(permissive:Rule)-[:IN_POLICY]->(policy)
WHERE (permissive:Obligation OR permissive:Permission)
  AND EXISTS { MATCH (permissive)-[:BEARER]->(permissiveBearer:Resource) WHERE permissiveBearer.uri IN permissiveBearers }
WITH DISTINCT policy, prohibition, permissive

// How each dimension of the prohibition relates to the permissive rule's (see the SPARQL twin).
WITH policy, prohibition, permissive,
  [(prohibition)-[:BEARER]->(t:Resource) | t] AS pBearers, [(permissive)-[:BEARER]->(t:Resource) | t] AS qBearers,
  [(prohibition)-[:ACTION]->(t:Resource) | t] AS pActions, [(permissive)-[:ACTION]->(t:Resource) | t] AS qActions,
  [(prohibition)-[:TARGET]->(t:Resource) | t] AS pTargets, [(permissive)-[:TARGET]->(t:Resource) | t] AS qTargets,
  [(prohibition)-[:COUNTERPARTY]->(t:Resource) | t] AS pCounterparties, [(permissive)-[:COUNTERPARTY]->(t:Resource) | t] AS qCounterparties,
  [(prohibition)-[:CONDITION]->(c:Resource) | c] AS pConditions, [(permissive)-[:CONDITION]->(c:Resource) | c] AS qConditions
WITH policy, prohibition, permissive, pConditions, qConditions,
  // Both rules have a bearer: each was found from one.
  CASE
    WHEN all(x IN pBearers WHERE any(y IN qBearers WHERE (x = y OR EXISTS { (x)-[:BROADER*1..]->(y) })))
      THEN CASE WHEN all(y IN qBearers WHERE any(x IN pBearers WHERE (y = x OR EXISTS { (y)-[:BROADER*1..]->(x) }))) THEN 'same' ELSE 'narrower' END
    WHEN all(y IN qBearers WHERE any(x IN pBearers WHERE (y = x OR EXISTS { (y)-[:BROADER*1..]->(x) }))) THEN 'broader'
    WHEN any(x IN pBearers WHERE any(y IN qBearers WHERE (x = y OR EXISTS { (x)-[:BROADER*1..]->(y) }) OR (y = x OR EXISTS { (y)-[:BROADER*1..]->(x) }))) THEN 'overlap'
    ELSE 'unknown'
  END AS bearer,
  CASE WHEN all(x IN pActions WHERE any(y IN qActions WHERE x = y OR EXISTS { (x)-[:BROADER*1..]->(y) }))
    THEN CASE WHEN any(x IN pActions WHERE x IN qActions) THEN 'same' ELSE 'narrower' END
    ELSE 'broader' END AS action,
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
WHERE target <> 'none' AND counterparty <> 'none'
  // Effective periods that never meet.
  AND NOT coalesce(prohibition.effectiveUntil < permissive.effectiveFrom, false)
  AND NOT coalesce(permissive.effectiveUntil < prohibition.effectiveFrom, false)
  // Conditions provably disjoint: audiences or jurisdictions with none in common (a condition naming several
  // reads as "any of them"), a circumstance and its negation, intervals of one quantity in one unit that do
  // not intersect, dated windows that do not meet. A negated condition proves nothing but against its own
  // circumstance, and a compound has none of these relationships: neither rules a pair out.
  AND NOT any(c1 IN pConditions WHERE any(c2 IN qConditions WHERE
        (NOT coalesce(c1.negated, false) AND NOT coalesce(c2.negated, false) AND (
        // Lists, not one pattern: a pattern matches each relationship once, so a condition shared by both
        // rules would find no audience in common with itself.
        (EXISTS { (c1)-[:AUDIENCE]->(:Resource) } AND EXISTS { (c2)-[:AUDIENCE]->(:Resource) }
          AND none(a1 IN [(c1)-[:AUDIENCE]->(a:Resource) | a] WHERE a1 IN [(c2)-[:AUDIENCE]->(a:Resource) | a]))
     OR (EXISTS { (c1)-[:JURISDICTION]->(:Resource) } AND EXISTS { (c2)-[:JURISDICTION]->(:Resource) }
          AND none(j1 IN [(c1)-[:JURISDICTION]->(j:Resource) | j] WHERE any(j2 IN [(c2)-[:JURISDICTION]->(j:Resource) | j] WHERE
                   j1 = j2 OR EXISTS { (j1)-[:BROADER*1..]->(j2) } OR EXISTS { (j2)-[:BROADER*1..]->(j1) })))
     OR (coalesce(c1.unit = c2.unit, c1.unit IS NULL AND c2.unit IS NULL) AND EXISTS { MATCH (c1)-[:QUANTITY]->(:Resource)<-[:QUANTITY]-(c2)
        WHERE coalesce(c1.maxInclusive, c1.maxExclusive) < coalesce(c2.minInclusive, c2.minExclusive)
           OR c1.maxExclusive = coalesce(c2.minInclusive, c2.minExclusive)
           OR c1.maxInclusive = c2.minExclusive
           OR coalesce(c2.maxInclusive, c2.maxExclusive) < coalesce(c1.minInclusive, c1.minExclusive)
           OR c2.maxExclusive = coalesce(c1.minInclusive, c1.minExclusive)
           OR c2.maxInclusive = c1.minExclusive })
     OR coalesce(c1.endDate < c2.startDate, false)
     OR coalesce(c2.endDate < c1.startDate, false)))
     OR EXISTS { MATCH (c1)-[:CIRCUMSTANCE]->(:Resource)<-[:CIRCUMSTANCE]-(c2)
                 WHERE coalesce(c1.negated, false) <> coalesce(c2.negated, false) }))

// The conditions one rule has and the other does not, compared by value: two nodes with the same kind,
// terms, bounds, unit, dates and negation are one condition.
WITH policy, prohibition, permissive, bearer, action, target, counterparty,
  [c1 IN pConditions WHERE NOT any(c2 IN qConditions WHERE (c1 = c2 OR (size(labels(c1)) = size(labels(c2)) AND all(l IN labels(c1) WHERE l IN labels(c2))
        AND all(k IN ['unit', 'minInclusive', 'minExclusive', 'maxInclusive', 'maxExclusive', 'startDate', 'endDate'] WHERE coalesce(c1[k] = c2[k], c1[k] IS NULL AND c2[k] IS NULL))
        AND coalesce(c1.negated, false) = coalesce(c2.negated, false)
        AND all(t IN [(c1)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|ANY_OF|ALL_OF|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]] WHERE t IN [(c2)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|ANY_OF|ALL_OF|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]])
        AND all(t IN [(c2)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|ANY_OF|ALL_OF|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]] WHERE t IN [(c1)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|ANY_OF|ALL_OF|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]]))))] AS pOwn,
  [c2 IN qConditions WHERE NOT any(c1 IN pConditions WHERE (c1 = c2 OR (size(labels(c1)) = size(labels(c2)) AND all(l IN labels(c1) WHERE l IN labels(c2))
        AND all(k IN ['unit', 'minInclusive', 'minExclusive', 'maxInclusive', 'maxExclusive', 'startDate', 'endDate'] WHERE coalesce(c1[k] = c2[k], c1[k] IS NULL AND c2[k] IS NULL))
        AND coalesce(c1.negated, false) = coalesce(c2.negated, false)
        AND all(t IN [(c1)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|ANY_OF|ALL_OF|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]] WHERE t IN [(c2)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|ANY_OF|ALL_OF|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]])
        AND all(t IN [(c2)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|ANY_OF|ALL_OF|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]] WHERE t IN [(c1)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|ANY_OF|ALL_OF|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]]))))] AS qOwn
WITH policy, prohibition, permissive, bearer, action, target, counterparty,
  // Conditions the graph cannot compare, among those the rules do not share: different circumstances, a
  // circumstance against any other kind of condition, different quantities, one quantity in different units
  // (or a unit on one side only), different named periods, a named period against dates; a compound or a
  // negated condition other than a circumstance's on either side.
  CASE WHEN any(c1 IN pOwn WHERE any(c2 IN qOwn WHERE
        EXISTS { MATCH (c1)-[:CIRCUMSTANCE]->(x1:Resource), (c2)-[:CIRCUMSTANCE]->(x2:Resource) WHERE x1 <> x2 }
     OR EXISTS { (c1)-[:CIRCUMSTANCE]->(:Resource) } <> EXISTS { (c2)-[:CIRCUMSTANCE]->(:Resource) }
     OR EXISTS { MATCH (c1)-[:QUANTITY]->(q1:Resource), (c2)-[:QUANTITY]->(q2:Resource) WHERE q1 <> q2 }
     OR (EXISTS { (c1)-[:QUANTITY]->(:Resource)<-[:QUANTITY]-(c2) } AND NOT coalesce(c1.unit = c2.unit, c1.unit IS NULL AND c2.unit IS NULL))
     OR EXISTS { MATCH (c1)-[:PERIOD]->(p1:Resource), (c2)-[:PERIOD]->(p2:Resource) WHERE p1 <> p2 }
     OR (EXISTS { (c1)-[:PERIOD]->(:Resource) } AND (c2.startDate IS NOT NULL OR c2.endDate IS NOT NULL))
     OR (EXISTS { (c2)-[:PERIOD]->(:Resource) } AND (c1.startDate IS NOT NULL OR c1.endDate IS NOT NULL))
     OR EXISTS { (c1)-[:ANY_OF|ALL_OF]->(:Resource) } OR EXISTS { (c2)-[:ANY_OF|ALL_OF]->(:Resource) }
     OR (coalesce(c1.negated, false) AND NOT EXISTS { (c1)-[:CIRCUMSTANCE]->(:Resource) })
     OR (coalesce(c2.negated, false) AND NOT EXISTS { (c2)-[:CIRCUMSTANCE]->(:Resource) })
     // A threshold on a rate set elsewhere (a per diem): its value is not in the graph.
     OR (EXISTS { (c1)-[:QUANTITY]->(:Resource)<-[:QUANTITY]-(c2) } AND (EXISTS { (c1)-[:RATE_REFERENCE]->(:Resource) } OR EXISTS { (c2)-[:RATE_REFERENCE]->(:Resource) }))))
    THEN 'possible' ELSE 'definite' END AS conditionsCertainty,
  // Conditions compared as sets, by value: the rule with more conditions is the more specific.
  CASE
    WHEN size(qOwn) = 0 THEN CASE WHEN size(pOwn) = 0 THEN 'same' ELSE 'narrower' END
    WHEN size(pOwn) = 0 THEN 'broader'
    ELSE 'overlap'
  END AS conditions
RETURN policy.uri AS policy, prohibition.uri AS prohibition, permissive.uri AS permissive,
  bearer, action, target, counterparty, conditions,
  CASE WHEN bearer = 'unknown' OR target = 'unknown' OR counterparty = 'unknown' OR conditionsCertainty = 'possible'
    THEN 'possible' ELSE 'definite' END AS certainty,
  // The nearest authority rank: the rule's own, else its instructing source's, else its section's, else the
  // enclosing sections' or the regulation's.
  coalesce(prohibition.authorityRank,
    head([(prohibition)-[:INSTRUCTED_BY]->(source:Resource) WHERE source.authorityRank IS NOT NULL | source.authorityRank]),
    reduce(best = null, found IN [path = (prohibition)-[:SECTION]->(:Resource)-[:PART_OF*0..4]->(ranked:Resource) WHERE ranked.authorityRank IS NOT NULL | [length(path), ranked.authorityRank]] |
      CASE WHEN best IS NULL OR found[0] < best[0] THEN found ELSE best END)[1]) AS prohibitionRank,
  coalesce(permissive.authorityRank,
    head([(permissive)-[:INSTRUCTED_BY]->(source:Resource) WHERE source.authorityRank IS NOT NULL | source.authorityRank]),
    reduce(best = null, found IN [path = (permissive)-[:SECTION]->(:Resource)-[:PART_OF*0..4]->(ranked:Resource) WHERE ranked.authorityRank IS NOT NULL | [length(path), ranked.authorityRank]] |
      CASE WHEN best IS NULL OR found[0] < best[0] THEN found ELSE best END)[1]) AS permissiveRank,
  toString(prohibition.effectiveFrom) AS prohibitionFrom,
  toString(permissive.effectiveFrom) AS permissiveFrom,
  EXISTS { (prohibition)-[:OVERRIDES]->(permissive) } AS prohibitionOverrides,
  EXISTS { (permissive)-[:OVERRIDES]->(prohibition) } AS permissiveOverrides,
  // The chain of command: the instructing source, hard limits, and whether a default yields to the other
  // rule's source (named by studio:overridableBy, or outranking one named).
  head([(prohibition)-[:INSTRUCTED_BY]->(source:Resource) | source.uri]) AS prohibitionSource,
  head([(permissive)-[:INSTRUCTED_BY]->(source:Resource) | source.uri]) AS permissiveSource,
  prohibition:HardLimit AS prohibitionHardLimit,
  permissive:HardLimit AS permissiveHardLimit,
  EXISTS { MATCH (prohibition:Default)-[:OVERRIDABLE_BY]->(allowed:Resource), (permissive)-[:INSTRUCTED_BY]->(source:Resource)
           WHERE source.authorityRank >= allowed.authorityRank AND source.authorityRank > 0 } AS prohibitionYields,
  EXISTS { MATCH (permissive:Default)-[:OVERRIDABLE_BY]->(allowed:Resource), (prohibition)-[:INSTRUCTED_BY]->(source:Resource)
           WHERE source.authorityRank >= allowed.authorityRank AND source.authorityRank > 0 } AS permissiveYields
ORDER BY policy, prohibition, permissive
