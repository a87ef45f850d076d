// Generation relations of the provisions listed: the rows of generation-relations for those of a policy's
// provisions the table names only (selective regeneration reads again the rules a change affects).
// @param policy iri
// @param provisions table(provision iri)
UNWIND $provisions AS listed
MATCH (:Resource {uri: $policy})<-[:IN_POLICY]-(provision:Resource {uri: listed.provision})
MATCH (provision)-[r:BEARER|ACTION|TARGET|COUNTERPARTY|CONDITION|CHANNEL|EXPECTED_BEHAVIOUR|REFERS_TO|OVERRIDES|EXCEPTION_TO|DEFINES|INSTRUCTED_BY]->(value)
RETURN DISTINCT provision.uri AS provision,
       CASE type(r)
         WHEN 'EXPECTED_BEHAVIOUR' THEN 'behaviour'
         WHEN 'REFERS_TO' THEN 'refersTo'
         WHEN 'EXCEPTION_TO' THEN 'exceptionTo'
         WHEN 'INSTRUCTED_BY' THEN 'instructedBy'
         ELSE toLower(type(r))
       END AS relation,
       value.uri AS value
