// Generation provisions: every rule, exception and definition of a policy, one
// row each, with its kind, label, text and section, for the framers to walk.
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:IN_POLICY]-(provision)
UNWIND [kind IN ['Obligation', 'Prohibition', 'Permission', 'Recommendation', 'Exception', 'Definition'] WHERE kind IN labels(provision)] AS kind
OPTIONAL MATCH (provision)-[:SECTION]->(section)
RETURN provision.uri AS provision, kind, provision.rdfs__label AS label, provision.text AS text,
       section.uri AS section, section.number AS sectionNumber, section.dcterms__title AS sectionTitle
