/**
 * The impact of a change between two versions of a policy: the rules that
 * depend on a changed rule, found by a breadth-first walk of the dependency
 * graph of both versions, and the conflicts that appear, disappear or resolve
 * otherwise, found by running conflict detection on each version in an
 * embedded store opened on a temporary data folder.
 *
 * A rule depends on another when it refers to it, is an exception to it (and
 * a rule on its exceptions: its scope is drawn by them), overrides it (and
 * the overridden rule on the rule that overrides it), applies notwithstanding
 * it or its section, or is documented as conflicting with it.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Quad } from '@rdfjs/types';
import type { TurtleSource } from '../rdf/turtle.js';
import { EmbeddedStore } from '../store/oxigraph-store.js';
import { detectConflicts, type Certainty, type Conflict } from '../conflicts/detect.js';
import type { Principle } from '../conflicts/precedence.js';
import { diffPolicies, type PolicyDiff } from './diff.js';
import { readSnapshot, type PolicySnapshot } from './snapshot.js';

/** How a rule depends on another. */
export type Dependence = 'refersTo' | 'exceptionTo' | 'hasException' | 'overrides' | 'overriddenBy' | 'notwithstanding' | 'documentedConflict';

/** A rule the change touches without changing it: it depends on `on` (a changed rule or another dependent) by `via`, `depth` steps from a change. */
export interface Dependent {
  readonly rule: string;
  readonly on: string;
  readonly via: Dependence;
  readonly depth: number;
}

/** A conflict as detection resolves it in one version. */
export interface ConflictState {
  readonly certainty: Certainty;
  readonly principle: Principle | null;
  readonly winner: string | null;
}

/** A conflict (a modality conflict, or an exception against another prohibition) that appeared, disappeared or resolves otherwise. */
export interface ConflictChange {
  readonly change: 'appeared' | 'disappeared' | 'changed';
  readonly kind: 'conflict' | 'exception';
  /** IRIs of the new version (of the old one for a rule since removed). */
  readonly prohibition: string;
  readonly permissive: string;
  readonly before: ConflictState | null;
  readonly after: ConflictState | null;
}

export interface PolicyImpact {
  readonly diff: PolicyDiff;
  /** Rules added, removed, renamed (new IRI) or changed. */
  readonly changedRules: readonly string[];
  readonly dependents: readonly Dependent[];
  readonly conflicts: readonly ConflictChange[];
  readonly counts: {
    readonly changedRules: number;
    readonly dependents: number;
    readonly conflictsAppeared: number;
    readonly conflictsDisappeared: number;
    readonly conflictsChanged: number;
  };
}

/** One version: its Turtle (conflict detection loads it) and its quads (the diff reads them). */
export interface VersionInput {
  readonly source: TurtleSource;
  readonly quads: readonly Quad[];
}

/** The diff of two versions, what depends on what changed, and how their conflicts differ. */
export async function policyImpact(before: VersionInput, after: VersionInput, options: { precedence?: readonly Principle[] } = {}): Promise<PolicyImpact> {
  const diff = diffPolicies(before.quads, after.quads);
  const renames = new Map(diff.rules.renamed.map((r) => [r.from, r.to]));
  const changedRules = [...new Set([...diff.rules.added, ...diff.rules.removed, ...diff.rules.renamed.map((r) => r.to), ...diff.rules.changed.map((c) => c.iri)])].sort();
  const newSnapshot = readSnapshot(after.quads);
  const dependents = dependentRules([readSnapshot(before.quads), newSnapshot], changedRules, (iri) => renames.get(iri) ?? iri, new Set(newSnapshot.provisions.keys()));
  const conflicts = await conflictChanges(before.source, after.source, (iri) => renames.get(iri) ?? iri, options.precedence);
  return {
    diff,
    changedRules,
    dependents,
    conflicts,
    counts: {
      changedRules: changedRules.length,
      dependents: dependents.length,
      conflictsAppeared: conflicts.filter((c) => c.change === 'appeared').length,
      conflictsDisappeared: conflicts.filter((c) => c.change === 'disappeared').length,
      conflictsChanged: conflicts.filter((c) => c.change === 'changed').length,
    },
  };
}

/**
 * The rules that depend, directly or through other rules, on the changed ones: a breadth-first walk over the
 * dependency edges of every version given (IRIs mapped by `rename` onto the newest), keeping only rules in `kept`
 * (those of the new version). Each dependent is reached once, by its shortest path; ties go to the first edge in IRI order.
 */
