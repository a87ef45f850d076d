// Exceptions of a rule: the exceptions that qualify it, and the exceptions to
// those exceptions (depth 2 reinstates the rule), with their conditions.
// @param rule iri
MATCH (rule:Resource {uri: $rule})
CALL (rule) {
  MATCH (exception)-[:EXCEPTION_TO]->(rule)
  RETURN exception, rule AS exceptionTo, 1 AS depth
  UNION
  MATCH (exception)-[:EXCEPTION_TO]->(inner)-[:EXCEPTION_TO]->(rule)
  RETURN exception, inner AS exceptionTo, 2 AS depth
}
OPTIONAL MATCH (exception)-[:CONDITION]->(condition)
RETURN DISTINCT rule.uri AS rule, exception.uri AS exception, exceptionTo.uri AS exceptionTo, depth,
       exception.rdfs__label AS label, condition.uri AS condition
ORDER BY depth, exception, condition
