/**
 * The semantic diff of two versions of a policy: provisions, sections and
 * terms added, removed, renamed (same content under a new IRI: one change,
 * not a removal and an addition) and changed field by field. Conditions are
 * compared by what they say, and references to a renamed term, section or
 * provision follow the rename, so renaming a term changes no rule.
 */

import type { Quad } from '@rdfjs/types';
import { PROVISION_LINKS, readSnapshot, type Entity, type Fields, type PolicySnapshot, type Rename } from './snapshot.js';

/** One field that differs: its values before and after (sorted), and which of them came and went. */
export interface FieldChange {
  readonly field: string;
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** An entity kept under its IRI whose fields changed. */
export interface Changed {
  readonly iri: string;
  readonly changes: readonly FieldChange[];
}

/** An entity found under a new IRI; `changes` lists what else changed with it (empty for a pure rename). */
export interface Renamed {
  readonly from: string;
  readonly to: string;
  readonly changes: readonly FieldChange[];
}

/** What came, went, moved and changed among one kind of entity, each list in IRI order. */
export interface EntityChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly renamed: readonly Renamed[];
  readonly changed: readonly Changed[];
}

export interface PolicyDiff {
  readonly old: { readonly policy: string | null; readonly provisions: number; readonly sections: number; readonly terms: number };
  readonly new: { readonly policy: string | null; readonly provisions: number; readonly sections: number; readonly terms: number };
  /** The policy's own title and version. */
  readonly policy: readonly FieldChange[];
  /** Rules, exceptions and definitions. */
  readonly rules: EntityChanges;
  readonly sections: EntityChanges;
  readonly terms: EntityChanges;
}

/** Compares two versions of a policy given as quads. */
export function diffPolicies(oldQuads: readonly Quad[], newQuads: readonly Quad[]): PolicyDiff {
  return diffSnapshots(readSnapshot(oldQuads), readSnapshot(newQuads), (rename) => readSnapshot(oldQuads, rename));
}

/**
 * The diff of two versions already read. `reread` reads the old version again with its IRIs of terms and
 * sections mapped onto the new version's; it is called only when some were renamed, so a caller comparing large
 * versions may drop the old quads and parse them again then.
 */
export function diffSnapshots(old: PolicySnapshot, after: PolicySnapshot, reread: (rename: Rename) => PolicySnapshot): PolicyDiff {
  let before = old;

  // Terms and sections first: rules point at them. Their renames are matched on fields that point at nothing renamed.
  const termRenames = matchRenames(before.terms, after.terms, [(f) => sig(f, ['type', 'label', 'altLabel', 'contactPoint', 'gerund', 'thirdPerson', 'plural', 'withObject']), (f) => sig(f, ['type', 'label'])]);
  const sectionRenames = matchRenames(before.sections, after.sections, [
    (f) => sig(f, ['number', 'title', 'label', 'sourceText', 'rank']),
    (f) => sig(f, ['number', 'title']),
    (f) => (f.sourceText?.length ? sig(f, ['sourceText']) : undefined),
  ]);
  const renamed = new Map([...termRenames, ...sectionRenames]);
  if (renamed.size > 0) before = reread((iri) => renamed.get(iri) ?? iri);

  const allFields = (f: Fields) => sig(f, Object.keys(f).sort());
  const core = (f: Fields) => sig(f, ['kind', 'text', 'bearer', 'action', 'target', 'counterparty', 'condition']);
  const ruleRenames = matchRenames(before.provisions, after.provisions, [allFields, core]);
  const mapLinks = (entity: Entity): Fields => {
    if (ruleRenames.size === 0) return entity.fields;
    const fields: Record<string, readonly string[]> = { ...entity.fields };
    for (const link of PROVISION_LINKS) if (fields[link]) fields[link] = [...new Set(fields[link].map((iri) => ruleRenames.get(iri) ?? iri))].sort();
    return fields;
  };

  return {
    old: counts(before),
    new: counts(after),
    policy: fieldChanges(before.metadata, after.metadata),
    rules: entityChanges(before.provisions, after.provisions, ruleRenames, mapLinks),
    sections: entityChanges(before.sections, after.sections, sectionRenames, (e) => e.fields),
    terms: entityChanges(before.terms, after.terms, termRenames, (e) => e.fields),
  };
}

