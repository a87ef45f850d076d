/**
 * Conflict detection: the conflicts named query finds the pairs, precedence
 * resolves them, and the policy's documented conflicts are checked against
 * what was found. Works on any GraphStore; the answers are the same on both.
 */

import { createHash } from 'node:crypto';
import type { GraphStore, Row } from '../store/graph-store.js';
import { PolicyNotLoadedError } from '../errors.js';
import { bearerPairs } from './bearer-pairs.js';
import { findDefects, type Defect } from './defects.js';
import { DEFAULT_PRECEDENCE, principleOf, resolve, type PairFacts, type Principle, type Relation } from './precedence.js';

export type Certainty = 'definite' | 'possible';
export type Dimension = 'bearer' | 'action' | 'target' | 'counterparty' | 'conditions';
export const DIMENSIONS: readonly Dimension[] = ['bearer', 'action', 'target', 'counterparty', 'conditions'];

/** A conflict between a prohibition and an obligation or permission, resolved or not. */
export interface Conflict {
  /** Content-addressed: the same pair in the same policy always gets the same IRI. */
  readonly iri: string;
  readonly policy: string;
  readonly prohibition: string;
  /** The obligation or permission. */
  readonly permissive: string;
  readonly certainty: Certainty;
  /** How the prohibition's bearer, action, ... relate to the other rule's. */
  readonly dimensions: Readonly<Record<Dimension, Relation>>;
  readonly principle: Principle | null;
  readonly winner: string | null;
  readonly reason: string | null;
  /** The documented conflict naming the same pair, if any. */
  readonly documented: DocumentedCheck | null;
}

/** An exception against a prohibition other than its own bases: the exception permits, within its scope, what the prohibition forbids. */
export interface ExceptionConflict extends Conflict {
  /** The exception's base prohibitions whose scope meets the prohibition, in IRI order. */
  readonly bases: readonly string[];
}

/** An exception that a provision applying notwithstanding exceptions sets aside (studio:notwithstanding). */
export interface OverriddenException {
  readonly policy: string;
  /** The provision that applies notwithstanding. */
  readonly provision: string;
  readonly exception: string;
  /** The exception's base that the provision covers (named, or in a section it names). */
  readonly base: string;
}

/** A documented conflict compared with what detection found. */
export interface DocumentedCheck {
  readonly iri: string;
  readonly label: string | null;
  readonly rules: readonly [string, string];
  readonly intendedWinner: string | null;
  readonly intendedPrinciple: Principle | null;
  /** 'agrees': found and resolved as documented; 'differs': found, resolved otherwise; 'missed': not found. */
  readonly status: 'agrees' | 'differs' | 'missed';
}

export interface ConflictReport {
  readonly policy: string | null;
  readonly precedence: readonly Principle[];
  readonly conflicts: readonly Conflict[];
  /** Every documented conflict of the policy, with how detection did on it. */
  readonly documented: readonly DocumentedCheck[];
  /** Exception defects and duplicate rules. */
  readonly defects: readonly Defect[];
  /**
   * Exceptions against other prohibitions, resolved by the same precedence. Listed apart from `conflicts`
   * (and outside the gate of failing()) so that existing policies keep their verdict while their authors
   * review them.
   */
  readonly exceptionConflicts: readonly ExceptionConflict[];
  /** Each exception a notwithstanding provision sets aside, with the base it covers. */
  readonly overriddenExceptions: readonly OverriddenException[];
  /**
   * queryMs: the bearer pairs and the conflicts query; defectsMs: the documented-conflicts and exception-defects queries;
   * exceptionsMs: the exception-conflicts and exceptions-overridden queries; resolveMs: precedence.
   */
  readonly timings: { readonly queryMs: number; readonly defectsMs: number; readonly exceptionsMs: number; readonly resolveMs: number };
}

export interface DetectOptions {
  /** Only this policy's rules; all loaded policies when omitted. */
  readonly policy?: string;
  readonly precedence?: readonly Principle[];
}

