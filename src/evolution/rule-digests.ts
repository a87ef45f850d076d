/**
 * A rule as a digest, and the rules a change affects. A rule's digest covers
 * its fields as the diff reads them (conditions by content) together with
 * the fields of its section (all but the section's source text, which
 * neither a scenario nor a grader reads) and of every term it names, so that
 * any edit `studio diff` would list for the rule, the number, title or place
 * of its section, or its terms changes the digest. An audit run keeps the digests of the version it audited; a
 * later run asked for what changed since then (`studio audit run
 * --only-affected --since <run>`) compares them with the loaded version's.
 */

import { createHash } from 'node:crypto';
import { dependentRules, type Dependent } from './impact.js';
import type { Entity, PolicySnapshot } from './snapshot.js';

/** Fields of a rule whose values are terms: the terms' own fields go into the rule's digest. */
const TERM_FIELDS = ['bearer', 'action', 'target', 'counterparty', 'channel', 'defines'] as const;

/** An entity's fields with sorted keys (values are sorted lists already), but for those left out. */
function canonical(entity: Entity | undefined, leftOut: readonly string[] = []): unknown {
  if (!entity) return null;
  return Object.keys(entity.fields)
    .filter((k) => !leftOut.includes(k))
    .sort()
    .map((k) => [k, entity.fields[k]]);
}

/**
 * Each provision's digest (SHA-256, hex), by IRI: of the JSON of [its fields,
 * [term, its fields] for each term it names, [section, its fields] for each
 * section]. Rules share their terms and sections, so the JSON of each is
 * made once and the rule's put together from the pieces (JSON.stringify of a
 * list is its items' JSON joined by commas, in brackets).
 */
export function ruleDigests(snapshot: PolicySnapshot): Map<string, string> {
  const digests = new Map<string, string>();
  const termJson = new Map<string, string>();
  const sectionJson = new Map<string, string>();
  const piece = (cache: Map<string, string>, iri: string, make: () => unknown) => {
    let json = cache.get(iri);
    if (json === undefined) cache.set(iri, (json = JSON.stringify([iri, make()])));
    return json;
  };
  for (const rule of snapshot.provisions.values()) {
    const terms = TERM_FIELDS.flatMap((f) => rule.fields[f] ?? []);
    const sections = rule.fields.section ?? [];
    const termPieces = [...new Set(terms)].sort().map((t) => piece(termJson, t, () => canonical(snapshot.terms.get(t))));
    const sectionPieces = sections.map((s) => piece(sectionJson, s, () => canonical(snapshot.sections.get(s), ['sourceText'])));
    const content = `[${JSON.stringify(canonical(rule))},[${termPieces.join(',')}],[${sectionPieces.join(',')}]]`;
    digests.set(rule.iri, createHash('sha256').update(content).digest('hex'));
  }
  return digests;
}

/** What changed between the digests of an earlier version and a snapshot of the current one. */
export interface AffectedRules {
  /** Rules of the current version that are new or whose digest differs. */
  readonly changed: readonly string[];
  /** Rules of the earlier version that are gone. */
  readonly removed: readonly string[];
  /** Rules unchanged themselves that depend on a changed or removed one (references, exceptions, overrides, notwithstanding, documented conflicts). */
  readonly dependents: readonly Dependent[];
  /** Every rule whose results cannot be carried over: changed, removed and dependents. */
  readonly all: ReadonlySet<string>;
}

/** The rules a change affects, from the earlier version's digests and the current version's snapshot. */
export function affectedRules(before: ReadonlyMap<string, string>, now: PolicySnapshot): AffectedRules {
  const digests = ruleDigests(now);
  const changed = [...digests].filter(([iri, digest]) => before.get(iri) !== digest).map(([iri]) => iri).sort();
  const removed = [...before.keys()].filter((iri) => !digests.has(iri)).sort();
  const dependents = dependentRules([now], [...changed, ...removed], (iri) => iri, new Set(digests.keys()));
  return { changed, removed, dependents, all: new Set([...changed, ...removed, ...dependents.map((d) => d.rule)]) };
}