/** True when the two versions differ in anything the diff compares. */
export function hasChanges(diff: PolicyDiff): boolean {
  return diff.policy.length > 0 || [diff.rules, diff.sections, diff.terms].some((c) => c.added.length + c.removed.length + c.renamed.length + c.changed.length > 0);
}

function counts(snapshot: PolicySnapshot) {
  return { policy: snapshot.policy, provisions: snapshot.provisions.size, sections: snapshot.sections.size, terms: snapshot.terms.size };
}

/** A signature of some fields; undefined (never matches) when every one of them is empty. */
function sig(fields: Fields, names: readonly string[]): string | undefined {
  if (names.every((n) => (fields[n]?.length ?? 0) === 0)) return undefined;
  return JSON.stringify(names.map((n) => fields[n] ?? []));
}

/**
 * Pairs entities gone from the old version with entities new in the other, by the first signature that
 * matches, tier by tier; several candidates with one signature pair in IRI order.
 */
function matchRenames(
  before: ReadonlyMap<string, Entity>,
  after: ReadonlyMap<string, Entity>,
  tiers: readonly ((fields: Fields) => string | undefined)[],
): Map<string, string> {
  const gone = [...before.keys()].filter((iri) => !after.has(iri)).sort();
  const arrived = new Set([...after.keys()].filter((iri) => !before.has(iri)).sort());
  const renames = new Map<string, string>();
  if (gone.length === 0 || arrived.size === 0) return renames;
  for (const tier of tiers) {
    const bySignature = new Map<string, string[]>();
    for (const iri of arrived) {
      const s = tier(after.get(iri)!.fields);
      if (s === undefined) continue;
      const list = bySignature.get(s);
      if (list) list.push(iri);
      else bySignature.set(s, [iri]);
    }
    for (const iri of gone) {
      if (renames.has(iri)) continue;
      const s = tier(before.get(iri)!.fields);
      const candidates = s === undefined ? undefined : bySignature.get(s);
      const to = candidates?.shift();
      if (to === undefined) continue;
      renames.set(iri, to);
      arrived.delete(to);
    }
  }
  return renames;
}

function entityChanges(
  before: ReadonlyMap<string, Entity>,
  after: ReadonlyMap<string, Entity>,
  renames: ReadonlyMap<string, string>,
  fieldsOf: (entity: Entity) => Fields,
): EntityChanges {
  const renamedTo = new Set(renames.values());
  const added = [...after.keys()].filter((iri) => !before.has(iri) && !renamedTo.has(iri)).sort();
  const removed = [...before.keys()].filter((iri) => !after.has(iri) && !renames.has(iri)).sort();
  const renamed = [...renames].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([from, to]) => ({ from, to, changes: fieldChanges(fieldsOf(before.get(from)!), fieldsOf(after.get(to)!)) }));
  const changed: Changed[] = [];
  for (const iri of [...before.keys()].sort()) {
    const next = after.get(iri);
    if (!next) continue;
    const changes = fieldChanges(fieldsOf(before.get(iri)!), fieldsOf(next));
    if (changes.length > 0) changed.push({ iri, changes });
  }
  return { added, removed, renamed, changed };
}

function fieldChanges(before: Fields, after: Fields): FieldChange[] {
  // Most entities are unchanged: compare without allocating, and build a change only where a field differs.
  const changes: FieldChange[] = [];
  for (const field in before) if (!same(before[field]!, after[field])) changes.push(fieldChange(field, before[field]!, after[field] ?? []));
  for (const field in after) if (!(field in before)) changes.push(fieldChange(field, [], after[field]!));
  return changes.length > 1 ? changes.sort((a, b) => (a.field < b.field ? -1 : 1)) : changes;
}

function same(a: readonly string[], b: readonly string[] | undefined): boolean {
  if (b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function fieldChange(field: string, before: readonly string[], after: readonly string[]): FieldChange {
  const bs = new Set(before);
  const as = new Set(after);
  return { field, before, after, added: after.filter((v) => !bs.has(v)), removed: before.filter((v) => !as.has(v)) };
}
