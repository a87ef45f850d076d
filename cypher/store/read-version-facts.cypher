// The facts kept with one version of a policy (base64 of their gzipped JSON), with the fingerprint of the code
// that computed them; null for a version loaded without them.
MATCH (v:_StudioVersion {policy: $policy, sha256: $sha256})
RETURN v.factsGzip AS facts, v.factsCode AS code
