/**
 * Where a policy stands with its audits, from the graph: the runs recorded,
 * the latest one's outcomes and failing rules, the rules no scenario tests,
 * the rules never audited, and the results a later change made stale.
 */

import type { GraphStore, Row } from '../store/graph-store.js';

export interface AuditStatus {
  readonly policy: string;
  readonly runs: readonly Row[];
  /** The latest run (by start time), with its failing rules. */
  readonly latest?: { readonly run: Row; readonly failingRules: readonly Row[] };
  readonly rulesWithoutTests: readonly string[];
  readonly rulesNeverAudited: readonly string[];
  readonly staleResults: readonly Row[];
}

export async function readAuditStatus(store: GraphStore, policy: string): Promise<AuditStatus> {
  const [runs, withoutTests, neverAudited, stale] = await Promise.all([
    store.namedQuery('audit-runs', { policy }),
    store.namedQuery('audit-rules-without-tests', { policy }),
    store.namedQuery('audit-rules-never-audited', { policy }),
    store.namedQuery('audit-stale-results', { policy }),
  ]);
  const last = runs.at(-1);
  return {
    policy,
    runs,
    ...(last ? { latest: { run: last, failingRules: await store.namedQuery('audit-failing-rules', { run: String(last.run) }) } } : {}),
    rulesWithoutTests: withoutTests.map((r) => String(r.rule)),
    rulesNeverAudited: neverAudited.map((r) => String(r.rule)),
    staleResults: stale,
  };
}
