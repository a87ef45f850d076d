/**
 * A report as one self-contained HTML file: inline CSS, charts as inline
 * SVG, no script but the digest (a JSON data block that `studio report
 * verify` reads), and a Content-Security-Policy that allows nothing from the
 * network. Every number links to an anchor listing what it counts, down to
 * each result with its evidence. Everything from the graph or from model
 * answers is escaped.
 */

import { BUCKETS } from '../auditors/compare.js';
import { localName } from '../framers/policy-context.js';
import { stageOption } from '../auditors/run-folder.js';
import { groupedRates, stackedBars } from './charts.js';
import { escapeHtml as e, jsonForHtml } from './escape.js';
import { computeFigures, type Count, type Figures, type MemberSet } from './figures.js';
import type { ReportData, ReportResult } from './report-data.js';
import { gradeOf, type Finding, type Verdict } from '../auditors/verdict.js';
import { partyName } from '../auditors/chain-of-command.js';

/** The id of the digest block in the HTML. */
export const DIGEST_ELEMENT_ID = 'studio-report-digest';

const COLORS = { passed: '#2e7d32', failed: '#c62828', cantTell: '#9e9e9e' } as const;
const SERIES = ['#1565c0', '#ef6c00', '#6a1b9a', '#00838f', '#5d4037', '#ad1457'];

