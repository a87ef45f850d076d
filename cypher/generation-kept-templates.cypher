// Generation kept templates: the templates the policy's last generation run
// followed, by id, with the content hash each had then; `studio generate
// --changed` renders again the items of a template whose content changed.
// With each, its IRI (its id and version), which a patch removes or keeps;
// the prompts of an augmented run too, which a patch removes.
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:prov__used]-(activity)-[:TEMPLATE]->(plan)
WHERE activity:GenerationActivity OR activity:AugmentationActivity
RETURN DISTINCT plan.rdfs__label AS template, plan.contentHash AS contentHash, plan.uri AS plan
ORDER BY template
