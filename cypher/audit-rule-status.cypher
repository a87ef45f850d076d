// Each rule's status in two runs, where it changed: 'regression' when it
// passed in the first run and failed in the second, 'improvement' the other
// way. A rule fails in a run when a scenario testing it failed, and passes
// when every scenario testing it passed.
// A run's results are its own and those it carries over from earlier runs
// (studio:carriesOverFrom, studio:leavesOut): cypher/fragments/run-results.cypher and run-results-at.cypher.
// @param before iri
// @param after iri
MATCH (before:Resource {uri: $before})
// @include run-results(before, b)
MATCH (b)-[:TESTS_RULE]->(rule),
      (b)-[:earl__result]->()-[:earl__outcome]->(bo)
WITH rule, collect(bo.uri) AS beforeOutcomes
MATCH (after:Resource {uri: $after})
// The second run's results of each rule, from the rule: one rule at a time.
// @include run-results-at(after, rule, TESTS_RULE, a)
MATCH (a)-[:earl__result]->()-[:earl__outcome]->(ao)
WITH rule, beforeOutcomes, collect(ao.uri) AS afterOutcomes
WITH rule, size(beforeOutcomes) AS scenariosBefore, size(afterOutcomes) AS scenariosAfter,
     size([o IN beforeOutcomes WHERE o = 'http://www.w3.org/ns/earl#failed']) AS failedBefore,
     size([o IN beforeOutcomes WHERE o = 'http://www.w3.org/ns/earl#passed']) AS passedBefore,
     size([o IN afterOutcomes WHERE o = 'http://www.w3.org/ns/earl#failed']) AS failedAfter,
     size([o IN afterOutcomes WHERE o = 'http://www.w3.org/ns/earl#passed']) AS passedAfter
WITH rule, scenariosBefore, scenariosAfter, failedBefore, failedAfter,
     CASE WHEN passedBefore = scenariosBefore AND failedAfter > 0 THEN 'regression'
          WHEN failedBefore > 0 AND passedAfter = scenariosAfter THEN 'improvement' ELSE '' END AS change
WHERE change <> ''
RETURN rule.uri AS rule, change, failedBefore, failedAfter, scenariosBefore, scenariosAfter
ORDER BY change, rule
