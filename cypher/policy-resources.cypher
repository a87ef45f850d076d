// The resources each loaded policy other than the given one describes: the IRIs that are subjects of its triples.
// @param policy iri
MATCH (owner:Policy)
WHERE owner.uri <> $policy AND owner.graph = owner.uri
MATCH (resource:Resource {graph: owner.uri})
WHERE NOT resource.uri STARTS WITH 'bnode://'
RETURN DISTINCT owner.uri AS owner, resource.uri AS resource