export function dependentRules(versions: readonly PolicySnapshot[], changed: readonly string[], rename: (iri: string) => string, kept: ReadonlySet<string>): Dependent[] {
  const dependentsOf = new Map<string, Map<string, Dependence>>();
  const edge = (on: string, rule: string, via: Dependence) => {
    if (on === rule) return;
    const list = dependentsOf.get(on) ?? new Map<string, Dependence>();
    if (!list.has(rule)) list.set(rule, via);
    dependentsOf.set(on, list);
  };
  for (const version of versions) {
    // Sections and the rules they hold, subsections included, for "notwithstanding this part".
    const children = new Map<string, string[]>();
    for (const section of version.sections.values()) for (const parent of section.fields.partOf ?? []) children.set(parent, [...(children.get(parent) ?? []), section.iri]);
    const rulesIn = new Map<string, string[]>();
    for (const p of version.provisions.values()) for (const s of p.fields.section ?? []) rulesIn.set(s, [...(rulesIn.get(s) ?? []), rename(p.iri)]);
    const rulesUnder = (section: string, depth = 0): string[] =>
      depth > 64 ? [] : [...(rulesIn.get(section) ?? []), ...(children.get(section) ?? []).flatMap((c) => rulesUnder(c, depth + 1))];

    for (const p of version.provisions.values()) {
      const rule = rename(p.iri);
      for (const target of p.fields.refersTo ?? []) edge(rename(target), rule, 'refersTo');
      for (const base of p.fields.exceptionTo ?? []) {
        edge(rename(base), rule, 'exceptionTo');
        edge(rule, rename(base), 'hasException');
      }
      for (const other of p.fields.overrides ?? []) {
        edge(rename(other), rule, 'overrides');
        edge(rule, rename(other), 'overriddenBy');
      }
      for (const covered of p.fields.notwithstanding ?? []) {
        const targets = version.sections.has(covered) ? rulesUnder(covered) : [rename(covered)];
        for (const t of targets) edge(t, rule, 'notwithstanding');
      }
    }
    for (const pair of version.documentedConflicts) {
      for (const a of pair) for (const b of pair) if (a !== b) edge(rename(a), rename(b), 'documentedConflict');
    }
  }

  const seen = new Set(changed);
  const found: Dependent[] = [];
  let frontier = [...changed].sort();
  for (let depth = 1; frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const on of frontier) {
      const dependents = [...(dependentsOf.get(on) ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [rule, via] of dependents) {
        if (seen.has(rule)) continue;
        seen.add(rule);
        next.push(rule);
        if (kept.has(rule)) found.push({ rule, on, via, depth });
      }
    }
    frontier = next.sort();
  }
  return found;
}

/**
 * Runs conflict detection on each version, each in an embedded store of its own on a temporary data folder
 * (removed afterwards), and compares the conflicts found pair by pair, the old IRIs mapped by `rename`.
 */
export async function conflictChanges(before: TurtleSource, after: TurtleSource, rename: (iri: string) => string, precedence?: readonly Principle[]): Promise<ConflictChange[]> {
  const [old, next] = [await detectIn(before, precedence), await detectIn(after, precedence)];
  const renamed = new Map([...old].map(([, c]) => {
    const pair = { ...c, prohibition: rename(c.prohibition), permissive: rename(c.permissive) };
    return [pairKey(pair), pair] as const;
  }));
  const changes: ConflictChange[] = [];
  for (const [key, c] of next) {
    const was = renamed.get(key);
    if (!was) changes.push({ change: 'appeared', kind: c.kind, prohibition: c.prohibition, permissive: c.permissive, before: null, after: c.state });
    else if (was.state.certainty !== c.state.certainty || was.state.principle !== c.state.principle || (was.state.winner && rename(was.state.winner)) !== c.state.winner) {
      changes.push({ change: 'changed', kind: c.kind, prohibition: c.prohibition, permissive: c.permissive, before: { ...was.state, winner: was.state.winner && rename(was.state.winner) }, after: c.state });
    }
  }
  for (const [key, c] of renamed) if (!next.has(key)) changes.push({ change: 'disappeared', kind: c.kind, prohibition: c.prohibition, permissive: c.permissive, before: c.state, after: null });
  const order = { appeared: 0, disappeared: 1, changed: 2 };
  return changes.sort((a, b) => order[a.change] - order[b.change] || pairKey(a).localeCompare(pairKey(b)));
}

interface FoundConflict {
  readonly kind: 'conflict' | 'exception';
  readonly prohibition: string;
  readonly permissive: string;
  readonly state: ConflictState;
}

const pairKey = (c: { kind: string; prohibition: string; permissive: string }) => `${c.kind}\n${c.prohibition}\n${c.permissive}`;

async function detectIn(source: TurtleSource, precedence?: readonly Principle[]): Promise<Map<string, FoundConflict>> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-impact-'));
  const store = await EmbeddedStore.open({ dataDir });
  try {
    const loaded = await store.loadPolicy(source);
    const report = await detectConflicts(store, { policy: loaded.policy, ...(precedence ? { precedence } : {}) });
    const found = new Map<string, FoundConflict>();
    const add = (kind: FoundConflict['kind'], c: Conflict) => {
      const f = { kind, prohibition: c.prohibition, permissive: c.permissive, state: { certainty: c.certainty, principle: c.principle, winner: c.winner } };
      found.set(pairKey(f), f);
    };
    for (const c of report.conflicts) add('conflict', c);
    for (const c of report.exceptionConflicts) add('exception', c);
    return found;
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
