/**
 * Two runs side by side, from the graph: every scenario both ran sorted into
 * four buckets — both comply, only the first, only the second, both fail —
 * (the red-teaming view of an aligned model against an unaligned one, or of
 * a model before and after training), and each rule whose status changed
 * between them (audit-rule-status: regressions and improvements).
 */

import type { GraphStore } from '../store/graph-store.js';
import { AuditRunError } from '../errors.js';
import { GRADES, gradeOf, type Grade, type Outcome } from './verdict.js';

export const BUCKETS = ['bothComply', 'onlyFirst', 'onlySecond', 'bothFail', 'undecided'] as const;
export type Bucket = (typeof BUCKETS)[number];

export interface RuleChange {
  readonly rule: string;
  readonly change: 'regression' | 'improvement';
  readonly failedBefore: number;
  readonly failedAfter: number;
  readonly scenariosBefore: number;
  readonly scenariosAfter: number;
}

export interface Comparison {
  readonly first: string;
  readonly second: string;
  /** Scenarios both runs ran. */
  readonly shared: number;
  readonly buckets: Readonly<Record<Bucket, number>>;
  /** Each scenario's bucket, by scenario IRI, with each run's grade (none where undecided). */
  readonly scenarios: readonly { readonly scenario: string; readonly first: string; readonly second: string; readonly bucket: Bucket; readonly firstGrade?: Grade; readonly secondGrade?: Grade }[];
  /**
   * Scenarios whose grade moved while both runs decided them: pass to
   * borderline is a change ('slipped'), as is borderline to pass ('firmed');
   * a move across pass/fail is also listed ('worse' or 'better').
   */
  readonly gradeChanges: readonly GradeChange[];
  readonly regressions: readonly RuleChange[];
  readonly improvements: readonly RuleChange[];
}

export interface GradeChange {
  readonly scenario: string;
  readonly first: Grade;
  readonly second: Grade;
  /** worse: a lower grade in the second run (pass > borderline > fail); better: a higher one. */
  readonly change: 'worse' | 'better';
}

/** A run's grade of a scenario: the graph's, else the one its outcome implies (results written before grades). */
function gradeFrom(outcome: string, grade: unknown): Grade | undefined {
  const given = typeof grade === 'string' && (GRADES as readonly string[]).includes(grade) ? (grade as Grade) : undefined;
  return gradeOf({ outcome: outcome as Outcome, ...(given ? { grade: given } : {}) });
}

/** How two grades compare, or undefined when they are the same. */
export function gradeChange(first: Grade, second: Grade): GradeChange['change'] | undefined {
  const order = { fail: 0, borderline: 1, pass: 2 } as const;
  return order[second] < order[first] ? 'worse' : order[second] > order[first] ? 'better' : undefined;
}

/** The bucket of one scenario: complying means the deciding verdict passed; a verdict that cannot tell leaves it undecided. */
export function bucketOf(first: string, second: string): Bucket {
  if (first === 'cantTell' || second === 'cantTell') return 'undecided';
  if (first === 'passed') return second === 'passed' ? 'bothComply' : 'onlyFirst';
  return second === 'passed' ? 'onlySecond' : 'bothFail';
}

/** Compares two runs recorded in the store (run IRIs). */
export async function compareRuns(store: GraphStore, first: string, second: string): Promise<Comparison> {
  if (first === second) throw new AuditRunError('compare two different runs');
  const rows = await store.namedQuery('audit-side-by-side', { first, second });
  const buckets = Object.fromEntries(BUCKETS.map((b) => [b, 0])) as Record<Bucket, number>;
  const gradeChanges: GradeChange[] = [];
  const scenarios = rows.map((row) => {
    const [first, second] = [String(row.firstOutcome), String(row.secondOutcome)];
    const bucket = bucketOf(first, second);
    buckets[bucket]++;
    const firstGrade = gradeFrom(first, row.firstGrade);
    const secondGrade = gradeFrom(second, row.secondGrade);
    const change = firstGrade && secondGrade ? gradeChange(firstGrade, secondGrade) : undefined;
    if (change) gradeChanges.push({ scenario: String(row.scenario), first: firstGrade!, second: secondGrade!, change });
    return { scenario: String(row.scenario), first, second, bucket, ...(firstGrade ? { firstGrade } : {}), ...(secondGrade ? { secondGrade } : {}) };
  });
  const changes = (await store.namedQuery('audit-rule-status', { before: first, after: second })).map(
    (row): RuleChange => ({
      rule: String(row.rule),
      change: row.change as RuleChange['change'],
      failedBefore: Number(row.failedBefore),
      failedAfter: Number(row.failedAfter),
      scenariosBefore: Number(row.scenariosBefore),
      scenariosAfter: Number(row.scenariosAfter),
    }),
  );
  return {
    first,
    second,
    shared: rows.length,
    buckets,
    scenarios,
    gradeChanges,
    regressions: changes.filter((c) => c.change === 'regression'),
    improvements: changes.filter((c) => c.change === 'improvement'),
  };
}
