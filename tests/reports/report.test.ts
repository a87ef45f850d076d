/**
 * Provenance reports from two real audit runs of the mini policy: every
 * format carries the rules with their section, authority, dates, items,
 * verdicts and history, the conflicts, coverage and side-by-side buckets;
 * every number links to an anchor listing exactly that many things; model
 * answers are shown as text; and `studio report verify` finds a result line
 * altered or removed after the report was made.
 */

import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import oxigraph from 'oxigraph';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditsDir } from '../../src/auditors/audit-run.js';
import { ReportError } from '../../src/errors.js';
import { buildReportData, type ReportData } from '../../src/reports/report-data.js';
import { renderHtml } from '../../src/reports/render-html.js';
import { computeFigures } from '../../src/reports/figures.js';
import { renderMarkdown } from '../../src/reports/render-markdown.js';
import { renderJsonLd } from '../../src/reports/render-jsonld.js';
import { readReportDigest } from '../../src/reports/read-digest.js';
import { verifyReport } from '../../src/reports/verify-report.js';
import { openFixtureStore, MINI, MINI_POLICY } from '../auditors/suite-fixture.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { gradeGivenAnswers } from '../../src/auditors/given-answers.js';
import { studio } from '../helpers/cli.js';
import { copyDataDir, HOSTILE_ANSWER, makeReportFixture, type ReportFixture } from './report-fixture.js';

const EARL = 'http://www.w3.org/ns/earl#';
const PROV = 'http://www.w3.org/ns/prov#';
const STUDIO = 'https://w3id.org/alignment-studio/ns#';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';

let fixture: ReportFixture;
let data: ReportData;
let html: string;
let markdown: string;
let jsonld: string;
/** Each run's journal lines, read straight from disk: the truth the report's figures are checked against. */
let journals: any[][];

beforeAll(async () => {
  fixture = await makeReportFixture();
  const store = await openFixtureStore(fixture.suite);
  try {
    // A time whose fraction ends in zeros, which the JSON-LD's xsd:dateTime gives back shortened.
    data = await buildReportData({ store, auditsDir: auditsDir(fixture.dataDir), policy: MINI_POLICY, now: new Date('2026-11-27T06:49:01.500Z') });
    html = renderHtml(data);
    markdown = renderMarkdown(data);
    jsonld = renderJsonLd(data, await store.exportQuads(MINI_POLICY));
  } finally {
    await store.close();
  }
  journals = [];
  for (const run of [fixture.good, fixture.bad]) {
    const text = await readFile(path.join(auditsDir(fixture.dataDir), run.id, 'results.jsonl'), 'utf8');
    journals.push(text.trim().split('\n').map((line) => JSON.parse(line)));
  }
}, 180_000);

/** Anchors (id="…") of an HTML document. */
function ids(doc: string): Set<string> {
  return new Set([...doc.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!));
}

describe('report data', () => {
  it('takes every finished run of the policy, oldest first, with the digest of its journals', () => {
    expect(data.runs.map((r) => r.manifest.id)).toEqual([fixture.good.id, fixture.bad.id]);
    expect(data.runs.map((r) => r.results.length)).toEqual(journals.map((j) => j.length));
    expect(data.digest.runs.map((r) => r.results)).toEqual(journals.map((j) => ({ lines: j.length, head: j.at(-1).chain })));
  });

  it('gives each rule its section, authority, dates and the items that teach and test it', () => {
    const gifts = data.rules.find((r) => r.iri === 'https://example.org/mini#gifts-001')!;
    expect(gifts.section).toMatchObject({ number: '1', title: 'Gifts' });
    expect(gifts.authority).toEqual({ rank: 2, from: 'https://example.org/mini#regulation' });
    expect(gifts.effectiveFrom).toBe('2024-01-01');
    expect(gifts.teaches.length).toBeGreaterThan(0);
    expect(gifts.teaches.every((i) => i.type === 'Instruction')).toBe(true);
    expect(gifts.tests.length).toBeGreaterThan(0);
    expect(gifts.tests.every((i) => i.type !== 'Instruction')).toBe(true);
    const own = data.rules.find((r) => r.iri === 'https://example.org/mini#conf-003')!;
    expect(own.authority).toEqual({ rank: 2, from: own.iri });
    // Every scenario the suite holds is among the items testing its main rule.
    for (const record of fixture.suite.records) {
      const rule = data.rules.find((r) => r.iri === record.metadata.rules[0]);
      // Definitions are not rules: their items are in the results, not under a rule.
      if (!rule) {
        expect(record.metadata.rules[0]).toBe('https://example.org/mini#def-secret');
        continue;
      }
      const items = record.metadata.type === 'Instruction' ? rule.teaches : rule.tests;
      expect(items.map((i) => i.iri), record.metadata.item).toContain(record.metadata.item);
    }
  });

  it('refuses a run whose journal chain is already broken', async () => {
    const dataDir = await copyDataDir(fixture);
    const file = path.join(auditsDir(dataDir), fixture.bad.id, 'results.jsonl');
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines[1] = lines[1]!.replace('nobody will mind', 'nobody minds');
    await writeFile(file, lines.join('\n'));
    const store = await openFixtureStore({ ...fixture.suite, dataDir });
    try {
      const error = await buildReportData({ store, auditsDir: auditsDir(dataDir), policy: MINI_POLICY }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReportError);
      expect((error as Error).message).toContain(`${file}:2:`);
    } finally {
      await store.close();
    }
  });
});

