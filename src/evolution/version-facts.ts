/**
 * What planning a selective regeneration reads of one version of a policy
 * (framers/selective.ts): its snapshot, each rule's digest, what every
 * generated item may say (the deployment contexts' personas and audiences,
 * the roles' labels), each subject's named conditions, and the subjects
 * that declare themselves in the policy. Read from the version's quads, at
 * about 0.4 s per 10,000 rules (parse, snapshot, digests).
 *
 * A version's facts are computed where it is parsed to be loaded
 * (validation/upload-check.ts preparePolicy) and kept by the embedded store
 * beside its source, gzipped JSON, with the fingerprint of the code that
 * computed them: `studio generate --changed` then reads the two versions it
 * compares as two small files instead of parsing both (the snapshot reader
 * and the digests are this folder's code, so a change of it counts), and
 * `studio audit run --since` takes the loaded version's snapshot and digests
 * from them rather than export the policy's graph. A store that keeps none,
 * facts of other code, or a file that does not read back whole, and the
 * version is read as before.
 */

import { gunzipSync, gzipSync } from 'node:zlib';
import type { Quad } from '@rdfjs/types';
import type { GraphStore, KeptFacts } from '../store/graph-store.js';
import type { TurtleSource } from '../rdf/turtle.js';
import { parseTurtle } from '../rdf/turtle.js';
import { RDF, RDFS, STUDIO } from '../vocabulary.js';
import { codeFingerprint } from '../code-fingerprint.js';
import { readSnapshot, type Entity, type PolicySnapshot } from './snapshot.js';
import { ruleDigests } from './rule-digests.js';

export interface VersionFacts {
  readonly snapshot: PolicySnapshot;
  /** Each provision's digest (rule-digests.ts). */
  readonly digests: ReadonlyMap<string, string>;
  /** What any generated item may say: each sorted and joined by newlines. */
  readonly globals: { readonly personas: string; readonly audiences: string; readonly roles: string };
  /** Each subject with named conditions (studio:condition), with their IRIs (or blank labels) sorted and joined by spaces. */
  readonly conditions: ReadonlyMap<string, string>;
  /** The subjects that say they are in the policy (studio:inPolicy). */
  readonly members: ReadonlySet<string>;
}

const [PERSONA, SERVES, TYPE, LABEL] = [`${STUDIO}persona`, `${STUDIO}serves`, `${RDF}type`, `${RDFS}label`];
const [ROLE, CONDITION, IN_POLICY] = [`${STUDIO}Role`, `${STUDIO}condition`, `${STUDIO}inPolicy`];

/** The fingerprint of the code facts are computed with: this folder's (src/code-fingerprint.ts). */
export function factsCode(): string {
  return codeFingerprint(import.meta.url);
}

/** A version's facts, from its quads; `policy` is its studio:Policy. */
export function versionFacts(quads: readonly Quad[], policy: string): VersionFacts {
  const snapshot = readSnapshot(quads);
  const personas = new Set<string>();
  const audiences = new Set<string>();
  const roles = new Set<string>();
  const named = new Map<string, string[]>();
  const members = new Set<string>();
  for (const q of quads) {
    const p = q.predicate.value;
    if (p === PERSONA) personas.add(q.object.value);
    else if (p === SERVES) audiences.add(q.object.value);
    else if (p === TYPE && q.object.value === ROLE) roles.add(q.subject.value);
    else if (p === CONDITION) {
      const list = named.get(q.subject.value);
      if (list) list.push(q.object.value);
      else named.set(q.subject.value, [q.object.value]);
    } else if (p === IN_POLICY && q.object.value === policy) members.add(q.subject.value);
  }
  // The roles' labels in a second pass: only the roles', not every subject's.
  const labels = new Set<string>();
  for (const q of quads) if (q.predicate.value === LABEL && roles.has(q.subject.value)) labels.add(q.object.value);
  const text = (values: ReadonlySet<string>) => [...values].sort().join('\n');
  return {
    snapshot,
    digests: ruleDigests(snapshot),
    globals: { personas: text(personas), audiences: text(audiences), roles: text(labels) },
    conditions: new Map([...named].map(([subject, list]) => [subject, list.sort().join(' ')])),
    members,
  };
}

/** Facts as kept: gzipped JSON (about 0.8 MB per 10,000 rules). */
export function encodeFacts(facts: VersionFacts): Uint8Array {
  const { snapshot: s } = facts;
  const json = JSON.stringify({
    snapshot: { policy: s.policy, metadata: s.metadata, provisions: [...s.provisions.values()], sections: [...s.sections.values()], terms: [...s.terms.values()], documentedConflicts: s.documentedConflicts },
    digests: [...facts.digests],
    globals: facts.globals,
    conditions: [...facts.conditions],
    members: [...facts.members],
  });
  return gzipSync(json, { level: 1 });
}

/** Facts back from their bytes; undefined for bytes that do not read back whole (damaged, cut short, another shape). */
export function decodeFacts(bytes: Uint8Array): VersionFacts | undefined {
  let value: Encoded;
  try {
    value = JSON.parse(gunzipSync(bytes).toString('utf8')) as Encoded;
  } catch {
    return undefined;
  }
  const s = value?.snapshot;
  const entities = (list: unknown) => Array.isArray(list) && list.every((e) => typeof e?.iri === 'string' && typeof e.fields === 'object' && e.fields !== null);
  if (!s || !entities(s.provisions) || !entities(s.sections) || !entities(s.terms) || !Array.isArray(s.documentedConflicts) || typeof s.metadata !== 'object') return undefined;
  if (!Array.isArray(value.digests) || !Array.isArray(value.conditions) || !Array.isArray(value.members) || typeof value.globals?.roles !== 'string') return undefined;
  const byIri = (list: readonly Entity[]) => new Map(list.map((e) => [e.iri, e]));
  return {
    snapshot: { policy: s.policy, metadata: s.metadata, provisions: byIri(s.provisions), sections: byIri(s.sections), terms: byIri(s.terms), documentedConflicts: s.documentedConflicts },
    digests: new Map(value.digests),
    globals: value.globals,
    conditions: new Map(value.conditions),
    members: new Set(value.members),
  };
}

interface Encoded {
  readonly snapshot: { policy: string | null; metadata: PolicySnapshot['metadata']; provisions: Entity[]; sections: Entity[]; terms: Entity[]; documentedConflicts: string[][] };
  readonly digests: [string, string][];
  readonly globals: VersionFacts['globals'];
  readonly conditions: [string, string][];
  readonly members: string[];
}

/** The facts to keep of a version just parsed, to hand the store with its triples. */
export function keptFacts(quads: readonly Quad[], policy: string): KeptFacts {
  return { code: factsCode(), bytes: encodeFacts(versionFacts(quads, policy)) };
}

/**
 * A version's facts: those the store kept when it was loaded, when it keeps
 * them and this code computed them; otherwise from its source (`source`
 * reads it, parsed here).
 */
export async function readVersionFacts(store: GraphStore, policy: string, sha256: string, source: () => Promise<TurtleSource | readonly Quad[]>): Promise<{ readonly facts: VersionFacts; readonly kept: boolean }> {
  const bytes = await store.readVersionFacts(policy, sha256, factsCode());
  const kept = bytes && decodeFacts(bytes);
  if (kept) return { facts: kept, kept: true };
  const read = await source();
  return { facts: versionFacts(Array.isArray(read) ? read : parseTurtle(read as TurtleSource), policy), kept: false };
}
