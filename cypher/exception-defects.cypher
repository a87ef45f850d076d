// Exception defects and duplicate rules, one row each: (defect, subject, related, detail).
// See the twin sparql/exception-defects.rq for what each defect means. An empty byPolicy means every policy.
// @param byPolicy string
CALL () {
  MATCH (subject:Exception)-[:IN_POLICY]->(policy:Resource)
  WHERE ($byPolicy = '' OR policy.uri = $byPolicy)
  OPTIONAL MATCH (subject)-[:EXCEPTION_TO]->(named:Resource)
  WITH subject, named
  WHERE named IS NULL OR NOT (named:Obligation OR named:Prohibition OR named:Permission OR named:Exception OR named:Definition)
  RETURN 'exception-to-nothing' AS defect, subject.uri AS subject, named.uri AS related, null AS detail
  UNION
  UNWIND [['BEARER', 'bearer'], ['ACTION', 'action'], ['TARGET', 'target'], ['COUNTERPARTY', 'counterparty']] AS dimension
  MATCH (subject:Exception)-[:IN_POLICY]->(policy:Resource), (subject)-[:EXCEPTION_TO]->(rule:Resource), (subject)-[narrowing]->(term:Resource)
  WHERE ($byPolicy = '' OR policy.uri = $byPolicy) AND type(narrowing) = dimension[0] AND EXISTS { (rule)-[:BEARER]->() }
    AND EXISTS { (rule)-[r]->() WHERE type(r) = dimension[0] }
    AND NOT EXISTS { MATCH (rule)-[r]->(ruleTerm:Resource) WHERE type(r) = dimension[0] AND (term = ruleTerm OR EXISTS { (term)-[:BROADER*1..]->(ruleTerm) }) }
  RETURN DISTINCT 'broader-than-rule' AS defect, subject.uri AS subject, rule.uri AS related, dimension[1] AS detail
  UNION
  MATCH (subject:Resource)-[:IN_POLICY]->(policy:Resource)
  WHERE ($byPolicy = '' OR policy.uri = $byPolicy) AND EXISTS { (subject)-[:EXCEPTION_TO*1..]->(subject) }
  RETURN 'cycle' AS defect, subject.uri AS subject, subject.uri AS related, 'exceptionTo' AS detail
  UNION
  MATCH (subject:Resource)-[:IN_POLICY]->(policy:Resource)
  WHERE ($byPolicy = '' OR policy.uri = $byPolicy) AND EXISTS { (subject)-[:OVERRIDES*1..]->(subject) }
  RETURN 'cycle' AS defect, subject.uri AS subject, subject.uri AS related, 'overrides' AS detail
  UNION
  MATCH (subject:Exception)-[:IN_POLICY]->(policy:Resource), (subject)-[:EXCEPTION_TO]->(exception:Exception)-[:EXCEPTION_TO]->(base:Resource)
  WHERE ($byPolicy = '' OR policy.uri = $byPolicy) AND base <> subject
  RETURN 'exception-to-exception' AS defect, subject.uri AS subject, base.uri AS related, exception.uri AS detail
  UNION
  MATCH (exception:Exception)-[:EXCEPTION_TO]->(subject:Resource)-[:IN_POLICY]->(policy:Resource)
  WHERE ($byPolicy = '' OR policy.uri = $byPolicy) AND EXISTS { (subject)-[:BEARER]->() }
    // Each condition e of the exception holds whenever some condition r of the rule does (see the SPARQL twin).
    AND all(e IN [(exception)-[:CONDITION]->(c:Resource) | c] WHERE any(r IN [(subject)-[:CONDITION]->(c:Resource) | c] WHERE
          r = e
       // A negated condition other than a circumstance's, or a compound, implies another only by being it.
       OR ((EXISTS { (r)-[:CIRCUMSTANCE]->(:Resource) } OR (NOT coalesce(r.negated, false) AND NOT coalesce(e.negated, false))) AND (
          (EXISTS { (r)-[:AUDIENCE]->(:Resource) } AND all(a IN [(r)-[:AUDIENCE]->(a:Resource) | a] WHERE a IN [(e)-[:AUDIENCE]->(b:Resource) | b]))
       OR (EXISTS { (r)-[:JURISDICTION]->(:Resource) } AND EXISTS { (e)-[:JURISDICTION]->(:Resource) }
           AND all(j IN [(r)-[:JURISDICTION]->(j:Resource) | j] WHERE any(k IN [(e)-[:JURISDICTION]->(k:Resource) | k] WHERE j = k OR EXISTS { (j)-[:BROADER*1..]->(k) })))
       OR (any(x IN [(r)-[:CIRCUMSTANCE]->(x:Resource) | x] WHERE x IN [(e)-[:CIRCUMSTANCE]->(y:Resource) | y])
           AND coalesce(r.negated, false) = coalesce(e.negated, false))
       OR (any(q IN [(r)-[:QUANTITY]->(q:Resource) | q] WHERE q IN [(e)-[:QUANTITY]->(p:Resource) | p])
           AND coalesce(r.unit = e.unit, r.unit IS NULL AND e.unit IS NULL)
           AND ((NOT EXISTS { (r)-[:RATE_REFERENCE]->(:Resource) } AND NOT EXISTS { (e)-[:RATE_REFERENCE]->(:Resource) })
                OR EXISTS { MATCH (r)-[:RATE_REFERENCE]->(:Resource)<-[:RATE_REFERENCE]-(e) WHERE coalesce(r.negated, false) = coalesce(e.negated, false) })
           AND (coalesce(e.minInclusive, e.minExclusive) IS NULL
                OR coalesce(r.minInclusive >= e.minInclusive, false) OR coalesce(r.minExclusive >= e.minInclusive, false)
                OR coalesce(r.minInclusive > e.minExclusive, false) OR coalesce(r.minExclusive >= e.minExclusive, false))
           AND (coalesce(e.maxInclusive, e.maxExclusive) IS NULL
                OR coalesce(r.maxInclusive <= e.maxInclusive, false) OR coalesce(r.maxExclusive <= e.maxInclusive, false)
                OR coalesce(r.maxInclusive < e.maxExclusive, false) OR coalesce(r.maxExclusive <= e.maxExclusive, false)))
       OR any(p IN [(r)-[:PERIOD]->(p:Resource) | p] WHERE p IN [(e)-[:PERIOD]->(o:Resource) | o])
       OR (NOT EXISTS { (e)-[:PERIOD]->(:Resource) } AND (e.startDate IS NOT NULL OR e.endDate IS NOT NULL)
           AND (e.startDate IS NULL OR coalesce(r.startDate >= e.startDate, false))
           AND (e.endDate IS NULL OR coalesce(r.endDate <= e.endDate, false)))))))
    // Narrows nothing: every bearer, action, target or counterparty it names repeats the rule's, term for term.
    AND all(dimension IN ['BEARER', 'ACTION', 'TARGET', 'COUNTERPARTY'] WHERE
          NOT EXISTS { (exception)-[x]->(:Resource) WHERE type(x) = dimension }
       OR (all(t IN [(exception)-[x]->(t:Resource) WHERE type(x) = dimension | t] WHERE t IN [(subject)-[y]->(u:Resource) WHERE type(y) = dimension | u])
           AND all(u IN [(subject)-[y]->(u:Resource) WHERE type(y) = dimension | u] WHERE u IN [(exception)-[x]->(t:Resource) WHERE type(x) = dimension | t])))
  RETURN 'fully-shadowed' AS defect, subject.uri AS subject, exception.uri AS related,
    'an exception whose conditions hold whenever the rule\'s do and which narrows nothing' AS detail
  UNION
  MATCH (related:Exception)-[:EXCEPTION_TO]->(subject:Resource)<-[:EXCEPTION_TO]-(other:Exception),
        (subject)-[:IN_POLICY]->(policy:Resource)
  WHERE related.uri < other.uri AND ($byPolicy = '' OR policy.uri = $byPolicy) AND EXISTS { (subject)-[:BEARER]->() }
    AND COUNT { (related)-[:CONDITION]->() } = 1 AND COUNT { (other)-[:CONDITION]->() } = 1
    AND NOT EXISTS { (related)-[:BEARER|ACTION|TARGET|COUNTERPARTY]->() }
    AND NOT EXISTS { (other)-[:BEARER|ACTION|TARGET|COUNTERPARTY]->() }
  MATCH (related)-[:CONDITION]->(c1:Resource), (other)-[:CONDITION]->(c2:Resource)
  WHERE all(c IN [c1, c2] WHERE NOT coalesce(c.negated, false) OR EXISTS { (c)-[:CIRCUMSTANCE]->(:Resource) })
  AND (EXISTS { MATCH (c1)-[:AUDIENCE]->(a1), (c2)-[:AUDIENCE]->(a2) WHERE a1 <> a2 }
     OR EXISTS { MATCH (c1)-[:CIRCUMSTANCE]->(:Resource)<-[:CIRCUMSTANCE]-(c2) WHERE coalesce(c1.negated, false) <> coalesce(c2.negated, false) }
     // On one quantity in one unit, an upper bound and a lower bound that leave no gap.
     OR (EXISTS { (c1)-[:QUANTITY]->(:Resource)<-[:QUANTITY]-(c2) } AND coalesce(c1.unit = c2.unit, c1.unit IS NULL AND c2.unit IS NULL)
         AND any(pair IN [[c1, c2], [c2, c1]] WHERE
               coalesce(pair[0].minInclusive, pair[0].minExclusive, pair[1].maxInclusive, pair[1].maxExclusive) IS NULL
           AND (coalesce(pair[0].maxInclusive >= coalesce(pair[1].minInclusive, pair[1].minExclusive), false)
             OR coalesce(pair[0].maxExclusive >= pair[1].minInclusive, false)
             OR coalesce(pair[0].maxExclusive > pair[1].minExclusive, false)))))
  RETURN 'fully-shadowed' AS defect, subject.uri AS subject, related.uri AS related,
    'two exceptions with complementary conditions, narrowing nothing' AS detail
  UNION
  MATCH (subject:Rule)-[:IN_POLICY]->(policy:Resource)<-[:IN_POLICY]-(related:Rule),
        (subject)-[:BEARER]->(bearer:Resource)<-[:BEARER]-(related),
        (subject)-[:ACTION]->(action:Resource)<-[:ACTION]-(related)
  WHERE subject.uri < related.uri AND ($byPolicy = '' OR policy.uri = $byPolicy)
    AND [label IN labels(subject) WHERE label IN ['Obligation', 'Prohibition', 'Permission', 'Recommendation']] = [label IN labels(related) WHERE label IN ['Obligation', 'Prohibition', 'Permission', 'Recommendation']]
    AND all(x IN [(subject)-[:TARGET]->(t) | t] WHERE EXISTS { (related)-[:TARGET]->(x) })
    AND all(x IN [(related)-[:TARGET]->(t) | t] WHERE EXISTS { (subject)-[:TARGET]->(x) })
    AND all(x IN [(subject)-[:COUNTERPARTY]->(t) | t] WHERE EXISTS { (related)-[:COUNTERPARTY]->(x) })
    AND all(x IN [(related)-[:COUNTERPARTY]->(t) | t] WHERE EXISTS { (subject)-[:COUNTERPARTY]->(x) })
    // The same source's instruction, or none: a rule the developer triggers is not the user's.
    AND all(x IN [(subject)-[:INSTRUCTED_BY]->(t) | t] WHERE EXISTS { (related)-[:INSTRUCTED_BY]->(x) })
    AND all(x IN [(related)-[:INSTRUCTED_BY]->(t) | t] WHERE EXISTS { (subject)-[:INSTRUCTED_BY]->(x) })
    // Conditions by value: two nodes with the same kind, terms, bounds, unit, dates and negation are one.
    AND all(a IN [(subject)-[:CONDITION]->(t) | t] WHERE any(b IN [(related)-[:CONDITION]->(t) | t] WHERE (a = b OR (size(labels(a)) = size(labels(b)) AND all(l IN labels(a) WHERE l IN labels(b))
        AND all(k IN ['unit', 'minInclusive', 'minExclusive', 'maxInclusive', 'maxExclusive', 'startDate', 'endDate'] WHERE coalesce(a[k] = b[k], a[k] IS NULL AND b[k] IS NULL))
        AND coalesce(a.negated, false) = coalesce(b.negated, false)
        AND all(t IN [(a)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|ANY_OF|ALL_OF|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]] WHERE t IN [(b)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|ANY_OF|ALL_OF|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]])
        AND all(t IN [(b)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|ANY_OF|ALL_OF|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]] WHERE t IN [(a)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|ANY_OF|ALL_OF|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]])))))
    AND all(b IN [(related)-[:CONDITION]->(t) | t] WHERE any(a IN [(subject)-[:CONDITION]->(t) | t] WHERE (a = b OR (size(labels(a)) = size(labels(b)) AND all(l IN labels(a) WHERE l IN labels(b))
        AND all(k IN ['unit', 'minInclusive', 'minExclusive', 'maxInclusive', 'maxExclusive', 'startDate', 'endDate'] WHERE coalesce(a[k] = b[k], a[k] IS NULL AND b[k] IS NULL))
        AND coalesce(a.negated, false) = coalesce(b.negated, false)
        AND all(t IN [(a)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|ANY_OF|ALL_OF|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]] WHERE t IN [(b)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|ANY_OF|ALL_OF|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]])
        AND all(t IN [(b)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|ANY_OF|ALL_OF|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]] WHERE t IN [(a)-[r:AUDIENCE|JURISDICTION|QUANTITY|PERIOD|CIRCUMSTANCE|ANY_OF|ALL_OF|RATE_REFERENCE]->(o:Resource) | [type(r), o.uri]])))))
  RETURN 'duplicate-rule' AS defect, subject.uri AS subject, related.uri AS related,
    'same kind, bearer, action, targets, counterparties and conditions' AS detail
}
RETURN defect, subject, related, detail
ORDER BY defect, subject, related
