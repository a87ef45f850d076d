// Deployment contexts of a policy: label, the audience served, the persona, and
// each condition the context assumes with, for audience conditions, its audience.
// @param policy iri
MATCH (context:DeploymentContext)-[:DEPLOYS]->(:Resource {uri: $policy})
OPTIONAL MATCH (context)-[:SERVES]->(audience)
OPTIONAL MATCH (context)-[:ASSUMES]->(assumes)
OPTIONAL MATCH (assumes:AudienceCondition)-[:AUDIENCE]->(assumedAudience)
RETURN context.uri AS context, context.rdfs__label AS label, audience.uri AS audience, context.persona AS persona,
       assumes.uri AS assumes, assumedAudience.uri AS assumedAudience
ORDER BY context, assumes
