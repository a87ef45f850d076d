// The replaced versions kept, of one policy or of all ($policy null), newest first, without their source.
MATCH (v:_StudioVersion)
WHERE $policy IS NULL OR v.policy = $policy
OPTIONAL MATCH (g:_StudioGraph {graph: v.policy})
WITH v, g
WHERE g IS NULL OR g.sha256 <> v.sha256
RETURN v {.policy, .sha256, .title, .source, .triples, .loadedAt, .loadedBy, .revisionOf} AS version
ORDER BY v.loadedAt DESC, v.policy
