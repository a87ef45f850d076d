// The version of a graph registered now: its SHA-256 and the version it revised.
MATCH (g:_StudioGraph {graph: $graph})
RETURN g.sha256 AS sha256, g.revisionOf AS revisionOf
