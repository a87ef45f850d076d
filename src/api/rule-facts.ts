/**
 * What GET /v1/rules adds to a rule beyond the rules query, per policy: each
 * rule's actions (generation-relations), its coverage gaps (the two
 * coverage-rules-* queries the coverage route reads) and how many scenarios it
 * failed in its policy's latest audit run (audit-runs, audit-failing-rules).
 * These filter the list (action, coverage, failing) and, with details=true,
 * are shown beside each rule. The answer cache keeps the queries' answers, so
 * a second filter over the same policy costs no query.
 */

import type { GraphStore } from '../store/graph-store.js';

/** What a rule's coverage may lack: instruction data, or a scenario of a label. */
export const COVERAGE_GAPS = ['instructions', 'Compliant', 'NonCompliant', 'Ambiguous'] as const;
export type CoverageGap = (typeof COVERAGE_GAPS)[number];
/** The coverage filter: fully covered, any gap, or one gap. */
export const COVERAGE_FILTERS = ['covered', 'any-gap', ...COVERAGE_GAPS] as const;
export type CoverageFilter = (typeof COVERAGE_FILTERS)[number];

export interface PolicyFacts {
  actions?: Map<string, string[]>;
  gaps?: Map<string, CoverageGap[]>;
  /** The latest run (null when the policy has none) and each failing rule's failed scenarios in it. */
  latest?: { run: string | null; failed: Map<string, number> };
}

export interface FactsWanted {
  actions: boolean;
  gaps: boolean;
  failing: boolean;
}

/**
 * Maps built from query answers, kept per answer: the answer cache gives the
 * same rows again until a write, so a policy's 70k relation rows (10k rules)
 * are read into a map once, not on every request.
 */
const built = new WeakMap<object, { with?: object; value: unknown }>();
function buildOnce<T>(rows: readonly object[], other: readonly object[] | undefined, build: () => T): T {
  const kept = built.get(rows);
  if (kept && kept.with === other) return kept.value as T;
  const value = build();
  built.set(rows, { ...(other ? { with: other } : {}), value });
  return value;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The facts wanted about the rules of one policy. */
export async function readPolicyFacts(store: GraphStore, policy: string, wanted: FactsWanted): Promise<PolicyFacts> {
  const facts: PolicyFacts = {};
  await Promise.all([
    wanted.actions &&
      store.namedQuery('generation-relations', { policy }).then((rows) => {
        facts.actions = buildOnce(rows, undefined, () => {
          const actions = new Map<string, string[]>();
          for (const row of rows) if (row.relation === 'action') push(actions, String(row.provision), String(row.value));
          for (const list of actions.values()) list.sort();
          return actions;
        });
      }),
    wanted.gaps &&
      Promise.all([store.namedQuery('coverage-rules-without-instructions', { policy }), store.namedQuery('coverage-rules-without-scenarios', { policy })]).then(
        ([instructions, scenarios]) => {
          facts.gaps = buildOnce(instructions, scenarios, () => {
            const gaps = new Map<string, CoverageGap[]>();
            for (const row of instructions) push(gaps, String(row.rule), 'instructions');
            for (const row of scenarios) push(gaps, String(row.rule), String(row.missing) as CoverageGap);
            return gaps;
          });
        },
      ),
    wanted.failing &&
      store.namedQuery('audit-runs', { policy }).then(async (runs) => {
        // Runs come oldest first, as readAuditStatus takes them.
        const run = runs.at(-1)?.run;
        const failed = new Map<string, number>();
        if (run) for (const row of await store.namedQuery('audit-failing-rules', { run: String(run) })) failed.set(String(row.rule), Number(row.failed));
        facts.latest = { run: run ? String(run) : null, failed };
      }),
  ]);
  return facts;
}

/** Whether a rule passes the action, coverage and failing filters, given its policy's facts. */
export function passesFacts(rule: string, facts: PolicyFacts, filters: { action?: string; coverage?: CoverageFilter; failing?: boolean }): boolean {
  if (filters.action !== undefined && !(facts.actions?.get(rule) ?? []).includes(filters.action)) return false;
  if (filters.coverage !== undefined) {
    const gaps = facts.gaps?.get(rule) ?? [];
    if (filters.coverage === 'covered' ? gaps.length > 0 : filters.coverage === 'any-gap' ? gaps.length === 0 : !gaps.includes(filters.coverage)) return false;
  }
  if (filters.failing !== undefined && (facts.latest?.failed.has(rule) ?? false) !== filters.failing) return false;
  return true;
}

/** A rule's facts as GET /v1/rules?details=true shows them. */
export function detailsOf(rule: string, facts: PolicyFacts): { actions: string[]; gaps: CoverageGap[]; failed: number | null } {
  return {
    actions: facts.actions?.get(rule) ?? [],
    gaps: facts.gaps?.get(rule) ?? [],
    failed: facts.latest?.run ? (facts.latest.failed.get(rule) ?? 0) : null,
  };
}
