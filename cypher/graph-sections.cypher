// Graph sections: the sections of a policy that hold its provisions, with how many rules and exceptions each holds itself
// (the graph view's overview draws one node per section).
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:IN_POLICY]-(provision)-[:SECTION]->(section)
WITH section, provision,
     any(kind IN ['Obligation', 'Prohibition', 'Permission', 'Recommendation'] WHERE kind IN labels(provision)) AS isRule,
     'Exception' IN labels(provision) AS isException
WHERE isRule OR isException
RETURN section.uri AS section, count(DISTINCT CASE WHEN isRule THEN provision END) AS rules,
       count(DISTINCT CASE WHEN isException THEN provision END) AS exceptions
ORDER BY section