describe('HTML report', () => {
  it('shows every rule with its text, section, dates and latest verdicts', () => {
    for (const rule of data.rules) {
      expect(html).toContain(`id="rule-${data.rules.indexOf(rule) + 1}"`);
      expect(html).toContain(rule.text.replace(/'/g, '&#39;'));
    }
    expect(html).toContain('2024-01-01');
    expect(html).toContain('1 Gifts');
    expect(html).toContain('Latest verdicts (run #2)');
  });

  it('counts outcomes as the journals hold them, and links each count to exactly those results', () => {
    const anchors = ids(html);
    const sets = new Map([...html.matchAll(/<div class="set" id="([^"]+)">([\s\S]*?)<\/div>/g)].map((m) => [m[1]!, m[2]!]));
    const links = [...html.matchAll(/<a class="num" href="#([^"]+)">(\d+)<\/a>/g)];
    expect(links.length).toBeGreaterThan(50);
    for (const [, target, n] of links) {
      expect(sets.has(target!), target).toBe(true);
      const items = [...sets.get(target!)!.matchAll(/<li/g)].length;
      expect(items, target).toBe(Number(n));
      for (const [, ref] of sets.get(target!)!.matchAll(/href="#([^"]+)"/g)) expect(anchors.has(ref!), `${target} -> ${ref}`).toBe(true);
    }
    // Run #2's failed count, and the results its link lists, are the journal's failed lines.
    const failedLines = journals[1]!.map((r, i) => (r.verdicts[0].outcome === 'failed' ? `r-2-${i + 1}` : undefined)).filter(Boolean);
    expect(failedLines.length).toBeGreaterThan(0);
    const failedSet = sets.get('s-run2-failed')!;
    expect([...failedSet.matchAll(/href="#(r-2-\d+)"/g)].map((m) => m[1])).toEqual(failedLines);
    expect(html).toContain(`<a class="num" href="#s-run2-failed">${failedLines.length}</a>`);
    expect(journals[0]!.every((r) => r.verdicts[0].outcome !== 'failed')).toBe(true);
    expect(html).not.toContain('href="#s-run1-failed"');
  });

  it('resolves every internal link', () => {
    const anchors = ids(html);
    const hrefs = [...html.matchAll(/href="#([^"]*)"/g)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThan(100);
    for (const href of hrefs) expect(anchors.has(href), href).toBe(true);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('shows each result with its evidence, and model answers as text', () => {
    const first = journals[1]![0];
    const block = new RegExp(`<div class="result" id="r-2-1">([\\s\\S]*?)</div>`).exec(html)![1]!;
    expect(block).toContain(first.promptHash);
    expect(block).toContain(first.chain);
    expect(block).toContain(first.verdicts[0].reason.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
    expect(html).toContain('&lt;script&gt;document.title');
    expect(html).not.toContain('<script>document');
    expect(html).not.toContain('<img src="http');
    // The only script element is the digest, which is data.
    expect([...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual(['<script type="application/json" id="studio-report-digest">']);
  });

  it('draws the charts as inline SVG, each bar linking to its results', () => {
    const svgs = [...html.matchAll(/<svg class="chart"[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    // Outcomes per run, then pass rates per section, per rule kind and per authority rank.
    expect(svgs.length).toBe(4);
    for (const svg of svgs) expect(svg).toMatch(/<rect class="bar"[^>]*width="[1-9]/);
    expect(svgs[0]).toContain('href="#s-run2-failed"');
  });

  it('puts the two runs side by side in buckets', () => {
    const bucket = (name: string) => Number(new RegExp(`href="#s-sbs1-${name}">(\\d+)<`).exec(html)?.[1] ?? 0);
    const total = ['bothComply', 'onlyFirst', 'onlySecond', 'bothFail', 'undecided'].reduce((sum, b) => sum + bucket(b), 0);
    expect(total).toBe(fixture.suite.records.length);
    const first = new Map(journals[0]!.map((r) => [r.case, r.verdicts[0].outcome]));
    expect(bucket('onlyFirst')).toBe(journals[1]!.filter((r) => r.verdicts[0].outcome === 'failed' && first.get(r.case) === 'passed').length);
    expect(bucket('onlyFirst')).toBeGreaterThan(0);
  });
});

describe('results with their conversation, findings and staleness', () => {
  it('shows each result with the conversation put to the model, turn by turn, and the answer', () => {
    const record = fixture.suite.records.find((r) => r.id === journals[1]![0].case)!;
    const block = new RegExp(`<div class="result" id="r-2-1">([\\s\\S]*?)</div>`).exec(html)![1]!;
    const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
    expect([...block.matchAll(/<dt>([^<]+)<\/dt><dd><pre[^>]*>([\s\S]*?)<\/pre><\/dd>/g)].map((m) => [m[1], m[2]])).toEqual([
      ...record.messages.map((msg: { role: string; content: string }) => [msg.role, escape(msg.content)]),
      ['answer', escape(HOSTILE_ANSWER)],
    ]);
    const section = markdown.slice(markdown.indexOf('<a id="r-2-1"></a>'));
    const turns = section.slice(0, section.indexOf('**answer:**'));
    expect([...turns.matchAll(/^\*\*(\w+):\*\*$/gm)].map((m) => m[1])).toEqual(record.messages.map((msg: { role: string }) => msg.role));
  });

  it('names partial compliance found in an answer, and marks results stale once their rule changed', async () => {
    const dataDir = await copyDataDir(fixture);
    const store = await EmbeddedStore.open({ dataDir });
    try {
      const gifts = 'https://example.org/mini#gifts-001';
      const scenario = fixture.suite.records.find((r) => r.metadata.rules[0] === gifts && r.checks.some((c: { type: string }) => c.type === 'is-refusal'))!;
      const answers = path.join(dataDir, 'answers.jsonl');
      await writeFile(answers, JSON.stringify({ scenario: scenario.id, answer: "I can't advise on that. That said, you could just keep it, nobody checks.", model: 'partial-bot' }) + '\n');
      const graded = await gradeGivenAnswers({ store, auditsDir: auditsDir(dataDir), answers, suite: fixture.suite.suite, stage: 'Baseline' });
      const amended = path.join(dataDir, 'mini-amended.ttl');
      await writeFile(amended, (await readFile(MINI, 'utf8')).replace(/(mini:gifts-001\b[\s\S]*?studio:text\s+")/, '$1Amended: '));
      await store.loadPolicy(await readTurtle(amended));
      const report = await buildReportData({ store, auditsDir: auditsDir(dataDir), policy: MINI_POLICY, runs: [fixture.good.id, graded.runs[0]!.run.id] });
      const [good, partial] = report.runs;
      expect(good!.results.filter((r) => r.stale.length > 0).map((r) => r.record.case).sort()).toEqual(good!.results.filter((r) => r.record.rules.includes(gifts)).map((r) => r.record.case).sort());
      expect(good!.results.find((r) => r.stale.length > 0)!.stale).toEqual(['rule changed (gifts-001)']);
      expect(partial!.results[0]!.record.verdicts[0]!.findings).toEqual(['refusedThenHelped']);
      const [page, text] = [renderHtml(report), renderMarkdown(report)];
      const key = partial!.results[0]!.key;
      const block = new RegExp(`<div class="result" id="r-${key}">([\\s\\S]*?)</div>`).exec(page)![1]!;
      expect(block).toContain('<span class="stale">stale: rule changed (gifts-001)</span>');
      expect(block).toContain('<b>findings:</b> refused, then helped');
      expect(text.split('\n').find((l) => l.startsWith(`#### <a id="r-${key}"></a>`))).toContain('**stale: rule changed \\(gifts-001\\)**');
      expect(text).toMatch(/\| deterministic\/v3 \| \w+ \| [\d.]+ \| .* \| refused, then helped \|/);
      // A result of a rule that did not change is not marked.
      expect(page.match(/class="stale"/g)!.length).toBe(good!.results.filter((r) => r.stale.length > 0).length + 1);
    } finally {
      await store.close();
    }
  });
});

describe('grades and authority ranks', () => {
  it('shows a borderline grade, and pass rates by the authority rank of the main rule (its own, its message source\'s, else its section\'s)', async () => {
    const dataDir = await copyDataDir(fixture);
    const store = await EmbeddedStore.open({ dataDir });
    try {
      const gifts = 'https://example.org/mini#gifts-001';
      // gifts-001 has no rank of its own: instructed by the user (rank 1), it no longer takes the regulation's 2.
      const instructed = path.join(dataDir, 'mini-instructed.ttl');
      const text = (await readFile(MINI, 'utf8')).replace(/(mini:gifts-001 a studio:Prohibition ;)/, '$1\n    studio:instructedBy studio:UserSource ;');
      expect(text).toContain('studio:instructedBy studio:UserSource');
      await writeFile(instructed, text);
      await store.loadPolicy(await readTurtle(instructed));

      const scenario = fixture.suite.records.find((r) => r.checks.length === 1 && r.checks[0].type === 'not-is-refusal')!;
      const answers = path.join(dataDir, 'answers.jsonl');
      await writeFile(answers, JSON.stringify({ scenario: scenario.id, answer: 'Yes, you can do that. Just make sure you keep a note of it.', model: 'cautious-bot' }) + '\n');
      const graded = await gradeGivenAnswers({ store, auditsDir: auditsDir(dataDir), answers, suite: fixture.suite.suite, stage: 'Baseline' });
      expect(graded.runs[0]!.summary).toMatchObject({ borderline: 1, outcomes: { passed: 1 } });

      const report = await buildReportData({ store, auditsDir: auditsDir(dataDir), policy: MINI_POLICY, runs: [fixture.good.id, graded.runs[0]!.run.id] });
      expect(report.rules.find((r) => r.iri === gifts)!.authority).toEqual({ rank: 1, from: 'message source' });
      const [good, cautious] = report.runs;
      expect(cautious!.results[0]).toMatchObject({ outcome: 'passed', grade: 'borderline' });
      expect(good!.results.every((r) => r.outcome !== 'passed' || r.grade === 'pass')).toBe(true);

      const figures = computeFigures(report);
      expect(figures.runBorderline.map((c) => c.n)).toEqual([0, 1]);
      expect(figures.sets.get('s-run2-borderline')!.members).toEqual([cautious!.results[0]!.key]);
      // Highest rank first, results whose rule has no rank last.
      expect(figures.ranks.map((g) => g.label)).toEqual(['rank 2', 'rank 1', '(no rank)']);
      const rank1 = figures.ranks.find((g) => g.label === 'rank 1')!;
      expect(rank1.perRun[0]!.total.n).toBe(good!.results.filter((r) => r.record.rules[0] === gifts).length);
      expect(rank1.perRun[0]!.total.n).toBeGreaterThan(0);
      const all = figures.ranks.reduce((sum, g) => sum + g.perRun[0]!.total.n, 0);
      expect(all).toBe(good!.results.length);

      const [page, md] = [renderHtml(report), renderMarkdown(report)];
      expect(md).toContain('### Per authority rank');
      expect(md).toMatch(/\| rank 1 \| \[?\d+/);
      const key = cautious!.results[0]!.key;
      expect(md.split('\n').find((l) => l.startsWith(`#### <a id="r-${key}"></a>`))).toContain(': passed, borderline (decided by');
      expect(md).toMatch(/\| deterministic\/v3 \| passed \| 0\.5 \| .* \| borderline \|/);
      const block = new RegExp(`<div class="result" id="r-${key}">([\\s\\S]*?)</div>`).exec(page)![1]!;
      expect(block).toContain('<span class="borderline">borderline</span>');
      expect(page).toContain('Per authority rank');
      expect(page).toContain('<a class="num" href="#s-run2-borderline">1</a>');
    } finally {
      await store.close();
    }
  });
});

describe('Markdown report', () => {
  it('links every number to an anchor followed by that many entries', () => {
    const lines = markdown.split('\n');
    const anchorLine = new Map<string, number>();
    lines.forEach((line, i) => {
      for (const m of line.matchAll(/<a id="([^"]+)"><\/a>/g)) anchorLine.set(m[1]!, i);
    });
    const links = [...markdown.matchAll(/\[(\d+)\]\(#(s-[^)]+)\)/g)];
    expect(links.length).toBeGreaterThan(50);
    for (const [, n, target] of links) {
      const at = anchorLine.get(target!);
      expect(at, target).toBeDefined();
      let count = 0;
      for (let i = at! + 2; i < lines.length && /^\d+\. /.test(lines[i]!); i++) count++;
      expect(count, target).toBe(Number(n));
    }
    for (const [, target] of markdown.matchAll(/\]\(#([^)]+)\)/g)) expect(anchorLine.has(target!), target).toBe(true);
  });

  it('escapes model answers and carries the digest in its front matter', async () => {
    expect(markdown).not.toContain('<script>');
    expect(markdown).not.toContain('<img');
    expect(markdown).toContain('&lt;script&gt;');
    expect(markdown.startsWith('---\nstudioReport:')).toBe(true);
  });
});

describe('JSON-LD report', () => {
  it('holds the runs, results, rules and evidence in PROV-O and EARL terms, and the digest', () => {
    const store = new oxigraph.Store();
    store.load(jsonld, { format: 'application/ld+json' });
    const typed = (cls: string) => store.match(null, oxigraph.namedNode(RDF_TYPE), oxigraph.namedNode(cls), null).length;
    const results = journals.reduce((sum, j) => sum + j.length, 0);
    expect(typed(`${STUDIO}AuditRun`)).toBe(2);
    expect(typed(`${STUDIO}AuditResult`)).toBe(results); // one grader
    expect(typed(`${EARL}TestResult`)).toBe(results);
    expect(typed(`${STUDIO}Response`)).toBe(results);
    expect(typed(`${STUDIO}Prohibition`)).toBe(2);
    const hostile = store.match(null, oxigraph.namedNode(`${STUDIO}responseText`), oxigraph.literal(HOSTILE_ANSWER), null);
    expect(hostile.length).toBe(journals[1]!.length);
    const report = store.match(null, oxigraph.namedNode(RDF_TYPE), oxigraph.namedNode(`${STUDIO}Report`), null)[0]!.subject;
    const derived = store.match(report as oxigraph.NamedNode, oxigraph.namedNode(`${PROV}wasDerivedFrom`), null, null).map((q) => q.object.value);
    expect(derived).toEqual(expect.arrayContaining([fixture.good.iri, fixture.bad.iri, MINI_POLICY]));
  });
});

describe('verify', () => {
  async function reportFiles(dir: string): Promise<Record<string, string>> {
    const files = { html: path.join(dir, 'r.html'), md: path.join(dir, 'r.md'), jsonld: path.join(dir, 'r.jsonld') };
    await writeFile(files.html, html);
    await writeFile(files.md, markdown);
    await writeFile(files.jsonld, jsonld);
    return files;
  }

  it('reads the same digest back from every format', async () => {
    const files = await reportFiles(await copyDataDir(fixture));
    for (const file of Object.values(files)) expect(await readReportDigest(file), file).toEqual(data.digest);
  });

  it('passes on untouched runs, from every format', async () => {
    const files = await reportFiles(await copyDataDir(fixture));
    for (const file of Object.values(files)) {
      const v = await verifyReport(file, auditsDir(fixture.dataDir));
      expect(v.ok, file).toBe(true);
      expect(v.runs.map((r) => r.results?.status)).toEqual(['intact', 'intact']);
    }
  });

  it('fails, naming the run and the line, after a result line is altered', async () => {
    const dataDir = await copyDataDir(fixture);
    const files = await reportFiles(dataDir);
    const file = path.join(auditsDir(dataDir), fixture.bad.id, 'results.jsonl');
    const lines = (await readFile(file, 'utf8')).split('\n');
    const record = JSON.parse(lines[2]!);
    record.response = record.response.replace('nobody will mind', 'nobody minds');
    lines[2] = JSON.stringify(record);
    await writeFile(file, lines.join('\n'));
    for (const report of Object.values(files)) {
      const v = await verifyReport(report, auditsDir(dataDir));
      expect(v.ok).toBe(false);
      expect(v.runs[0]!.ok).toBe(true);
      expect(v.runs[1]).toMatchObject({ run: fixture.bad.id, results: { status: 'altered', line: 3 } });
    }
    const cli = studio(['report', 'verify', files.md!, '--data-dir', dataDir]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`${fixture.bad.id}: results.jsonl ALTERED at ${file}:3`);
    expect(cli.stdout).toContain(`${fixture.good.id}: results.jsonl intact`);
  });

  it('fails after the last result line is removed, and passes when lines were only added', async () => {
    const dataDir = await copyDataDir(fixture);
    const files = await reportFiles(dataDir);
    const file = path.join(auditsDir(dataDir), fixture.good.id, 'results.jsonl');
    const text = await readFile(file, 'utf8');
    const lines = text.trimEnd().split('\n');
    await writeFile(file, `${lines.slice(0, -1).join('\n')}\n`);
    const v = await verifyReport(files.jsonld!, auditsDir(dataDir));
    expect(v.ok).toBe(false);
    expect(v.runs[0]).toMatchObject({ run: fixture.good.id, results: { status: 'removed', lines: lines.length - 1 } });
    const cli = studio(['report', 'verify', files.html!, '--data-dir', dataDir]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(`${fixture.good.id}: results.jsonl REMOVED`);
    expect(cli.stdout).toContain(`line ${lines.length} was removed`);

    // Restored, then extended by a line chained after the last: what the report summarised is intact.
    await writeFile(file, text);
    const { chainOf } = await import('../../src/auditors/journal.js');
    const { chain, ...last } = JSON.parse(lines.at(-1)!);
    const extra = { ...last, case: `${last.case}-later` };
    await writeFile(file, `${text}${JSON.stringify({ ...extra, chain: chainOf(chain, extra) })}\n`);
    const later = await verifyReport(files.html!, auditsDir(dataDir));
    expect(later.ok).toBe(true);
    expect(later.runs[0]!.results).toMatchObject({ status: 'intact', since: 1 });
  });
});

describe('studio report', () => {
  it('writes each text format from the command line, and verify passes on it', async () => {
    const dataDir = await copyDataDir(fixture);
    for (const format of ['html', 'md', 'jsonld']) {
      const out = path.join(dataDir, `report.${format}`);
      const made = studio(['report', '--policy', MINI_POLICY, '--format', format, '--out', out, '--data-dir', dataDir]);
      expect(made.stderr).toBe('');
      expect(made.code).toBe(0);
      expect(made.stdout).toContain(`${fixture.bad.id} (${journals[1]!.length} lines`);
      const verified = studio(['report', 'verify', out, '--data-dir', dataDir]);
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    }
    const one = path.join(dataDir, 'one.md');
    expect(studio(['report', '--policy', MINI_POLICY, '--runs', fixture.bad.id, '--format', 'md', '--out', one, '--data-dir', dataDir]).code).toBe(0);
    expect((await readReportDigest(one)).runs.map((r) => r.run)).toEqual([fixture.bad.id]);
    const unknown = studio(['report', '--policy', 'https://example.org/none#p', '--out', one, '--data-dir', dataDir]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('https://example.org/none#p');
  }, 120_000);
});
