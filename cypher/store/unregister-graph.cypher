// Forgets a graph's registry entry.
MATCH (g:_StudioGraph {graph: $graph})
DELETE g
RETURN count(g) AS removed
