// Generation relations: every link of a policy's provisions that generation
// uses, one row per (provision, relation, value): bearer, action, target,
// counterparty, condition, channel, behaviour, refersTo, overrides,
// exceptionTo, defines, instructedBy.
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:IN_POLICY]-(provision)
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