/** Finds the modality conflicts of one policy (or all), resolves them, and checks the documented ones. */
export async function detectConflicts(store: GraphStore, options: DetectOptions = {}): Promise<ConflictReport> {
  if (options.policy !== undefined) {
    const loaded = (await store.listPolicies()).map((p) => p.policy);
    if (!loaded.includes(options.policy)) throw new PolicyNotLoadedError(options.policy, loaded);
  }
  const precedence = options.precedence ?? DEFAULT_PRECEDENCE;
  const byPolicy = options.policy ?? '';
  const started = performance.now();
  const rows = await candidateConflicts(store, byPolicy);
  const queried = performance.now();
  const documentedRows = await store.namedQuery('documented-conflicts', { byPolicy });
  const defects = await findDefects(store, options.policy);
  const defectsFound = performance.now();
  const exceptionRows = await store.namedQuery('exception-conflicts', { byPolicy });
  const overriddenRows = await store.namedQuery('exceptions-overridden', { byPolicy });
  const exceptionsQueried = performance.now();

  const documentedByPair = new Map(documentedRows.map((r) => [pairKey(String(r.first), String(r.second)), r]));
  const checks: DocumentedCheck[] = [];
  const conflicts = rows.map((row) => {
    const facts = factsOf(row);
    const resolution = resolve(facts, precedence);
    const prohibition = String(row.prohibition);
    const permissive = String(row.permissive);
    const documentedRow = documentedByPair.get(pairKey(prohibition, permissive));
    let documented: DocumentedCheck | null = null;
    if (documentedRow) {
      const check = documentedCheck(documentedRow, resolution ? { winner: resolution.winner, principle: resolution.principle } : null);
      documentedByPair.delete(pairKey(prohibition, permissive));
      checks.push(check);
      documented = check;
    }
    const conflict: Conflict = {
      iri: conflictIri(String(row.policy), prohibition, permissive),
      policy: String(row.policy),
      prohibition,
      permissive,
      certainty: row.certainty === 'possible' ? 'possible' : 'definite',
      dimensions: facts.dimensions,
      principle: resolution?.principle ?? null,
      winner: resolution?.winner ?? null,
      reason: resolution?.reason ?? null,
      documented,
    };
    return conflict;
  });
  for (const row of documentedByPair.values()) checks.push(documentedCheck(row, undefined));
  checks.sort((a, b) => a.iri.localeCompare(b.iri));
  const overriddenExceptions: OverriddenException[] = overriddenRows.map((r) => ({
    policy: String(r.policy),
    provision: String(r.provision),
    exception: String(r.exception),
    base: String(r.base),
  }));
  const exceptionConflicts = exceptionConflictsOf(exceptionRows, overriddenExceptions, precedence);
  return {
    policy: options.policy ?? null,
    precedence,
    conflicts,
    documented: checks,
    defects,
    exceptionConflicts,
    overriddenExceptions,
    timings: {
      queryMs: Math.round(queried - started),
      defectsMs: Math.round(defectsFound - queried),
      exceptionsMs: Math.round(exceptionsQueried - defectsFound),
      resolveMs: Math.round(performance.now() - exceptionsQueried),
    },
  };
}

/**
 * One conflict per (prohibition, exception) from the exception-conflicts rows (one per base): definite when
 * some base's scope makes it so, else the first base's row; the prohibition applies notwithstanding the
 * exception when it covers one of the exception's bases.
 */
function exceptionConflictsOf(rows: readonly Row[], overridden: readonly OverriddenException[], precedence: readonly Principle[]): ExceptionConflict[] {
  const byPair = new Map<string, Row[]>();
  for (const row of rows) {
    const key = `${String(row.policy)}\n${String(row.prohibition)}\n${String(row.permissive)}`;
    byPair.set(key, [...(byPair.get(key) ?? []), row]);
  }
  const setAside = new Set(overridden.map((o) => `${o.policy}\n${o.provision}\n${o.exception}`));
  return [...byPair.entries()].map(([key, pairRows]) => {
    const row = pairRows.find((r) => r.certainty === 'definite') ?? pairRows[0]!;
    const facts = factsOf(row);
    const withNotwithstanding: PairFacts = { ...facts, first: { ...facts.first, notwithstanding: setAside.has(key) } };
    const resolution = resolve(withNotwithstanding, precedence);
    return {
      iri: conflictIri(String(row.policy), String(row.prohibition), String(row.permissive)),
      policy: String(row.policy),
      prohibition: String(row.prohibition),
      permissive: String(row.permissive),
      bases: [...new Set(pairRows.map((r) => String(r.base)))].sort(),
      certainty: row.certainty === 'possible' ? 'possible' : 'definite',
      dimensions: facts.dimensions,
      principle: resolution?.principle ?? null,
      winner: resolution?.winner ?? null,
      reason: resolution?.reason ?? null,
      documented: null,
    };
  });
}

