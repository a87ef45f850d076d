/**
 * The change report: for a run made with --only-affected --since, what
 * changed in the policy since the earlier run, what the change touched,
 * what was re-tested, and each affected rule's results before and after.
 * Every figure is counted from the two runs' journals (their results and
 * reviewers' verdicts), and every rule is named by its IRI, so an auditor can
 * trace each number to the results behind it (`studio audit compare` and the
 * provenance report show those results one by one).
 */

import { AuditRunError } from '../errors.js';
import { journalRecords, readJournal } from '../auditors/journal.js';
import { decidingVerdict, type HumanRecord, type ResultRecord } from '../auditors/result-record.js';
import { RunFolder, type AffectedSince, type RunManifest } from '../auditors/run-folder.js';
import { passRate, type OutcomeCounts } from '../auditors/summary.js';
import type { Outcome } from '../auditors/verdict.js';
import { escapeHtml as e, escapeMarkdown as md } from './escape.js';
import { CSS } from './render-html.js';

export const CHANGE_REPORT_FORMATS = ['md', 'html'] as const;
export type ChangeReportFormat = (typeof CHANGE_REPORT_FORMATS)[number];

/** One affected rule: why it is affected, its text in each run, and its results in each. */
export interface AffectedRule {
  readonly rule: string;
  readonly why: 'changed' | 'added' | 'removed' | 'depends';
  /** For a dependent: the changed rule it depends on, and how. */
  readonly on?: { readonly rule: string; readonly via: string };
  readonly textBefore?: string;
  readonly textAfter?: string;
  readonly before?: OutcomeCounts;
  readonly after?: OutcomeCounts;
  /** Pass rate after against before: lower is worse; null when either run has no scenario of the rule. */
  readonly movement: 'better' | 'worse' | 'same' | null;
}

export interface ChangeReport {
  readonly before: RunManifest;
  readonly after: RunManifest;
  readonly rules: readonly AffectedRule[];
  /** Scenarios of the later run: graded anew in it, and carried over from the earlier one. */
  readonly scenarios: { readonly total: number; readonly gradedAnew: number; readonly carriedOver: number };
  readonly totals: { readonly before: OutcomeCounts; readonly after: OutcomeCounts };
}

const zero = (): OutcomeCounts => ({ passed: 0, failed: 0, cantTell: 0 });

/** Deciding outcomes per rule (and overall) of one run, reviewers' verdicts included. */
async function outcomesOf(run: RunFolder, rules: ReadonlySet<string>): Promise<{ byRule: Map<string, OutcomeCounts>; total: OutcomeCounts; carried: number; scenarios: number }> {
  const { records: human } = await readJournal<HumanRecord>(run.human);
  const humanByCase = new Map<string, HumanRecord[]>();
  for (const h of human) humanByCase.set(h.case, [...(humanByCase.get(h.case) ?? []), h]);
  const byRule = new Map<string, OutcomeCounts>();
  const total = zero();
  let [carried, scenarios] = [0, 0];
  for await (const r of journalRecords<ResultRecord>(run.results)) {
    scenarios++;
    if (r.carriedOverFrom) carried++;
    const outcome: Outcome = decidingVerdict([...r.verdicts, ...(humanByCase.get(r.case) ?? []).map((h) => h.verdict)])?.outcome ?? 'cantTell';
    total[outcome]++;
    for (const rule of r.rules) {
      if (!rules.has(rule)) continue;
      let counts = byRule.get(rule);
      if (!counts) byRule.set(rule, (counts = zero()));
      counts[outcome]++;
    }
  }
  return { byRule, total, carried, scenarios };
}

/** Gathers the change report of a run made with --only-affected --since. */
export async function buildChangeReport(auditsDir: string, runId: string): Promise<ChangeReport> {
  const after = await RunFolder.open(auditsDir, runId);
  const affected: AffectedSince | undefined = await after.readAffected();
  if (!affected) throw new AuditRunError(`run ${after.manifest.id} was not made with --only-affected --since <run>, so it has no change to report; compare two runs with 'studio audit compare'`);
  if (!after.finished) throw new AuditRunError(`run ${after.manifest.id} did not finish; finish it (studio audit run --resume ${after.manifest.id}) first`);
  const before = await RunFolder.open(auditsDir, affected.since);
  const [textsBefore, textsAfter] = [await before.readRuleTexts(), await after.readRuleTexts()];
  const listed: { rule: string; why: AffectedRule['why']; on?: { rule: string; via: string } }[] = [
    ...affected.changed.map((rule) => ({ rule, why: textsBefore.has(rule) ? ('changed' as const) : ('added' as const) })),
    ...affected.removed.map((rule) => ({ rule, why: 'removed' as const })),
    ...affected.dependents.map((d) => ({ rule: d.rule, why: 'depends' as const, on: { rule: d.on, via: d.via } })),
  ];
  const wanted = new Set(listed.map((l) => l.rule));
  const [was, now] = [await outcomesOf(before, wanted), await outcomesOf(after, wanted)];
  const rules = listed.map(({ rule, why, on }): AffectedRule => {
    const [b, a] = [was.byRule.get(rule), now.byRule.get(rule)];
    const movement = b && a ? (passRate(a) < passRate(b) ? 'worse' : passRate(a) > passRate(b) ? 'better' : 'same') : null;
    const [tb, ta] = [textsBefore.get(rule), textsAfter.get(rule)];
    return { rule, why, ...(on ? { on } : {}), ...(tb !== undefined ? { textBefore: tb } : {}), ...(ta !== undefined ? { textAfter: ta } : {}), ...(b ? { before: b } : {}), ...(a ? { after: a } : {}), movement };
  });
  return {
    before: before.manifest,
    after: after.manifest,
    rules,
    scenarios: { total: now.scenarios, gradedAnew: now.scenarios - now.carried, carriedOver: now.carried },
    totals: { before: was.total, after: now.total },
  };
}

