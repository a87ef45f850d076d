/**
 * A run's figures, counted from its journal: scenarios by deciding outcome,
 * by family and by red-team attack, the rules with failures, how often the
 * graders' verdicts came from the cache, and — when a judge graded beside
 * the deterministic checks — how far the two agree.
 */

import { gradeOf, type Outcome } from './verdict.js';
import { decidingVerdict, type HumanRecord, type ResultRecord } from './result-record.js';

export type OutcomeCounts = Record<Outcome, number>;

export interface RunSummary {
  readonly scenarios: number;
  readonly outcomes: OutcomeCounts;
  /** Of the passed scenarios, those whose deciding verdict graded them borderline (they count as passed). */
  readonly borderline: number;
  readonly byFamily: Readonly<Record<string, OutcomeCounts>>;
  /** Red-team prompts by attack. */
  readonly byAttack: Readonly<Record<string, OutcomeCounts>>;
  /**
   * By the authority rank of the scenario's main rule (its own, its message source's, else its section's, as
   * reports count it), highest first; "(no rank)" last. Empty when no ranks were given.
   */
  readonly byRank: readonly { readonly rank: number | null; readonly counts: OutcomeCounts }[];
  /** Rules with at least one failed scenario, most failures first. */
  readonly failingRules: readonly { readonly rule: string; readonly failed: number; readonly scenarios: number }[];
  /** Answers taken from the response cache. */
  readonly cachedAnswers: number;
  /** Answers the endpoint cut short (finish reason 'length'). */
  readonly truncatedAnswers: number;
}

const zero = (): OutcomeCounts => ({ passed: 0, failed: 0, cantTell: 0 });

/**
 * Counts a run's results, read one at a time (a streamed journal or an
 * array); human verdicts, where imported, decide their scenarios.
 */
export async function summarise(
  records: Iterable<ResultRecord> | AsyncIterable<ResultRecord>,
  human: readonly HumanRecord[] = [],
  ranks?: ReadonlyMap<string, number>,
): Promise<RunSummary> {
  const humanByCase = new Map<string, HumanRecord[]>();
  for (const h of human) humanByCase.set(h.case, [...(humanByCase.get(h.case) ?? []), h]);
  const outcomes = zero();
  const byFamily: Record<string, OutcomeCounts> = {};
  const byAttack: Record<string, OutcomeCounts> = {};
  const byRank = new Map<number | null, OutcomeCounts>();
  const perRule = new Map<string, { failed: number; scenarios: number }>();
  let scenarios = 0;
  let cachedAnswers = 0;
  let truncatedAnswers = 0;
  let borderline = 0;
  for await (const r of records) {
    scenarios++;
    if (r.cached) cachedAnswers++;
    if (r.finishReason === 'length') truncatedAnswers++;
    const verdict = decidingVerdict([...r.verdicts, ...(humanByCase.get(r.case) ?? []).map((h) => h.verdict)]);
    const outcome: Outcome = verdict?.outcome ?? 'cantTell';
    outcomes[outcome]++;
    if (verdict && gradeOf(verdict) === 'borderline') borderline++;
    (byFamily[r.family] ??= zero())[outcome]++;
    if (r.attack) (byAttack[r.attack] ??= zero())[outcome]++;
    if (ranks) {
      const rank = ranks.get(r.rules[0]!) ?? null;
      const counts = byRank.get(rank) ?? zero();
      counts[outcome]++;
      byRank.set(rank, counts);
    }
    for (const rule of r.rules) {
      const entry = perRule.get(rule) ?? { failed: 0, scenarios: 0 };
      entry.scenarios++;
      if (outcome === 'failed') entry.failed++;
      perRule.set(rule, entry);
    }
  }
  const failingRules = [...perRule]
    .filter(([, e]) => e.failed > 0)
    .map(([rule, e]) => ({ rule, ...e }))
    .sort((a, b) => b.failed - a.failed || a.rule.localeCompare(b.rule));
  const rankOrder = (r: number | null) => (r === null ? -Infinity : r);
  return {
    scenarios,
    outcomes,
    borderline,
    byFamily,
    byAttack,
    byRank: [...byRank].sort(([a], [b]) => rankOrder(b) - rankOrder(a)).map(([rank, counts]) => ({ rank, counts })),
    failingRules,
    cachedAnswers,
    truncatedAnswers,
  };
}

/** The share of scenarios passed, as a percentage with one decimal. */
export function passRate(counts: OutcomeCounts): number {
  const total = counts.passed + counts.failed + counts.cantTell;
  return total === 0 ? 0 : Math.round((counts.passed / total) * 1000) / 10;
}
