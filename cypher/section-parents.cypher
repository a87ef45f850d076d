// Section parents: each resource and what it is part of (studio:partOf: a section in its parent section or its regulation), in every loaded policy.
// GET /v1/rules finds what lies within a section from these, to filter the rule index by section.
MATCH (section:Resource)-[:PART_OF]->(parent:Resource)
RETURN section.uri AS section, parent.uri AS parent
