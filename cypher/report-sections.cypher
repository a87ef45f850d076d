// Report sections: the regulation a policy implements and each of its sections, with number, title, parent and own authority rank.
// A rule without a rank of its own takes the nearest one up this tree.
// @param policy iri
MATCH (:Resource {uri: $policy})-[:IMPLEMENTS]->(regulation)
OPTIONAL MATCH (regulation)<-[:PART_OF*1..]-(section:Section)
WITH regulation, collect(DISTINCT section) AS sections
UNWIND [regulation] + sections AS node
OPTIONAL MATCH (node)-[:PART_OF]->(parent)
RETURN DISTINCT node.uri AS node, node.number AS number, node.dcterms__title AS title, parent.uri AS parent, node.authorityRank AS rank
ORDER BY node
