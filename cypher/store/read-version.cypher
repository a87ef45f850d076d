// The source of one version of a policy, kept or current: contentGzip (base64 of its gzip), or content (the
// text itself, as versions kept by an older studio hold it).
MATCH (v:_StudioVersion {policy: $policy, sha256: $sha256})
RETURN v.content AS content, v.contentGzip AS contentGzip, v.source AS source, v.baseIri AS baseIri
