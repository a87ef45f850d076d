/**
 * A report as Markdown: the content of the HTML report as tables, each number
 * a link to an anchor (`<a id>`) listing what it counts. The digest is the
 * front matter, which `studio report verify` reads. Text from the graph and
 * from model answers is escaped: it cannot add markup, links or table cells.
 */

import YAML from 'yaml';
import { BUCKETS } from '../auditors/compare.js';
import { stageOption } from '../auditors/run-folder.js';
import { localName } from '../framers/policy-context.js';
import { escapeMarkdown as m } from './escape.js';
import { computeFigures, type Count, type Figures } from './figures.js';
import type { ReportData } from './report-data.js';
import { findingsOf, mustFollowOf, reasonOf } from './render-html.js';
import { gradeOf } from '../auditors/verdict.js';

/** The front-matter key holding the digest. */
export const DIGEST_KEY = 'studioReport';

/** Text as a Markdown block quote, escaped line by line. */
function quote(text: string): string[] {
  return text.split(/\r?\n/).map((line) => `> ${m(line)}`);
}

export function renderMarkdown(data: ReportData, figures: Figures = computeFigures(data)): string {
  const ruleAnchor = new Map(data.rules.map((r, i) => [r.iri, `rule-${i + 1}`]));
  const ruleLabel = new Map(data.rules.map((r) => [r.iri, r.label]));
  const ruleRef = (iri: string): string => (ruleAnchor.has(iri) ? `[${m(ruleLabel.get(iri)!)}](#${ruleAnchor.get(iri)})` : m(iri));
  const num = (c: Count): string => (c.set ? `[${c.n}](#${c.set})` : String(c.n));
  const rate = (r: { rate?: number }): string => (r.rate === undefined ? '—' : `${r.rate}%`);
  const runCols = data.runs.map((r) => `run #${r.number}`);
  const table = (head: readonly string[], rows: readonly (readonly string[])[]): string =>
    [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

  const out: string[] = ['---', YAML.stringify({ [DIGEST_KEY]: data.digest }).trimEnd(), '---', ''];
  out.push(`# Provenance report: ${m(data.policy.label)}`, '', `Policy \`${data.policy.policy}\`, source SHA-256 \`${data.policy.sha256}\`. Generated ${data.generatedAt}.`, '');

  out.push('## Runs', '', table(['run', 'id', 'stage', 'model', 'label', 'started', 'finished', 'results', 'passed', 'of them borderline', 'failed', "can't tell", 'pass rate'],
    data.runs.map((run, i) => {
      const c = figures.runs[i]!;
      const x = run.manifest;
      return [`#${run.number}`, `\`${x.id}\``, stageOption(x.stage), m(x.target.model), m(x.label ?? ''), x.startedAt, x.finishedAt ?? 'unfinished', num(c.total), num(c.passed), num(figures.runBorderline[i]!), num(c.failed), num(c.cantTell), rate(figures.runRates[i]!)];
    })), '');

  out.push('## Integrity', '', "Each run's results are hash-chained in the order they were written. `studio report verify` on this file re-reads the journals and says whether any line summarised here was altered or removed since.", '',
    table(['run', 'results.jsonl lines', 'chain head', 'human.jsonl lines', 'chain head'], data.runs.map((run) => [`#${run.number} \`${run.digest.run}\``, String(run.digest.results.lines), `\`${run.digest.results.head}\``, String(run.digest.human.lines), `\`${run.digest.human.head}\``])), '');

  out.push('## Pass rates', '');
  for (const [title, groups] of [['Per section', figures.sections], ['Per rule kind', figures.kinds], ['Per authority rank', figures.ranks]] as const) {
    out.push(`### ${title}`, '', table(['', ...runCols], groups.map((g) => [m(g.label), ...g.perRun.map((r) => `${num(r.passed)} of ${num(r.total)} (${rate(r)})`)])), '');
  }

  out.push('## Side by side', '');
  if (figures.sideBySide.length === 0) out.push('One run only: nothing to put side by side.', '');
  for (const s of figures.sideBySide) out.push(`### run #${s.first + 1} and run #${s.second + 1}: ${num(s.shared)} scenarios both ran`, '', table([...BUCKETS], [BUCKETS.map((b) => num(s.buckets[b]))]), '');

  const cov = figures.coverage;
  out.push('## Coverage', '', table(['gap', 'rules'], [
    ['rules no instruction teaches (no training data)', num(cov.withoutInstructions)],
    ['rules lacking a compliant, non-compliant or ambiguous scenario', num(cov.withoutScenarios)],
    ['rules no scenario or red-team prompt tests', num(cov.withoutTests)],
    ['rules never audited (any run in the graph)', num(cov.neverAudited)],
    ['rules no result of these runs tests', num(cov.notInTheseRuns)],
  ]), '');

  out.push('## Conflicts', '', `${num(figures.conflicts.all)} conflicts recorded, ${num(figures.conflicts.unresolved)} unresolved.`, '');
  if (data.conflicts.length > 0) {
    out.push(table(['conflict', 'rules', 'certainty', 'resolved by', 'prevails', 'reason', 'documented'], data.conflicts.map((c, i) => [
      `<a id="conflict-${i + 1}"></a>${m(localName(c.iri))}`, c.rules.map(ruleRef).join(', '), m(c.certainty ?? ''), m(c.principle ?? 'unresolved'), c.winner ? ruleRef(c.winner) : '—', m(c.reason ?? ''), m(c.documented ? localName(c.documented) : ''),
    ])), '');
  }

  out.push('## Rules', '');
  for (const rule of data.rules) {
    const f = figures.rules.get(rule.iri)!;
    out.push(`### <a id="${ruleAnchor.get(rule.iri)}"></a>${m(rule.label)} (${rule.kind})`, '', `\`${rule.iri}\``, '', `> ${m(rule.text)}`, '', table(['', ''], [
      ['section', rule.section ? m(`${rule.section.number} ${rule.section.title}`) : '—'],
      ['authority', rule.authority ? `rank ${rule.authority.rank}${rule.authority.from === rule.iri ? ' (its own)' : ` (from ${m(localName(rule.authority.from))})`}` : '—'],
      ['effective', `${m(rule.effectiveFrom ?? '—')} to ${m(rule.effectiveUntil ?? '—')}`],
      ['taught by', `${num(f.teaches)} instructions`],
      ['tested by', `${num(f.tests)} scenarios and red-team prompts`],
      ['conflicts', num(f.conflicts)],
    ]), '');
    if (data.runs.length > 0) {
      out.push(table(['history', ...runCols], (['total', 'passed', 'failed', 'cantTell'] as const).map((o) => [o === 'total' ? 'results' : o, ...f.perRun.map((c) => num(c[o]))])), '');
      const latest = data.runs.at(-1)!;
      const verdicts = latest.results.filter((r) => r.record.rules.includes(rule.iri));
      if (verdicts.length > 0) out.push(`Latest verdicts (run #${latest.number}):`, '', ...verdicts.map((r) => `- [${r.outcome}](#r-${r.key}) ${m(localName(r.record.case))}: ${m(reasonOf(r))}`), '');
    }
  }

  out.push('## Traceability matrix', '', table(['rule', 'scenario', ...runCols], figures.matrix.map((row) => [ruleRef(row.rule), m(localName(row.scenario)), ...row.cells.map((r) => (r ? `[${r.outcome}](#r-${r.key})` : '—'))])), '');

  out.push('## Results', '');
  for (const run of data.runs) {
    out.push(`### run #${run.number} \`${run.manifest.id}\``, '');
    for (const r of run.results) {
      const rec = r.record;
      out.push(
        `#### <a id="r-${r.key}"></a>run #${run.number}, line ${r.line}: ${r.outcome}${r.grade === 'borderline' ? ', borderline' : ''} (decided by ${m(r.decidedBy)})${r.stale.length ? ` **stale: ${m(r.stale.join('; '))}**` : ''}`, '',
        table(['', ''], [
          ['scenario', `\`${rec.case}\``],
          ['rules', rec.rules.map(ruleRef).join(', ')],
          ['family', m(`${rec.family} ${rec.label ?? ''} ${rec.attack ?? ''} ${mustFollowOf(rec)}`)],
          ['prompt SHA-256', `\`${rec.promptHash}\``],
          ['served model', m(`${rec.servedModel}${rec.cached ? ' (from the response cache)' : ''}, finish ${rec.finishReason}, at ${rec.at}`)],
          ['chain', `\`${r.chain}\``],
        ]), '',
        ...(r.messages.length ? r.messages : [{ role: 'conversation', content: 'no longer in the graph; the prompt SHA-256 above identifies it' }]).flatMap((turn) => [`**${m(turn.role)}:**`, '', ...quote(turn.content), '']),
        '**answer:**', '', ...quote(rec.response), '',
        table(['grader', 'outcome', 'score', 'reason', 'findings', 'grade'], [...rec.verdicts, ...r.human.map((h) => h.verdict)].map((v) => [m(v.grader.id), v.outcome, String(v.score), m(v.reason), m(findingsOf(v)), gradeOf(v) ?? '—'])), '',
      );
    }
  }

  out.push('## What each number counts', '');
  for (const set of figures.sets.values()) {
    out.push(`### <a id="${set.id}"></a>${m(set.title)} (${set.members.length})`, '');
    set.members.forEach((member, i) => {
      const line = set.kind === 'results' || set.kind === 'pairs'
        ? member.split(' ').map((k) => { const r = figures.results.get(k)!; return `[run #${r.run + 1} line ${r.line}](#r-${k}) ${r.outcome} ${m(localName(r.record.case))}`; }).join(' → ')
        : set.kind === 'rules' ? ruleRef(member)
        : set.kind === 'conflicts' ? `[${m(localName(member))}](#conflict-${data.conflicts.findIndex((c) => c.iri === member) + 1})`
        : `\`${member}\``;
      out.push(`${i + 1}. ${line}`);
    });
    out.push('');
  }
  return out.join('\n');
}
