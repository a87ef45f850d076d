// Generation conditions: every condition a policy's provisions use, with its
// kind and parameters (threshold bounds and unit, period or dates,
// circumstance and negation, audience, jurisdiction, rate), one row per condition; the members of compound
// conditions (studio:anyOf, studio:allOf, nested) too, so that a compound's facts can state them.
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:IN_POLICY]-()-[:CONDITION]->(top)
MATCH (top)-[:ANY_OF|ALL_OF|rdf__rest|rdf__first*0..]->(condition:Condition)
WITH DISTINCT condition
UNWIND [type IN ['AudienceCondition', 'JurisdictionCondition', 'ThresholdCondition', 'TimeWindowCondition', 'CircumstanceCondition', 'CompoundCondition'] WHERE type IN labels(condition)] AS type
OPTIONAL MATCH (condition)-[:QUANTITY]->(quantity)
OPTIONAL MATCH (condition)-[:PERIOD]->(period)
OPTIONAL MATCH (condition)-[:CIRCUMSTANCE]->(circumstance)
OPTIONAL MATCH (condition)-[:AUDIENCE]->(audience)
OPTIONAL MATCH (condition)-[:JURISDICTION]->(jurisdiction)
OPTIONAL MATCH (condition)-[:RATE_REFERENCE]->(rate)
RETURN condition.uri AS condition, type, condition.rdfs__label AS label, quantity.uri AS quantity,
       condition.minInclusive AS minInclusive, condition.minExclusive AS minExclusive,
       condition.maxInclusive AS maxInclusive, condition.maxExclusive AS maxExclusive, condition.unit AS unit,
       period.uri AS period, condition.startDate AS startDate, condition.endDate AS endDate,
       circumstance.uri AS circumstance, condition.negated AS negated, audience.uri AS audience, jurisdiction.uri AS jurisdiction, rate.uri AS rate
ORDER BY condition
