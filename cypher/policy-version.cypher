// The version a policy declares (studio:version), if any.
// @param policy iri
MATCH (policy:Policy {uri: $policy})
RETURN CASE WHEN policy.version IS NULL THEN NULL ELSE toString(policy.version) END AS version
