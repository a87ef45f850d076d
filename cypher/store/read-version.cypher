// The source of one version of a policy, kept or current.
MATCH (v:_StudioVersion {policy: $policy, sha256: $sha256})
RETURN v.content AS content, v.source AS source, v.baseIri AS baseIri
