// Bearer ancestry: each term a rule names as its bearer, each of its ancestors (itself included, through
// studio:broader), and each term declared disjoint with that ancestor (studio:disjointWith, either way; null
// when none), over every loaded policy. The twin of sparql/bearer-ancestry.rq.
MATCH ()-[:BEARER]->(bearer:Resource)
WITH DISTINCT bearer
MATCH (bearer)-[:BROADER*0..]->(ancestor:Resource)
OPTIONAL MATCH (ancestor)-[:DISJOINT_WITH]-(disjoint:Resource)
RETURN DISTINCT bearer.uri AS bearer, ancestor.uri AS ancestor, disjoint.uri AS disjoint
