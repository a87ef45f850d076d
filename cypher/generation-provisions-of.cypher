// Generation provisions of the provisions listed: the rows of generation-provisions for those of a policy's
// provisions the table names only (selective regeneration reads again the rules a change affects).
// @param policy iri
// @param provisions table(provision iri)
UNWIND $provisions AS listed
MATCH (:Resource {uri: $policy})<-[:IN_POLICY]-(provision:Resource {uri: listed.provision})
UNWIND [kind IN ['Obligation', 'Prohibition', 'Permission', 'Recommendation', 'Exception', 'Definition'] WHERE kind IN labels(provision)] AS kind
OPTIONAL MATCH (provision)-[:SECTION]->(section)
RETURN provision.uri AS provision, kind, provision.rdfs__label AS label, provision.text AS text,
       section.uri AS section, section.number AS sectionNumber, section.dcterms__title AS sectionTitle