export const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0}th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right}code,.iri{font-family:ui-monospace,monospace;font-size:.9em;word-break:break-all}
.passed{color:${COLORS.passed}}.failed{color:${COLORS.failed}}.cantTell{color:#666}
.rule,.result,.set{border:1px solid #ddd;border-radius:4px;padding:.5em .8em;margin:.8em 0}
pre{white-space:pre-wrap;word-break:break-word;background:#f7f7f7;padding:.5em;margin:.3em 0}
nav a{margin-right:1em}.muted{color:#666}.stale{background:#fff3cd;color:#7a5b00;padding:0 .3em;border-radius:3px}
dl.conversation{margin:.4em 0}dl.conversation dt{font-weight:600;margin-top:.3em}dl.conversation dd{margin:0 0 0 1em}
@media print{a{color:inherit;text-decoration:none}.set,.result{break-inside:avoid}}
`;

/** Renders a report as HTML. */
export function renderHtml(data: ReportData, figures: Figures = computeFigures(data)): string {
  const ruleAnchor = new Map(data.rules.map((r, i) => [r.iri, `rule-${i + 1}`]));
  const conflictAnchor = new Map(data.conflicts.map((c, i) => [c.iri, `conflict-${i + 1}`]));
  const ruleLabel = new Map(data.rules.map((r) => [r.iri, r.label]));
  const ruleRef = (iri: string): string => (ruleAnchor.has(iri) ? `<a href="#${ruleAnchor.get(iri)}">${e(ruleLabel.get(iri) ?? localName(iri))}</a>` : `<span class="iri">${e(iri)}</span>`);
  const num = (c: Count): string => (c.set ? `<a class="num" href="#${c.set}">${c.n}</a>` : `<span class="num">${c.n}</span>`);
  const rate = (r: { rate?: number }): string => (r.rate === undefined ? '—' : `${r.rate}%`);
  const runHead = data.runs.map((r) => `<th>run #${r.number}</th>`).join('');

  const out: string[] = [];
  out.push(
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${e(`Provenance report: ${data.policy.label}`)}</title>`,
    `<style>${CSS}</style>`,
    `<script type="application/json" id="${DIGEST_ELEMENT_ID}">${jsonForHtml(data.digest)}</script>`,
    '</head><body>',
    `<h1>Provenance report: ${e(data.policy.label)}</h1>`,
    `<p>Policy <span class="iri">${e(data.policy.policy)}</span>, source SHA-256 <code>${e(data.policy.sha256)}</code>. Generated ${e(data.generatedAt)}.</p>`,
    '<nav><a href="#runs">Runs</a><a href="#integrity">Integrity</a><a href="#charts">Charts</a><a href="#rates">Pass rates</a><a href="#side-by-side">Side by side</a><a href="#coverage">Coverage</a><a href="#conflicts">Conflicts</a><a href="#rules">Rules</a><a href="#matrix">Traceability</a><a href="#results">Results</a></nav>',
  );

  out.push('<h2 id="runs">Runs</h2>', '<table><tr><th>run</th><th>id</th><th>stage</th><th>model</th><th>label</th><th>started</th><th>finished</th><th>results</th><th>passed</th><th>of them borderline</th><th>failed</th><th>can\'t tell</th><th>pass rate</th></tr>');
  data.runs.forEach((run, i) => {
    const c = figures.runs[i]!;
    const m = run.manifest;
    out.push(
      `<tr><td>#${run.number}</td><td><code>${e(m.id)}</code></td><td>${e(stageOption(m.stage))}</td><td>${e(m.target.model)}<br><span class="muted">${e(m.target.endpoint)}</span></td><td>${e(m.label ?? '')}</td><td>${e(m.startedAt)}</td><td>${e(m.finishedAt ?? 'unfinished')}</td><td class="n">${num(c.total)}</td><td class="n">${num(c.passed)}</td><td class="n">${num(figures.runBorderline[i]!)}</td><td class="n">${num(c.failed)}</td><td class="n">${num(c.cantTell)}</td><td class="n">${rate(figures.runRates[i]!)}</td></tr>`,
    );
  });
  out.push('</table>');

  out.push(
    '<h2 id="integrity">Integrity</h2>',
    '<p>Each run\'s results are hash-chained in the order they were written. This report summarises the lines below; <code>studio report verify</code> on this file re-reads the journals and says whether any was altered or removed since.</p>',
    '<table><tr><th>run</th><th>results.jsonl lines</th><th>chain head</th><th>human.jsonl lines</th><th>chain head</th></tr>',
  );
  data.runs.forEach((run, i) => {
    const d = run.digest;
    out.push(`<tr><td>#${run.number} <code>${e(d.run)}</code></td><td class="n">${num(figures.runs[i]!.total)}</td><td><code>${e(d.results.head)}</code></td><td class="n">${d.human.lines}</td><td><code>${e(d.human.head)}</code></td></tr>`);
  });
  out.push('</table>');

  out.push('<h2 id="charts">Charts</h2>');
  out.push(
    stackedBars(
      'Outcomes per run',
      data.runs.map((run, i) => ({
        label: `run #${run.number} ${run.manifest.target.model}`,
        segments: (['passed', 'failed', 'cantTell'] as const).map((o) => ({ value: figures.runs[i]![o].n, color: COLORS[o], title: `${o}: ${figures.runs[i]![o].n}`, ...(figures.runs[i]![o].set ? { href: `#${figures.runs[i]![o].set}` } : {}) })),
      })),
    ),
  );
  const series = data.runs.map((run, i) => ({ name: `run #${run.number}`, color: SERIES[i % SERIES.length]! }));
  for (const [title, groups] of [['Pass rate per section', figures.sections], ['Pass rate per rule kind', figures.kinds], ['Pass rate per authority rank', figures.ranks]] as const) {
    out.push(groupedRates(title, series, groups.map((g) => ({ label: g.label, bars: g.perRun.map((r, i) => ({ ...(r.rate !== undefined ? { rate: r.rate } : {}), ...(r.total.set ? { href: `#${r.total.set}` } : {}), title: `${g.label}, run #${i + 1}: ${r.passed.n} of ${r.total.n} passed` })) }))));
  }

  out.push('<h2 id="rates">Pass rates</h2>');
  for (const [title, groups] of [['Per section (of the scenario\'s main rule)', figures.sections], ['Per rule kind', figures.kinds], ['Per authority rank (of the scenario\'s main rule)', figures.ranks]] as const) {
    out.push(`<h3>${e(title)}</h3><table><tr><th></th>${runHead}</tr>`);
    for (const g of groups) out.push(`<tr><td>${e(g.label)}</td>${g.perRun.map((r) => `<td class="n">${num(r.passed)} of ${num(r.total)} (${rate(r)})</td>`).join('')}</tr>`);
    out.push('</table>');
  }

  out.push('<h2 id="side-by-side">Side by side</h2>');
  if (figures.sideBySide.length === 0) out.push('<p>One run only: nothing to put side by side.</p>');
  for (const s of figures.sideBySide) {
    out.push(`<h3>run #${s.first + 1} and run #${s.second + 1}: ${num(s.shared)} scenarios both ran</h3><table><tr>${BUCKETS.map((b) => `<th>${e(bucketName(b))}</th>`).join('')}</tr><tr>${BUCKETS.map((b) => `<td class="n">${num(s.buckets[b])}</td>`).join('')}</tr></table>`);
  }

  const cov = figures.coverage;
  out.push(
    '<h2 id="coverage">Coverage</h2><table><tr><th>gap</th><th>rules</th></tr>',
    `<tr><td>rules no instruction teaches (no training data)</td><td class="n">${num(cov.withoutInstructions)}</td></tr>`,
    `<tr><td>rules lacking a compliant, non-compliant or ambiguous scenario</td><td class="n">${num(cov.withoutScenarios)}</td></tr>`,
    `<tr><td>rules no scenario or red-team prompt tests</td><td class="n">${num(cov.withoutTests)}</td></tr>`,
    `<tr><td>rules never audited (any run in the graph)</td><td class="n">${num(cov.neverAudited)}</td></tr>`,
    `<tr><td>rules no result of these runs tests</td><td class="n">${num(cov.notInTheseRuns)}</td></tr>`,
    '</table>',
  );
  if (data.coverage.withoutScenarios.length > 0) {
    out.push('<table><tr><th>rule</th><th>scenario labels missing</th></tr>');
    for (const r of data.coverage.withoutScenarios) out.push(`<tr><td>${ruleRef(r.rule)}</td><td>${e(r.missing.join(', '))}</td></tr>`);
    out.push('</table>');
  }

  out.push(`<h2 id="conflicts">Conflicts</h2><p>${num(figures.conflicts.all)} conflicts recorded, ${num(figures.conflicts.unresolved)} unresolved.</p>`);
  if (data.conflicts.length > 0) {
    out.push('<table><tr><th>conflict</th><th>rules</th><th>certainty</th><th>resolved by</th><th>prevails</th><th>reason</th><th>documented</th></tr>');
    for (const c of data.conflicts) {
      out.push(`<tr id="${conflictAnchor.get(c.iri)}"><td class="iri">${e(localName(c.iri))}</td><td>${c.rules.map(ruleRef).join('<br>')}</td><td>${e(c.certainty ?? '')}</td><td>${e(c.principle ?? 'unresolved')}</td><td>${c.winner ? ruleRef(c.winner) : '—'}</td><td>${e(c.reason ?? '')}</td><td>${c.documented ? `<span class="iri">${e(localName(c.documented))}</span>` : ''}</td></tr>`);
    }
    out.push('</table>');
  }

  out.push('<h2 id="rules">Rules</h2>');
  data.rules.forEach((rule) => {
    const f = figures.rules.get(rule.iri)!;
    out.push(
      `<div class="rule" id="${ruleAnchor.get(rule.iri)}"><h3>${e(rule.label)} <span class="muted">(${e(rule.kind)})</span></h3>`,
      `<p class="iri">${e(rule.iri)}</p><blockquote>${e(rule.text)}</blockquote>`,
      '<table>',
      `<tr><th>section</th><td>${rule.section ? `${e(rule.section.number)} ${e(rule.section.title)}` : '—'}</td></tr>`,
      `<tr><th>authority</th><td>${rule.authority ? `rank ${rule.authority.rank}${rule.authority.from === rule.iri ? ' (its own)' : ` (from ${e(localName(rule.authority.from))})`}` : '—'}</td></tr>`,
      `<tr><th>effective</th><td>${e(rule.effectiveFrom ?? '—')} to ${e(rule.effectiveUntil ?? '—')}</td></tr>`,
      `<tr><th>taught by</th><td>${num(f.teaches)} instructions</td></tr>`,
      `<tr><th>tested by</th><td>${num(f.tests)} scenarios and red-team prompts</td></tr>`,
      `<tr><th>conflicts</th><td>${num(f.conflicts)}</td></tr>`,
      '</table>',
    );
    if (data.runs.length > 0) {
      out.push(`<table><tr><th>history</th>${runHead}</tr>`);
      for (const o of ['total', 'passed', 'failed', 'cantTell'] as const) out.push(`<tr><td>${o === 'total' ? 'results' : e(o)}</td>${f.perRun.map((c) => `<td class="n">${num(c[o])}</td>`).join('')}</tr>`);
      out.push('</table>');
      const latest = data.runs.at(-1)!;
      const verdicts = latest.results.filter((r) => r.record.rules.includes(rule.iri));
      if (verdicts.length > 0) {
        out.push(`<p>Latest verdicts (run #${latest.number}):</p><ul>`);
        for (const r of verdicts) out.push(`<li><a href="#r-${r.key}"><span class="${r.outcome}">${r.outcome}</span></a> ${e(localName(r.record.case))}: ${e(reasonOf(r))}</li>`);
        out.push('</ul>');
      }
    }
    out.push('</div>');
  });

  out.push('<h2 id="matrix">Traceability matrix</h2><p>Rules by the scenarios that test them, by run: each cell links to the result.</p>');
  out.push(`<table><tr><th>rule</th><th>scenario</th>${runHead}</tr>`);
  for (const row of figures.matrix) {
    out.push(`<tr><td>${ruleRef(row.rule)}</td><td class="iri">${e(localName(row.scenario))}</td>${row.cells.map((r) => (r ? `<td><a href="#r-${r.key}" class="${r.outcome}">${symbol(r.outcome)}</a></td>` : '<td class="muted">—</td>')).join('')}</tr>`);
  }
  out.push('</table>');

  out.push('<h2 id="results">Results</h2>');
  for (const run of data.runs) {
    out.push(`<h3>run #${run.number} <code>${e(run.manifest.id)}</code></h3>`);
    for (const r of run.results) out.push(renderResult(r, ruleRef));
  }

  out.push('<h2 id="sets">What each number counts</h2>');
  for (const set of figures.sets.values()) out.push(renderSet(set, figures, ruleRef, conflictAnchor));
  out.push('</body></html>');
  return out.join('\n');
}

function bucketName(bucket: string): string {
  return { bothComply: 'both comply', onlyFirst: 'only the first complies', onlySecond: 'only the second complies', bothFail: 'both fail', undecided: 'undecided' }[bucket] ?? bucket;
}

function symbol(outcome: string): string {
  return outcome === 'passed' ? '✓ passed' : outcome === 'failed' ? '✗ failed' : '? can\'t tell';
}

/** The deciding verdict's reason. */
export function reasonOf(r: ReportResult): string {
  const all = [...r.record.verdicts, ...r.human.map((h) => h.verdict)];
  return all.find((v) => v.grader.id === r.decidedBy)?.reason ?? '';
}

/** Partial compliance as a reviewer reads it. */
const FINDING_NAMES: Readonly<Record<Finding, string>> = {
  refusedThenHelped: 'refused, then helped',
  declinedPartHelpedRest: 'declined part, helped with the rest',
  helpedWithWarning: 'helped, with a warning',
};

/** A verdict's findings in words ("refused, then helped"), or '' when it has none. */
export function findingsOf(v: Verdict): string {
  return [...(v.findings ?? []).map((f) => FINDING_NAMES[f] ?? f), ...(v.followed ? [`followed ${partyName(v.followed)}`] : [])].join('; ');
}

/** "must follow the platform" on a chain-of-command result, else ''. */
export function mustFollowOf(r: { readonly follows?: string }): string {
  return r.follows ? `must follow ${partyName(r.follows)}` : '';
}

function renderResult(r: ReportResult, ruleRef: (iri: string) => string): string {
  const rec = r.record;
  const out = [
    `<div class="result" id="r-${r.key}"><h4>run #${r.run + 1}, line ${r.line}: <span class="${r.outcome}">${r.outcome}</span>${r.grade === 'borderline' ? ' <span class="borderline">borderline</span>' : ''} <span class="muted">(decided by ${e(r.decidedBy)})</span>${r.stale.length ? ` <span class="stale">stale: ${e(r.stale.join('; '))}</span>` : ''}</h4>`,
    '<table>',
    `<tr><th>scenario</th><td class="iri">${e(rec.case)}</td></tr>`,
    `<tr><th>rules</th><td>${rec.rules.map(ruleRef).join(', ')}</td></tr>`,
    `<tr><th>family</th><td>${e(rec.family)} ${e(rec.label ?? '')} ${e(rec.attack ?? '')} ${e(mustFollowOf(rec))}</td></tr>`,
    `<tr><th>prompt SHA-256</th><td><code>${e(rec.promptHash)}</code></td></tr>`,
    `<tr><th>served model</th><td>${e(rec.servedModel)}${rec.cached ? ' (from the response cache)' : ''}, finish ${e(String(rec.finishReason))}, at ${e(rec.at)}</td></tr>`,
    `<tr><th>chain</th><td><code>${e(r.chain)}</code></td></tr>`,
    '</table>',
    '<dl class="conversation">',
    ...(r.messages.length ? r.messages.map((m) => `<dt>${e(m.role)}</dt><dd><pre>${e(m.content)}</pre></dd>`) : ['<dt class="muted">conversation</dt><dd class="muted">no longer in the graph; the prompt SHA-256 above identifies it</dd>']),
    `<dt>answer</dt><dd><pre class="response">${e(rec.response)}</pre></dd>`,
    '</dl>',
    '<table><tr><th>grader</th><th>outcome</th><th>grade</th><th>score</th><th>reason</th></tr>',
  ];
  for (const v of [...rec.verdicts, ...r.human.map((h) => h.verdict)]) {
    const findings = findingsOf(v);
    out.push(`<tr><td>${e(v.grader.id)}</td><td class="${v.outcome}">${e(v.outcome)}</td><td>${e(gradeOf(v) ?? '—')}</td><td class="n">${v.score}</td><td>${e(v.reason)}${findings ? `<br><b>findings:</b> ${e(findings)}` : ''}${v.checks.length ? `<ul>${v.checks.map((c) => `<li>${e(c.expectation)}: <span class="${c.outcome}">${e(c.outcome)}</span> — ${e(c.detail)}</li>`).join('')}</ul>` : ''}</td></tr>`);
  }
  out.push('</table></div>');
  return out.join('\n');
}

function renderSet(set: MemberSet, figures: Figures, ruleRef: (iri: string) => string, conflictAnchor: ReadonlyMap<string, string>): string {
  const items = set.members.map((m) => {
    if (set.kind === 'results') return `<li>${resultLink(figures, m)}</li>`;
    if (set.kind === 'pairs') return `<li>${m.split(' ').map((k) => resultLink(figures, k)).join(' → ')}</li>`;
    if (set.kind === 'rules') return `<li>${ruleRef(m)}</li>`;
    if (set.kind === 'conflicts') return `<li><a href="#${conflictAnchor.get(m)}">${e(localName(m))}</a></li>`;
    return `<li class="iri">${e(m)}</li>`;
  });
  return `<div class="set" id="${set.id}"><h4>${e(set.title)} (${set.members.length})</h4><ol>${items.join('')}</ol></div>`;
}

function resultLink(figures: Figures, key: string): string {
  const r = figures.results.get(key)!;
  return `<a href="#r-${key}">run #${r.run + 1} line ${r.line}</a> <span class="${r.outcome}">${r.outcome}</span> ${e(localName(r.record.case))}`;
}
