// Forgets every version of a policy (the policy is being removed).
MATCH (v:_StudioVersion {policy: $policy})
DELETE v
