// The registry of loaded graphs.
MATCH (g:_StudioGraph)
RETURN properties(g) AS graph
ORDER BY g.graph
