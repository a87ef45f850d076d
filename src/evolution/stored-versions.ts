/**
 * Versions of a policy the store keeps, as users name them: `IRI@<sha>` (the
 * SHA-256 of the version's source, or a prefix of it of at least 4 hex
 * digits, as git takes a commit's) and `IRI@current` for the version loaded
 * now. Read back as the Turtle they were loaded from.
 */

import type { GraphStore, LoadedPolicy } from '../store/graph-store.js';
import type { TurtleSource } from '../rdf/turtle.js';
import { PolicyNotLoadedError, VersionNotFoundError } from '../errors.js';

/** A version named by `current` or by its SHA-256 (or a prefix of at least 4 hex digits). */
export const VERSION_REF = /^(current|[0-9a-f]{4,64})$/;

/** Splits `IRI@ref` when it names a stored version: an absolute IRI, '@', then `current` or hex digits. */
export function parseStoredVersion(spec: string): { policy: string; ref: string } | undefined {
  const at = spec.lastIndexOf('@');
  if (at <= 0) return undefined;
  const [policy, ref] = [spec.slice(0, at), spec.slice(at + 1).toLowerCase()];
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"]+$/.test(policy) || !VERSION_REF.test(ref)) return undefined;
  return { policy, ref };
}

/** The current version and the kept ones of a policy, newest first; PolicyNotLoadedError when it is not loaded. */
export async function policyVersions(store: GraphStore, policy: string): Promise<{ current: LoadedPolicy; kept: LoadedPolicy[] }> {
  const policies = await store.listPolicies();
  const current = policies.find((p) => p.policy === policy);
  if (!current) throw new PolicyNotLoadedError(policy, policies.map((p) => p.policy));
  return { current, kept: await store.listVersions(policy) };
}

/** The version a ref names, with its source; VersionNotFoundError for none or a prefix shared by several. */
export async function readStoredVersion(store: GraphStore, policy: string, ref: string): Promise<{ version: LoadedPolicy; source: TurtleSource }> {
  const { current, kept } = await policyVersions(store, policy);
  const wanted = ref.toLowerCase();
  let version: LoadedPolicy;
  if (wanted === 'current') version = current;
  else {
    if (!VERSION_REF.test(wanted)) throw new VersionNotFoundError(policy, ref, "give 'current' or a SHA-256 (at least its first 4 hex digits)");
    const found = [current, ...kept].filter((v, i, all) => v.sha256.startsWith(wanted) && all.findIndex((w) => w.sha256 === v.sha256) === i);
    if (found.length === 0) throw new VersionNotFoundError(policy, ref, `no kept version has this SHA-256; 'studio versions --policy ${policy}' lists them`);
    if (found.length > 1) throw new VersionNotFoundError(policy, ref, `names ${found.length} versions (${found.map((v) => v.sha256.slice(0, 12)).join(', ')}); give more digits`);
    version = found[0]!;
  }
  const source = await store.readVersion(policy, version.sha256);
  // The store may have pruned it since it was listed (another process loaded meanwhile), or never kept the current one's source (Neo4j, loaded by an older studio).
  if (!source) throw new VersionNotFoundError(policy, ref, `the store keeps no source of version ${version.sha256.slice(0, 12)} (pruned meanwhile, or loaded by an older studio)`);
  return { version, source: { ...source, file: `${policy}@${version.sha256.slice(0, 12)}` } };
}
