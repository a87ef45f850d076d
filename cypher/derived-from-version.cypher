// What the studio derived from a policy (generation activities, conflict detections, audit runs)
// and the version of the policy each worked from (studio:derivedFromVersion: the SHA-256 of its source).
// @param policy iri
MATCH (activity:Resource)-[:prov__used]->(:Resource {uri: $policy})
MATCH (activity)-[:DERIVED_FROM_VERSION]->(version:Resource)
UNWIND [label IN labels(activity) WHERE label IN ['GenerationActivity', 'ConflictDetection', 'AuditRun']] AS kind
RETURN activity.uri AS activity, kind, substring(version.uri, size('urn:studio:policy-version:')) AS version
ORDER BY kind, activity
