// Rules of a policy that no audit result tests, in any run recorded.
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:IN_POLICY]-(rule:Rule)
WHERE NOT EXISTS { MATCH (rule)<-[:TESTS_RULE]-(:AuditResult) }
RETURN rule.uri AS rule, [k IN ['Obligation', 'Prohibition', 'Permission', 'Recommendation'] WHERE k IN labels(rule)][0] AS kind
ORDER BY rule