/** Conflicts no principle resolves. */
export function unresolved(report: ConflictReport): Conflict[] {
  return report.conflicts.filter((c) => c.winner === null);
}

/** True when the report should fail a gate: unresolved conflicts, documented ones missed or resolved otherwise, defects that are errors. */
export function failing(report: ConflictReport): boolean {
  return unresolved(report).length > 0 || report.documented.some((d) => d.status !== 'agrees') || report.defects.some((d) => d.severity === 'error');
}

/**
 * The rows of the conflicts query for a policy ('' for all): the pairs of rules that collide, with how their
 * dimensions relate. The query takes the bearers no declared disjointness separates (bearer-pairs.ts).
 */
export async function candidateConflicts(store: GraphStore, byPolicy: string): Promise<Row[]> {
  return store.namedQuery('conflicts', { byPolicy, bearers: await bearerPairs(store) });
}

/** The IRI of the conflict between two rules of a policy. */
export function conflictIri(policy: string, prohibition: string, permissive: string): string {
  return `urn:studio:conflict:${createHash('sha256').update(`${policy}\n${prohibition}\n${permissive}`).digest('hex').slice(0, 32)}`;
}

/** The precedence inputs of one row of the conflicts query. */
export function factsOf(row: Row): PairFacts {
  const relation = (value: unknown): Relation => {
    if (value === 'same' || value === 'narrower' || value === 'broader' || value === 'overlap' || value === 'unknown') return value;
    throw new Error(`internal: the conflicts query returned the relation ${String(value)}`);
  };
  const rank = (value: unknown) => (value === null || value === undefined || value === '' ? null : Number(value));
  const date = (value: unknown) => (value === null || value === undefined || value === '' ? null : String(value));
  return {
    first: {
      rule: String(row.prohibition),
      rank: rank(row.prohibitionRank),
      effectiveFrom: date(row.prohibitionFrom),
      overridesOther: row.prohibitionOverrides === true,
      instructedBy: row.prohibitionSource === null || row.prohibitionSource === undefined ? null : String(row.prohibitionSource),
      hardLimit: row.prohibitionHardLimit === true,
      yieldsToOther: row.prohibitionYields === true,
    },
    second: {
      rule: String(row.permissive),
      rank: rank(row.permissiveRank),
      effectiveFrom: date(row.permissiveFrom),
      overridesOther: row.permissiveOverrides === true,
      instructedBy: row.permissiveSource === null || row.permissiveSource === undefined ? null : String(row.permissiveSource),
      hardLimit: row.permissiveHardLimit === true,
      yieldsToOther: row.permissiveYields === true,
    },
    dimensions: {
      bearer: relation(row.bearer),
      action: relation(row.action),
      target: relation(row.target),
      counterparty: relation(row.counterparty),
      conditions: relation(row.conditions),
    },
  };
}

/** Compares a documented conflict with the resolution found (null: found, unresolved; undefined: not found). */
function documentedCheck(row: Row, found: { winner: string; principle: Principle } | null | undefined): DocumentedCheck {
  const intendedWinner = row.intendedWinner === null ? null : String(row.intendedWinner);
  const intendedPrinciple = row.intendedPrinciple === null ? null : (principleOf(String(row.intendedPrinciple)) ?? null);
  const agrees =
    found !== undefined &&
    (found === null
      ? intendedWinner === null
      : (intendedWinner === null || intendedWinner === found.winner) && (intendedPrinciple === null || intendedPrinciple === found.principle));
  return {
    iri: String(row.conflict),
    label: row.label === null ? null : String(row.label),
    rules: [String(row.first), String(row.second)],
    intendedWinner,
    intendedPrinciple,
    status: found === undefined ? 'missed' : agrees ? 'agrees' : 'differs',
  };
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\n${b}` : `${b}\n${a}`;
}
