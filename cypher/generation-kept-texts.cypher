// Generation kept texts: the rendered texts of every item the policy's last
// generation run made (its turns as JSON, its reference answer, its rejected
// answer if any), for `studio generate --changed` to keep those of unaffected
// rules, and the activity that made it (a graph patched by `--changed` holds
// the activities of several versions). Paraphrases an augmented run made are
// listed too: no framer asks for their texts, and a patch removes them. One
// row per item.
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:prov__used]-(activity)<-[:prov__wasGeneratedBy]-(item)
WHERE (activity:GenerationActivity OR activity:AugmentationActivity) AND item.messages IS NOT NULL AND item.reference IS NOT NULL
RETURN DISTINCT item.uri AS item, toString(item.messages) AS messages, item.reference AS reference, item.rejected AS rejected, activity.uri AS activity
