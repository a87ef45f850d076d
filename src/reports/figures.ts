/**
 * The numbers of a report, each with the set of things behind it: every
 * count is the size of a set of results, result pairs, rules, items or
 * conflicts, and every renderer links the number to the place that lists
 * that set. One pass over the data for every format, so HTML and Markdown
 * show the same figures.
 */

import { BUCKETS, bucketOf, type Bucket } from '../auditors/compare.js';
import { OUTCOMES, type Outcome } from '../auditors/verdict.js';
import type { ReportData, ReportResult, ReportRule } from './report-data.js';

export type SetKind = 'results' | 'pairs' | 'rules' | 'items' | 'conflicts';

/** What a number counts. Members are result keys, "key key" pairs, or IRIs. */
export interface MemberSet {
  readonly id: string;
  readonly title: string;
  readonly kind: SetKind;
  readonly members: readonly string[];
}

/** A number, and the set behind it when it is not zero. */
export interface Count {
  readonly n: number;
  readonly set?: string;
}

export type OutcomeCounts = Readonly<Record<Outcome, Count>> & { readonly total: Count };

/** Passed of all, and the rate (a percentage with one decimal, undefined when nothing ran). */
export interface Rate {
  readonly passed: Count;
  readonly total: Count;
  readonly rate?: number;
}

export interface Grouped {
  readonly key: string;
  readonly label: string;
  /** Per run, in run order. */
  readonly perRun: readonly Rate[];
}

export interface RuleFigures {
  readonly teaches: Count;
  readonly tests: Count;
  /** Per run: the outcomes of the results that test the rule. */
  readonly perRun: readonly OutcomeCounts[];
  readonly conflicts: Count;
}

export interface MatrixRow {
  readonly rule: string;
  readonly scenario: string;
  /** Per run, the result of the scenario, if the run ran it. */
  readonly cells: readonly (ReportResult | undefined)[];
}

export interface SideBySide {
  /** Run indexes. */
  readonly first: number;
  readonly second: number;
  readonly shared: Count;
  readonly buckets: Readonly<Record<Bucket, Count>>;
}

export interface Figures {
  readonly sets: ReadonlyMap<string, MemberSet>;
  readonly runs: readonly OutcomeCounts[];
  readonly runRates: readonly Rate[];
  /** Per run: the passed results graded borderline. */
  readonly runBorderline: readonly Count[];
  readonly rules: ReadonlyMap<string, RuleFigures>;
  readonly sections: readonly Grouped[];
  readonly kinds: readonly Grouped[];
  /** Pass rates by the authority rank of the scenario's main rule (its own, its message source's, else its section's), highest first. */
  readonly ranks: readonly Grouped[];
  readonly matrix: readonly MatrixRow[];
  readonly coverage: {
    readonly withoutInstructions: Count;
    readonly withoutScenarios: Count;
    readonly withoutTests: Count;
    readonly neverAudited: Count;
    /** Rules no result of the reported runs tests. */
    readonly notInTheseRuns: Count;
  };
  readonly conflicts: { readonly all: Count; readonly unresolved: Count };
  readonly sideBySide: readonly SideBySide[];
  /** Every result by key. */
  readonly results: ReadonlyMap<string, ReportResult>;
}

class SetRegistry {
  readonly sets = new Map<string, MemberSet>();
  count(id: string, title: string, kind: SetKind, members: readonly string[]): Count {
    if (members.length === 0) return { n: 0 };
    if (this.sets.has(id)) throw new Error(`figure set ${id} defined twice`);
    this.sets.set(id, { id, title, kind, members });
    return { n: members.length, set: id };
  }
}

function rate(passed: Count, total: Count): Rate {
  return { passed, total, ...(total.n > 0 ? { rate: Math.round((passed.n / total.n) * 1000) / 10 } : {}) };
}

