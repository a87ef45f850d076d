// Generation kept texts: the rendered texts of every item the policy's last
// generation run made (its turns as JSON, its reference answer, its rejected
// answer if any), for `studio generate --changed` to keep those of unaffected
// rules. One row per item.
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:prov__used]-(activity:GenerationActivity)<-[:prov__wasGeneratedBy]-(item)
WHERE item.messages IS NOT NULL AND item.reference IS NOT NULL
RETURN DISTINCT item.uri AS item, toString(item.messages) AS messages, item.reference AS reference, item.rejected AS rejected
