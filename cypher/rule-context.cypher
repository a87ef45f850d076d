// Rule context: everything generation needs to know about one rule, as one
// row per (relation, value): bearer, action, target, counterparty, condition,
// channel, behaviour, section, exception, definition, refersTo, overrides.
// @param rule iri
MATCH (rule:Resource {uri: $rule})
CALL (rule) {
  MATCH (rule)-[r:BEARER|ACTION|TARGET|COUNTERPARTY|CONDITION|CHANNEL|EXPECTED_BEHAVIOUR|SECTION|REFERS_TO|OVERRIDES]->(value)
  RETURN CASE type(r)
      WHEN 'EXPECTED_BEHAVIOUR' THEN 'behaviour'
      WHEN 'REFERS_TO' THEN 'refersTo'
      ELSE toLower(type(r))
    END AS relation, value
  UNION
  MATCH (value)-[:EXCEPTION_TO]->(rule)
  RETURN 'exception' AS relation, value
  UNION
  MATCH (rule)-[:BEARER|ACTION|TARGET|COUNTERPARTY]->(term)<-[:DEFINES]-(value)
  RETURN 'definition' AS relation, value
}
RETURN DISTINCT rule.uri AS rule, relation, value.uri AS value, coalesce(value.rdfs__label, value.dcterms__title) AS label
ORDER BY relation, value
