// Keeps the source of a policy's version (the current one, then, once replaced, a kept one), by its SHA-256.
MERGE (v:_StudioVersion {sha256: $version.sha256})
SET v = $version