/** Text for a Markdown paragraph: no markup from the text, but its brackets and punctuation left readable. */
const prose = (text: string): string => e(text).replace(/([\\`*_[\]<>|])/g, '\\$1');

const WHY: Record<AffectedRule['why'], string> = { changed: 'changed', added: 'added', removed: 'removed', depends: 'depends on a change' };
const counts = (c: OutcomeCounts | undefined): string => (c ? `${c.passed} passed, ${c.failed} failed, ${c.cantTell} can't tell (${passRate(c)}%)` : '—');

/** The report as Markdown or as one self-contained HTML page. */
export function renderChangeReport(report: ChangeReport, format: ChangeReportFormat): string {
  const { before: b, after: a } = report;
  const title = `Change report: ${a.policy}`;
  const intro = [
    `Run ${a.id} (${a.target.model}, ${a.stage}, started ${a.startedAt}) re-audited what changed in the policy since run ${b.id} (started ${b.startedAt}).`,
    `Policy version ${b.policySha256 ?? 'unknown'} then, ${a.policySha256 ?? 'unknown'} now.`,
    `Of its ${report.scenarios.total} scenarios, ${report.scenarios.gradedAnew} were graded anew and ${report.scenarios.carriedOver} carried over from run ${b.id}.`,
    `All scenarios: ${counts(report.totals.before)} before; ${counts(report.totals.after)} after.`,
  ];
  const worse = report.rules.filter((r) => r.movement === 'worse').length;
  const better = report.rules.filter((r) => r.movement === 'better').length;
  const summary = `${report.rules.length} rule(s) affected: ${report.rules.filter((r) => r.why !== 'depends').length} changed, added or removed, ${report.rules.filter((r) => r.why === 'depends').length} depending on those; ${worse} worse, ${better} better.`;
  if (format === 'md') {
    const out = [`# ${prose(title)}`, '', ...intro.map(prose), '', prose(summary), '', '## What changed and what it touched', ''];
    out.push('| rule | why | text before | text after |', '| --- | --- | --- | --- |');
    for (const r of report.rules) out.push(`| ${md(r.rule)} | ${md(r.on ? `${WHY[r.why]}: ${r.on.via} ${r.on.rule}` : WHY[r.why])} | ${md(r.textBefore ?? '—')} | ${md(r.textAfter === r.textBefore ? '(same)' : (r.textAfter ?? '—'))} |`);
    out.push('', '## Results before and after', '', '| rule | before | after | movement |', '| --- | --- | --- | --- |');
    for (const r of report.rules) out.push(`| ${md(r.rule)} | ${md(counts(r.before))} | ${md(counts(r.after))} | ${r.movement ?? '—'} |`);
    return `${out.join('\n')}\n`;
  }
  const out = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${e(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head><body>',
    `<h1>${e(title)}</h1>`,
    ...intro.map((line) => `<p>${e(line)}</p>`),
    `<p>${e(summary)}</p>`,
    '<h2>What changed and what it touched</h2>',
    '<table><tr><th>rule</th><th>why</th><th>text before</th><th>text after</th></tr>',
    ...report.rules.map(
      (r) =>
        `<tr><td class="iri">${e(r.rule)}</td><td>${e(r.on ? `${WHY[r.why]}: ${r.on.via} ${r.on.rule}` : WHY[r.why])}</td><td>${e(r.textBefore ?? '—')}</td><td>${e(r.textAfter === r.textBefore ? '(same)' : (r.textAfter ?? '—'))}</td></tr>`,
    ),
    '</table>',
    '<h2>Results before and after</h2>',
    '<table><tr><th>rule</th><th>before</th><th>after</th><th>movement</th></tr>',
    ...report.rules.map((r) => `<tr><td class="iri">${e(r.rule)}</td><td>${e(counts(r.before))}</td><td>${e(counts(r.after))}</td><td>${e(r.movement ?? '—')}</td></tr>`),
    '</table>',
    '</body></html>',
  ];
  return `${out.join('\n')}\n`;
}
