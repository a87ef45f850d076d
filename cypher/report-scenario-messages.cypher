// Report scenario messages: the conversation of every scenario (generated or
// imported) derived from a provision of a policy, so that a report shows what
// was asked, not only its hash. One row per scenario.
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:IN_POLICY]-(rule)<-[:prov__wasDerivedFrom]-(scenario)
WHERE scenario.messages IS NOT NULL
RETURN DISTINCT scenario.uri AS scenario, toString(scenario.messages) AS messages
ORDER BY scenario
