// Report rules: every rule and exception of a policy with its kind, label, text, section, own authority rank and effective dates.
// One row per provision (and per extra label or text, if any); the nearest rank comes from report-sections when the rule has none.
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:IN_POLICY]-(rule)
WHERE rule:Obligation OR rule:Prohibition OR rule:Permission OR rule:Recommendation OR rule:Exception
OPTIONAL MATCH (rule)-[:SECTION]->(section)
RETURN rule.uri AS rule, [k IN ['Obligation', 'Prohibition', 'Permission', 'Recommendation', 'Exception'] WHERE k IN labels(rule)][0] AS kind,
       rule.rdfs__label AS label, rule.text AS text, section.uri AS section, rule.authorityRank AS rank,
       toString(rule.effectiveFrom) AS effectiveFrom, toString(rule.effectiveUntil) AS effectiveUntil
ORDER BY rule
