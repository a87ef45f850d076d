// Rule summary: how many rules each policy states, by section and kind.
MATCH (rule:Rule)-[:IN_POLICY]->(policy)
MATCH (rule)-[:SECTION]->(section)
UNWIND [kind IN ['Obligation', 'Prohibition', 'Permission', 'Recommendation'] WHERE kind IN labels(rule)] AS kind
RETURN policy.uri AS policy, policy.dcterms__title AS policyTitle, section.uri AS section,
       section.number AS sectionNumber, section.dcterms__title AS sectionTitle, kind, count(DISTINCT rule) AS rules
ORDER BY policy, section, kind
