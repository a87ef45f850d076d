// Generation sections: the sections of the regulation a policy implements,
// with number, title, source text and parent, for section summaries.
// @param policy iri
MATCH (:Resource {uri: $policy})-[:IMPLEMENTS]->(regulation)<-[:PART_OF*1..]-(section:Section)
WITH DISTINCT section
OPTIONAL MATCH (section)-[:PART_OF]->(parent)
RETURN DISTINCT section.uri AS section, section.number AS number, section.dcterms__title AS title,
       section.sourceText AS sourceText, parent.uri AS parent
ORDER BY section