/** Computes every figure of a report. */
export function computeFigures(data: ReportData): Figures {
  const reg = new SetRegistry();
  const results = new Map<string, ReportResult>();
  for (const run of data.runs) for (const r of run.results) results.set(r.key, r);
  const ruleByIri = new Map(data.rules.map((r) => [r.iri, r]));
  const ruleIndex = new Map(data.rules.map((r, i) => [r.iri, i + 1]));
  const name = (run: number) => `run #${run + 1}`;

  const outcomeCounts = (id: string, title: string, list: readonly ReportResult[]): OutcomeCounts => {
    const counts = Object.fromEntries(
      OUTCOMES.map((o) => [o, reg.count(`${id}-${o}`, `${title}: ${o}`, 'results', list.filter((r) => r.outcome === o).map((r) => r.key))]),
    ) as Record<Outcome, Count>;
    return { ...counts, total: reg.count(`${id}-all`, `${title}: all results`, 'results', list.map((r) => r.key)) };
  };

  const runs = data.runs.map((run, i) => outcomeCounts(`s-run${i + 1}`, name(i), run.results));
  const runRates = runs.map((c) => rate(c.passed, c.total));
  const runBorderline = data.runs.map((run, i) =>
    reg.count(`s-run${i + 1}-borderline`, `${name(i)}: passed, graded borderline`, 'results', run.results.filter((r) => r.grade === 'borderline').map((r) => r.key)),
  );

  const rules = new Map<string, RuleFigures>();
  for (const rule of data.rules) {
    const n = ruleIndex.get(rule.iri)!;
    const conflicts = data.conflicts.filter((c) => c.rules.includes(rule.iri)).map((c) => c.iri);
    rules.set(rule.iri, {
      teaches: reg.count(`s-rule${n}-teaches`, `${rule.label}: instructions that teach it`, 'items', rule.teaches.map((i) => i.iri)),
      tests: reg.count(`s-rule${n}-tests`, `${rule.label}: scenarios and red-team prompts that test it`, 'items', rule.tests.map((i) => i.iri)),
      perRun: data.runs.map((run, i) => outcomeCounts(`s-rule${n}-run${i + 1}`, `${rule.label} in ${name(i)}`, run.results.filter((r) => r.record.rules.includes(rule.iri)))),
      conflicts: reg.count(`s-rule${n}-conflicts`, `${rule.label}: conflicts`, 'conflicts', conflicts),
    });
  }

  const grouped = (prefix: string, keyOf: (rule: ReportRule | undefined) => { key: string; label: string }): Grouped[] => {
    const groups = new Map<string, { label: string; perRun: ReportResult[][] }>();
    data.runs.forEach((run, i) => {
      for (const r of run.results) {
        const { key, label } = keyOf(ruleByIri.get(r.record.rules[0] ?? ''));
        const group = groups.get(key) ?? { label, perRun: data.runs.map(() => []) };
        group.perRun[i]!.push(r);
        groups.set(key, group);
      }
    });
    return [...groups]
      .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
      .map(([key, group], g) => ({
        key,
        label: group.label,
        perRun: group.perRun.map((list, i) =>
          rate(
            reg.count(`s-${prefix}${g + 1}-run${i + 1}-passed`, `${group.label} in ${name(i)}: passed`, 'results', list.filter((r) => r.outcome === 'passed').map((r) => r.key)),
            reg.count(`s-${prefix}${g + 1}-run${i + 1}-all`, `${group.label} in ${name(i)}: all results`, 'results', list.map((r) => r.key)),
          ),
        ),
      }));
  };
  const sections = grouped('section', (rule) => (rule?.section ? { key: rule.section.number || rule.section.iri, label: `${rule.section.number} ${rule.section.title}`.trim() } : { key: '~', label: '(no section)' }));
  const kinds = grouped('kind', (rule) => ({ key: rule?.kind ?? '~', label: rule?.kind ?? '(unknown)' }));
  // Highest rank first (the key counts down from 10^9), no rank last.
  const ranks = grouped('rank', (rule) =>
    rule?.authority ? { key: `a${String(1e9 - rule.authority.rank).padStart(10, '0')}`, label: `rank ${rule.authority.rank}` } : { key: 'z', label: '(no rank)' },
  );

  const matrix: MatrixRow[] = [];
  const byCase = data.runs.map((run) => new Map(run.results.map((r) => [r.record.case, r])));
  for (const rule of data.rules) {
    const scenarios = new Set(rule.tests.map((i) => i.iri));
    for (const run of data.runs) for (const r of run.results) if (r.record.rules.includes(rule.iri)) scenarios.add(r.record.case);
    for (const scenario of [...scenarios].sort()) {
      matrix.push({ rule: rule.iri, scenario, cells: byCase.map((cases) => cases.get(scenario)) });
    }
  }

  const audited = new Set<string>();
  for (const r of results.values()) for (const rule of r.record.rules) audited.add(rule);
  const ruleKinds = data.rules.filter((r) => r.kind !== 'Exception');
  const coverage = {
    withoutInstructions: reg.count('s-cov-instructions', 'Rules no instruction teaches', 'rules', data.coverage.withoutInstructions),
    withoutScenarios: reg.count('s-cov-scenarios', 'Rules lacking a scenario of some label', 'rules', data.coverage.withoutScenarios.map((r) => r.rule)),
    withoutTests: reg.count('s-cov-tests', 'Rules no scenario or red-team prompt tests', 'rules', data.coverage.withoutTests),
    neverAudited: reg.count('s-cov-never', 'Rules no audit result in the graph tests', 'rules', data.coverage.neverAudited),
    notInTheseRuns: reg.count('s-cov-runs', 'Rules no result of these runs tests', 'rules', ruleKinds.filter((r) => !audited.has(r.iri)).map((r) => r.iri)),
  };
  const conflicts = {
    all: reg.count('s-conflicts', 'Conflicts recorded', 'conflicts', data.conflicts.map((c) => c.iri)),
    unresolved: reg.count('s-conflicts-unresolved', 'Conflicts no principle resolves', 'conflicts', data.conflicts.filter((c) => !c.winner).map((c) => c.iri)),
  };

  const sideBySide: SideBySide[] = [];
  for (let i = 1; i < data.runs.length; i++) {
    const [a, b] = [data.runs[i - 1]!, data.runs[i]!];
    const second = new Map(b.results.map((r) => [r.record.case, r]));
    const pairs = a.results.filter((r) => second.has(r.record.case)).map((r) => [r, second.get(r.record.case)!] as const);
    const id = `s-sbs${i}`;
    const buckets = Object.fromEntries(
      BUCKETS.map((bucket) => [bucket, reg.count(`${id}-${bucket}`, `${name(i - 1)} and ${name(i)}: ${bucket}`, 'pairs', pairs.filter(([x, y]) => bucketOf(x.outcome, y.outcome) === bucket).map(([x, y]) => `${x.key} ${y.key}`))]),
    ) as Record<Bucket, Count>;
    sideBySide.push({ first: i - 1, second: i, shared: reg.count(`${id}-shared`, `${name(i - 1)} and ${name(i)}: scenarios both ran`, 'pairs', pairs.map(([x, y]) => `${x.key} ${y.key}`)), buckets });
  }

  return { sets: reg.sets, runs, runRates, runBorderline, rules, sections, kinds, ranks, matrix, coverage, conflicts, sideBySide, results };
}
