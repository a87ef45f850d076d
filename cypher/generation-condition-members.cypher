// Generation condition members: the list of each compound condition a policy's provisions use (nested ones
// too), one row per member with its position (0 first) and how the list joins them (anyOf, allOf).
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:IN_POLICY]-()-[:CONDITION]->(top)
MATCH (top)-[:ANY_OF|ALL_OF|rdf__rest|rdf__first*0..]->(compound:CompoundCondition)
WITH DISTINCT compound
MATCH (compound)-[joined:ANY_OF|ALL_OF]->(list)
MATCH path = (list)-[:rdf__rest*0..]->(node)-[:rdf__first]->(member)
RETURN compound.uri AS compound, CASE type(joined) WHEN 'ANY_OF' THEN 'anyOf' ELSE 'allOf' END AS joinedBy,
       member.uri AS member, length(path) - 1 AS position
ORDER BY compound, position
