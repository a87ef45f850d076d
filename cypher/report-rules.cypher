// Report rules: every rule and exception of a policy with its kind, label, text, section, own authority rank and effective dates.
// One row per provision (and per extra label or text, if any); the nearest rank comes from report-sections when the rule has none.
// sourceRank: the highest rank of the message sources whose instruction triggers the rule (studio:instructedBy), which comes
// before its section's.
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:IN_POLICY]-(rule)
WHERE rule:Obligation OR rule:Prohibition OR rule:Permission OR rule:Recommendation OR rule:Exception
OPTIONAL MATCH (rule)-[:SECTION]->(section)
RETURN rule.uri AS rule, [k IN ['Obligation', 'Prohibition', 'Permission', 'Recommendation', 'Exception'] WHERE k IN labels(rule)][0] AS kind,
       rule.rdfs__label AS label, rule.text AS text, section.uri AS section, rule.authorityRank AS rank,
       reduce(m = null, r IN [(rule)-[:INSTRUCTED_BY]->(source:Resource) WHERE source.authorityRank IS NOT NULL | source.authorityRank] |
         CASE WHEN m IS NULL OR r > m THEN r ELSE m END) AS sourceRank,
       toString(rule.effectiveFrom) AS effectiveFrom, toString(rule.effectiveUntil) AS effectiveUntil
ORDER BY rule
