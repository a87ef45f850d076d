// Preferences recorded in the playground for a policy, oldest first: the
// question, the two models' answers (the model under audit first, the
// baseline second), which one the person preferred and why, who and when,
// and one row per rule the question touches (none: rule is unbound).
// @param policy iri
MATCH (preference:Preference)-[:prov__wasDerivedFrom]->(:Resource {uri: $policy})
MATCH (preference)-[:prov__wasAttributedTo]->(agent)
MATCH (preference)-[:FIRST_ANSWER]->(first)-[:prov__wasAttributedTo]->(firstAgent)
MATCH (preference)-[:SECOND_ANSWER]->(second)-[:prov__wasAttributedTo]->(secondAgent)
OPTIONAL MATCH (preference)-[:CONCERNS_RULE]->(rule)
RETURN DISTINCT preference.uri AS preference, preference.preferred AS preferred, preference.reason AS reason,
       preference.question AS question, preference.systemPrompt AS systemPrompt,
       agent.rdfs__label AS recordedBy, preference.prov__generatedAtTime AS recordedAt,
       first.model AS firstModel, firstAgent.endpoint AS firstEndpoint, first.responseText AS firstAnswer,
       second.model AS secondModel, secondAgent.endpoint AS secondEndpoint, second.responseText AS secondAnswer,
       rule.uri AS rule
ORDER BY datetime(recordedAt), preference, rule
