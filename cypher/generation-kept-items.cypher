// Generation kept items: every item the policy's generated graph holds, with
// the activity that made it (a graph patched by `studio generate --changed`
// holds the activities of several versions), without its texts: what
// `--changed` needs to patch the graph when it takes the texts of the items
// it keeps from the earlier run's datasets. Paraphrases an augmented run made
// are listed too, for the patch to remove. One row per item.
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:prov__used]-(activity)<-[:prov__wasGeneratedBy]-(item)
WHERE activity:GenerationActivity OR activity:AugmentationActivity
RETURN DISTINCT item.uri AS item, activity.uri AS activity
