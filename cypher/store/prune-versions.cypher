// Keeps the $keep newest replaced versions of a policy (besides the current one) and deletes the older.
MATCH (v:_StudioVersion {policy: $policy})
WHERE v.sha256 <> $current
WITH v ORDER BY v.loadedAt DESC
SKIP $keep
DELETE v
