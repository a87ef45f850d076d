// Records a loaded graph and what it was loaded from.
MERGE (g:_StudioGraph {graph: $graph})
SET g = $meta, g.graph = $graph
