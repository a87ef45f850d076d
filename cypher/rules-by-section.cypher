// Rules by section: the rules a section states, its subsections included.
// @param section iri
MATCH (section:Resource {uri: $section})
MATCH (rule:Rule)-[:SECTION]->(:Resource)-[:PART_OF*0..]->(section)
UNWIND [kind IN ['Obligation', 'Prohibition', 'Permission', 'Recommendation'] WHERE kind IN labels(rule)] AS kind
RETURN DISTINCT section.uri AS section, rule.uri AS rule, kind, rule.rdfs__label AS label, rule.text AS text
ORDER BY rule
