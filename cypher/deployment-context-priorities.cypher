// The order of priorities of each deployment context of a policy: one row per
// principle in its studio:priorities list, with its position (0 first).
// @param policy iri
MATCH (context:DeploymentContext)-[:DEPLOYS]->(:Resource {uri: $policy})
MATCH (context)-[:PRIORITIES]->(list)
MATCH path = (list)-[:rdf__rest*0..]->(node)-[:rdf__first]->(principle)
RETURN context.uri AS context, principle.uri AS principle, length(path) - 1 AS position
ORDER BY context, position
