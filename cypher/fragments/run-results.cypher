// The results of a run that decide their scenarios: its own, and those it carries over from
// earlier runs (CARRIES_OVER_FROM, along a chain of any length) unless a run on the way leaves
// their scenario out (LEAVES_OUT), a reviewed one as decidesUnreviewed says (see
// src/auditors/to-rdf.ts). A subquery of the bound run, one row per result.
// @fragment run-results(run, result)
CALL (run) {
  MATCH (result:AuditResult {decisive: true})-[:prov__wasGeneratedBy]->(run)
  RETURN result
  UNION
  // A result the run carries over (in a chain), unless a run on the way leaves its scenario out.
  MATCH path = (run)-[:CARRIES_OVER_FROM*1..]->(source),
        (result:AuditResult)-[:prov__wasGeneratedBy]->(source), (result)-[:RAN_SCENARIO]->(carried)
  WHERE ((result.decisive AND EXISTS { (result)-[:earl__mode]->(:Resource {uri: 'http://www.w3.org/ns/earl#automatic'}) }) OR result.decidesUnreviewed)
    AND NONE(between IN nodes(path)[..-1] WHERE EXISTS { (between)-[:LEAVES_OUT]->(carried) })
  RETURN result
}
