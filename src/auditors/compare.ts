/**
 * Two runs side by side, from the graph: every scenario both ran sorted into
 * four buckets — both comply, only the first, only the second, both fail —
 * (the red-teaming view of an aligned model against an unaligned one, or of
 * a model before and after training), and each rule whose status changed
 * between them (audit-rule-status: regressions and improvements).
 */

import type { GraphStore } from '../store/graph-store.js';
import { AuditRunError } from '../errors.js';

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
  /** Each scenario's bucket, by scenario IRI. */
  readonly scenarios: readonly { readonly scenario: string; readonly first: string; readonly second: string; readonly bucket: Bucket }[];
  readonly regressions: readonly RuleChange[];
  readonly improvements: readonly RuleChange[];
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
  const scenarios = rows.map((row) => {
    const bucket = bucketOf(String(row.firstOutcome), String(row.secondOutcome));
    buckets[bucket]++;
    return { scenario: String(row.scenario), first: String(row.firstOutcome), second: String(row.secondOutcome), bucket };
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
    regressions: changes.filter((c) => c.change === 'regression'),
    improvements: changes.filter((c) => c.change === 'improvement'),
  };
}
