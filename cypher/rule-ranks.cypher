// The precedence inputs of each rule of a policy, for ordering a policy pack:
// its nearest authority rank (the rule's own, else its section's, else the
// enclosing sections' or the regulation's) and its effective date.
// @param policy iri
MATCH (:Resource {uri: $policy})<-[:IN_POLICY]-(rule:Rule)
RETURN rule.uri AS rule,
  coalesce(rule.authorityRank,
    reduce(best = null, found IN [path = (rule)-[:SECTION]->(:Resource)-[:PART_OF*0..4]->(ranked:Resource) WHERE ranked.authorityRank IS NOT NULL | [length(path), ranked.authorityRank]] |
      CASE WHEN best IS NULL OR found[0] < best[0] THEN found ELSE best END)[1]) AS rank,
  CASE WHEN rule.effectiveFrom IS NULL THEN NULL ELSE toString(rule.effectiveFrom) END AS effectiveFrom
ORDER BY rule
