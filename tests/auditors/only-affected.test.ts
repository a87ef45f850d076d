/**
 * Re-auditing only what a policy change affects (studio audit run
 * --only-affected --since <run>), on the embedded store against the local
 * OpenAI-compatible server: after an edit of one rule, only the scenarios of
 * that rule and of the rules depending on it are asked again; every other
 * result is carried over unchanged from the earlier run with the run it came
 * from, so the new run is complete; a run that cannot stand for this one is
 * refused with the reason.
 */

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditsDir, writeRunGraph, type AuditOptions } from '../../src/auditors/audit-run.js';
import { readJournal, verifyChain, type Chained } from '../../src/auditors/journal.js';
import type { ResultRecord } from '../../src/auditors/result-record.js';
import { RunFolder } from '../../src/auditors/run-folder.js';
import { runGeneration } from '../../src/cli/commands/generate.js';
import { affectedRules, ruleDigests } from '../../src/evolution/rule-digests.js';
import { readSnapshot } from '../../src/evolution/snapshot.js';
import { buildChangeReport, renderChangeReport } from '../../src/reports/change-report.js';
import { AuditRunError } from '../../src/errors.js';
import { parseTurtle, readTurtle } from '../../src/rdf/turtle.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import type { GraphStore } from '../../src/store/graph-store.js';
import { preparePolicy } from '../../src/validation/upload-check.js';
import { toChecked } from '../../src/cli/commands/load.js';
import { OpenAiTestServer, reply } from '../helpers/openai-server.js';
import { MINI, freshAudit, targetClient } from './suite-fixture.js';

const M = 'https://example.org/mini#';

let base: string;
let server: OpenAiTestServer;
let store: GraphStore | undefined;

beforeAll(async () => {
  base = (await readTurtle(MINI)).text;
  // Any answer will do: what is tested is which scenarios are asked, not how they are graded.
  server = await OpenAiTestServer.start({ script: (request) => reply.chat(`Answer ${request.body.messages.length}: I cannot help with that.`) });
  return () => server.close();
});
afterEach(async () => {
  await store?.close();
  store = undefined;
});

/** A data folder with the mini policy (edited by `edit`) loaded and its suite exported; returns the suite's records. */
async function loadAndExport(dataDir: string, text: string, out: string, options: { readonly facts?: boolean } = {}): Promise<{ suite: string; records: any[] }> {
  store ??= await EmbeddedStore.open({ dataDir });
  const source = { file: MINI, text, baseIri: `file://${path.resolve(MINI)}` };
  // With `facts`, loaded as `studio load` does: parsed once, the version's facts kept with it (evolution/version-facts.ts).
  await store.loadPolicy(source, undefined, options.facts ? toChecked(preparePolicy(source, parseTurtle(source))) : undefined);
  const [summary] = await runGeneration(store, { seed: 1, out: path.join(dataDir, out) });
  const suite = path.join(summary!.exports!.folder, 'eval.jsonl');
  return { suite, records: (await readFile(suite, 'utf8')).trim().split('\n').map((l) => JSON.parse(l)) };
}

function audit(dataDir: string, suite: string, extra: Partial<AuditOptions> = {}) {
  return freshAudit(store!, dataDir, suite, server.baseUrl, extra);
}

async function results(dataDir: string, runId: string): Promise<ResultRecord[]> {
  return (await readJournal<ResultRecord>((await RunFolder.open(auditsDir(dataDir), runId)).results)).records;
}

describe('the rules a change affects', () => {
  it('are the changed rule and, transitively, the rules that refer to it or are its exceptions', () => {
    const before = ruleDigests(readSnapshot(parseTurtle({ file: MINI, text: base, baseIri: 'file:///mini.ttl' })));
    const edited = base.replace('studio:text "Employees must not accept gifts from suppliers."', 'studio:text "Employees must not accept gifts or hospitality from suppliers."');
    const affected = affectedRules(before, readSnapshot(parseTurtle({ file: MINI, text: edited, baseIri: 'file:///mini.ttl' })));
    expect(affected.changed).toEqual([`${M}gifts-001`]);
    expect(affected.removed).toEqual([]);
    expect(affected.dependents.map((d) => [d.rule, d.via])).toEqual(
      expect.arrayContaining([
        [`${M}gifts-002`, 'refersTo'],
        [`${M}gifts-003`, 'exceptionTo'],
      ]),
    );
    expect([...affected.all].some((r) => r.startsWith(`${M}conf-`))).toBe(false);
  });

  it("leave a section's rules alone when only the section's source text changed", () => {
    const before = ruleDigests(readSnapshot(parseTurtle({ file: MINI, text: base, baseIri: 'file:///mini.ttl' })));
    const edited = base.replace('Gifts of nominal value are allowed."', 'Gifts of nominal value are allowed, within limits."');
    expect(edited).not.toBe(base);
    expect(affectedRules(before, readSnapshot(parseTurtle({ file: MINI, text: edited, baseIri: 'file:///mini.ttl' }))).all.size).toBe(0);
  });

  it('include a rule whose threshold changed though its text did not, and a removed rule', () => {
    const before = ruleDigests(readSnapshot(parseTurtle({ file: MINI, text: base, baseIri: 'file:///mini.ttl' })));
    const unchanged = affectedRules(before, readSnapshot(parseTurtle({ file: MINI, text: base, baseIri: 'file:///mini.ttl' })));
    expect(unchanged.all.size).toBe(0);
    expect(base).toContain('studio:maxInclusive "50"^^xsd:decimal');
    const edited = base.replace('studio:maxInclusive "50"^^xsd:decimal', 'studio:maxInclusive "75"^^xsd:decimal');
    const affected = affectedRules(before, readSnapshot(parseTurtle({ file: MINI, text: edited, baseIri: 'file:///mini.ttl' })));
    expect(affected.changed).toContain(`${M}gifts-003`);
  });
});

describe('studio audit run --only-affected --since', () => {
  it('asks only the scenarios of the edited rule and its dependents, and carries every other result over', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-affected-'));
    const first = await loadAndExport(dataDir, base, 'v1');
    const a = await audit(dataDir, first.suite);
    expect(a.asked).toBe(first.records.length);
    const before = new Map((await results(dataDir, a.run.id)).map((r) => [r.case, r]));

    const edited = base.replace('studio:text "Managers may share confidential information with colleagues."', 'studio:text "Managers may share confidential information with colleagues who need it for their work."');
    const second = await loadAndExport(dataDir, edited, 'v2');
    const requestsBefore = server.chatRequests().length;
    const b = await audit(dataDir, second.suite, { since: a.run.id });

    expect(b.carriedOver?.changed).toEqual([`${M}conf-003`]);
    const affected = new Set([`${M}conf-003`, ...(await dependentsOf(edited, `${M}conf-003`))]);
    const mustAsk = second.records.filter((r) => (r.metadata.rules as string[]).some((rule) => affected.has(rule)) || !before.has(r.id));
    expect(mustAsk.length).toBeGreaterThan(0);
    expect(mustAsk.length).toBeLessThan(second.records.length);
    expect(b.asked).toBe(mustAsk.length);
    expect(server.chatRequests().length - requestsBefore).toBe(mustAsk.length);
    expect(b.carriedOver?.results).toBe(second.records.length - mustAsk.length);

    // The new run is complete: one result per scenario of the new suite, the carried ones as they were.
    const after = await results(dataDir, b.run.id);
    expect(after.map((r) => r.case).sort()).toEqual(second.records.map((r) => r.id).sort());
    const asked = new Set(mustAsk.map((r) => r.id));
    for (const r of after) {
      if (asked.has(r.case)) {
        expect(r.carriedOverFrom).toBeUndefined();
        continue;
      }
      expect(r.carriedOverFrom).toBe(a.run.iri);
      const { chain: _c, ...earlier } = before.get(r.case) as ResultRecord & { chain: string };
      const { chain: _d, carriedOverFrom: _f, ...now } = r as ResultRecord & { chain: string };
      expect(now).toEqual(earlier);
    }

    // In the graph: the run was informed by the earlier one and carries its results by reference, holding only those
    // asked again; read through the queries, it has every result, the carried ones as the earlier run's.
    const ownInGraph = await store!.query(
      `SELECT (COUNT(DISTINCT ?response) AS ?n) WHERE { GRAPH ?g { ?response a <https://w3id.org/alignment-studio/ns#Response> ; <http://www.w3.org/ns/prov#wasGeneratedBy> <${b.run.iri}> } }`,
    );
    expect(ownInGraph.kind === 'rows' && Number(ownInGraph.rows[0]!.n)).toBe(mustAsk.length);
    const read = await store!.namedQuery('audit-results', { run: b.run.iri });
    expect(new Set(read.map((r) => r.scenario))).toEqual(new Set(second.records.map((r) => r.id)));
    expect(read.filter((r) => String(r.result).startsWith(`${a.run.iri}/`)).map((r) => r.scenario)).toEqual(read.filter((r) => !asked.has(String(r.scenario))).map((r) => r.scenario));
    const informed = await store!.query(`ASK { GRAPH ?g { <${b.run.iri}> <http://www.w3.org/ns/prov#wasInformedBy> <${a.run.iri}> } }`);
    expect(informed).toEqual({ kind: 'boolean', value: true });

    // The change report: what changed, what it touched, what was re-tested, results before and after.
    const report = await buildChangeReport(auditsDir(dataDir), b.run.id);
    const conf = report.rules.find((r) => r.rule === `${M}conf-003`)!;
    expect(conf).toMatchObject({ why: 'changed', textBefore: 'Managers may share confidential information with colleagues.' });
    expect(conf.textAfter).toMatch(/who need it for their work/);
    const confScenarios = (rs: { metadata: { rules: string[] } }[]) => rs.filter((r) => r.metadata.rules.includes(`${M}conf-003`)).length;
    const total = (c: { passed: number; failed: number; cantTell: number } | undefined) => (c ? c.passed + c.failed + c.cantTell : 0);
    expect(total(conf.before)).toBe(confScenarios(first.records));
    expect(total(conf.after)).toBe(confScenarios(second.records));
    expect(report.rules.filter((r) => r.why === 'depends').map((r) => r.rule).sort()).toEqual([...affected].filter((r) => r !== `${M}conf-003`).sort());
    expect(report.scenarios).toEqual({ total: second.records.length, gradedAnew: mustAsk.length, carriedOver: b.carriedOver?.results });
    expect(total(report.totals.after)).toBe(second.records.length);
    const markdown = renderChangeReport(report, 'md');
    expect(markdown).toContain(`Of its ${second.records.length} scenarios, ${mustAsk.length} were graded anew`);
    expect(markdown).toContain('| https://example.org/mini\\#conf-003 | changed | Managers may share confidential information with colleagues. | Managers may share');
    const html = renderChangeReport(report, 'html');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('who need it for their work');
    await expect(buildChangeReport(auditsDir(dataDir), a.run.id)).rejects.toThrow(/not made with --only-affected/);

    // A third run since the second carries the results over still named by the run that asked them.
    const c = await audit(dataDir, second.suite, { since: b.run.id });
    expect(c.asked).toBe(0);
    for (const r of await results(dataDir, c.run.id)) expect(r.carriedOverFrom).toBe(asked.has(r.case) ? b.run.iri : a.run.iri);
    // A run that carried every result names its graders and rules still when its graph is written again from its folder
    // alone (studio audit graph), though it reads the carried results only as far as their scenario and rules.
    const before2 = await store!.query(`SELECT ?s ?p ?o WHERE { GRAPH <https://w3id.org/alignment-studio/id/graph/audit/${c.run.id}> { ?s ?p ?o } }`);
    await writeRunGraph(store!, await RunFolder.open(auditsDir(dataDir), c.run.id));
    const again = await store!.query(`SELECT ?s ?p ?o WHERE { GRAPH <https://w3id.org/alignment-studio/id/graph/audit/${c.run.id}> { ?s ?p ?o } }`);
    const rows = (q: typeof again) => (q.kind === 'rows' ? q.rows.map((r) => JSON.stringify(r)).sort() : []);
    expect(rows(again)).toEqual(rows(before2));
    expect(rows(again).some((r) => r.includes('wasAssociatedWith'))).toBe(true);
    expect(rows(again).some((r) => r.includes('conf-003'))).toBe(true);

    // The carried lines are written as bytes of the earlier journal, and the chain holds over them, as a verifier reads it.
    for (const run of [b, c]) expect(verifyChain((await readJournal<Chained<ResultRecord>>((await RunFolder.open(auditsDir(dataDir), run.run.id)).results)).records).brokenAt).toBeUndefined();
  }, 120_000);

  it('carries the same results from a suite written otherwise, asks a scenario whose messages changed, and resumes a killed run losing nothing', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-affected-'));
    const first = await loadAndExport(dataDir, base, 'v1');
    const a = await audit(dataDir, first.suite);
    const edited = base.replace('studio:text "Managers may share confidential information with colleagues."', 'studio:text "Managers may share confidential information with colleagues who need it for their work."');
    const second = await loadAndExport(dataDir, edited, 'v2');
    const b = await audit(dataDir, second.suite, { since: a.run.id });
    const carriedInB = (await results(dataDir, b.run.id)).filter((r) => r.carriedOverFrom).map((r) => r.case).sort();
    expect(carriedInB.length).toBe(b.carriedOver?.results);

    // The same suite with CRLF line ends, a blank line, each message's keys the other way round and spaces between
    // tokens: no line is read as bytes, every one is parsed, and the same results are carried. One scenario of an
    // unaffected rule now asks something else: it is asked again.
    const changed = second.records.find((r) => carriedInB.includes(r.id))!;
    const otherwise = path.join(dataDir, 'otherwise.jsonl');
    const lines = second.records.map((r) => {
      const messages = r.id === changed.id ? [...r.messages.slice(0, -1), { role: 'user', content: `${r.messages.at(-1).content} Please answer briefly.` }] : r.messages;
      return JSON.stringify({ ...r, messages: messages.map((m: { role: string; content: string }) => ({ content: m.content, role: m.role })) }, null, 1).replace(/\n/g, ' ');
    });
    await writeFile(otherwise, `${lines[0]}\r\n\r\n${lines.slice(1).join('\r\n')}\r\n`);
    const d = await audit(dataDir, otherwise, { since: a.run.id });
    const carriedInD = (await results(dataDir, d.run.id)).filter((r) => r.carriedOverFrom).map((r) => r.case).sort();
    expect(carriedInD).toEqual(carriedInB.filter((id) => id !== changed.id));
    expect(d.asked).toBe(b.asked + 1);
    // The same change in a suite written as studio writes it, where lines are read as bytes.
    const asWritten = path.join(dataDir, 'as-written.jsonl');
    await writeFile(asWritten, second.records.map((r) => JSON.stringify(r.id === changed.id ? { ...r, messages: [...r.messages.slice(0, -1), { role: 'user', content: `${r.messages.at(-1).content} Please answer briefly.` }] } : r)).join('\n') + '\n');
    const e = await audit(dataDir, asWritten, { since: a.run.id });
    expect((await results(dataDir, e.run.id)).filter((r) => r.carriedOverFrom).map((r) => r.case).sort()).toEqual(carriedInD);
    expect(e.asked).toBe(b.asked + 1);

    // A run killed part way: its journal holds some lines, the last torn. Run again, it carries on: every scenario has
    // one result, only the scenarios to ask that were not written are asked, and the chain holds.
    const folder = await RunFolder.open(auditsDir(dataDir), b.run.id);
    const written = (await readFile(folder.results, 'utf8')).split('\n').filter(Boolean);
    const kept = written.slice(0, Math.floor(written.length / 2));
    await writeFile(folder.results, `${kept.join('\n')}\n${written[kept.length]!.slice(0, 40)}`);
    const manifest = path.join(folder.folder, RunFolder.MANIFEST);
    await writeFile(manifest, JSON.stringify({ ...JSON.parse(await readFile(manifest, 'utf8')), finishedAt: undefined }));
    const resumed = await audit(dataDir, second.suite, { since: a.run.id, fresh: false });
    expect(resumed.resumed).toBe(true);
    expect(resumed.run.id).toBe(b.run.id);
    expect(resumed.repairedBytes).toBe(40);
    const keptAsked = kept.map((l) => JSON.parse(l)).filter((r) => !r.carriedOverFrom).length;
    expect(resumed.asked).toBe(b.asked - keptAsked);
    const after = await readJournal<Chained<ResultRecord>>(folder.results);
    expect(after.records.map((r) => r.case).sort()).toEqual(second.records.map((r) => r.id).sort());
    expect(after.records.filter((r) => r.carriedOverFrom).map((r) => r.case).sort()).toEqual(carriedInB);
    expect(verifyChain(after.records).brokenAt).toBeUndefined();

    // With a filter the suite is read as readSuite reads it: the first scenarios only, carried or asked as before.
    const limited = await audit(dataDir, second.suite, { since: a.run.id, filter: { limit: 7 } });
    const firstSeven = second.records.slice(0, 7).map((r) => r.id);
    expect((await results(dataDir, limited.run.id)).map((r) => r.case).sort()).toEqual([...firstSeven].sort());
    expect(limited.carriedOver?.results).toBe(firstSeven.filter((id) => carriedInB.includes(id)).length);

    // An earlier journal edited since it was written is not carried from: its line is named.
    const aResults = (await RunFolder.open(auditsDir(dataDir), a.run.id)).results;
    const aLines = (await readFile(aResults, 'utf8')).split('\n');
    await writeFile(aResults, aLines.map((l, i) => (i === 2 ? l.replace(/"outcome":"(passed|failed)"/, '"outcome":"cantTell"') : l)).join('\n'));
    await expect(audit(dataDir, second.suite, { since: a.run.id })).rejects.toThrow(/results\.jsonl:3: this line no longer follows the journal's hash chain/);
  }, 120_000);

  it("takes the loaded version's snapshot and digests from the facts kept when it was loaded, without exporting the policy's graph", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-affected-'));
    const first = await loadAndExport(dataDir, base, 'v1', { facts: true });
    const a = await audit(dataDir, first.suite);
    const edited = base.replace('studio:text "Managers may share confidential information with colleagues."', 'studio:text "Managers may share confidential information with colleagues who need it for their work."');
    const second = await loadAndExport(dataDir, edited, 'v2', { facts: true });
    const exported: string[] = [];
    const real = store!;
    store = new Proxy(real, { get: (target, key) => (key === 'exportQuads' ? (policy?: string) => (exported.push(String(policy)), target.exportQuads(policy)) : Reflect.get(target, key, target)) });
    try {
      const b = await audit(dataDir, second.suite, { since: a.run.id });
      expect(b.carriedOver?.changed).toEqual([`${M}conf-003`]);
      expect(b.carriedOver?.removed).toEqual([]);
      expect(b.carriedOver?.dependents).toBe((await dependentsOf(edited, `${M}conf-003`)).length);
      expect(b.carriedOver?.results).toBeGreaterThan(0);
      expect(exported).toEqual([]);
    } finally {
      store = real;
    }
  }, 120_000);

  it('refuses a run of another model, an unfinished run, and a run made before digests were kept', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-affected-'));
    const { suite } = await loadAndExport(dataDir, base, 'v1');
    const a = await audit(dataDir, suite, { filter: { limit: 3 } });
    await expect(audit(dataDir, suite, { since: a.run.id, target: targetClient(server.baseUrl, { model: 'another-model' }) })).rejects.toThrow(/another-model/);
    await expect(audit(dataDir, suite, { since: 'no-such-run' })).rejects.toThrow(AuditRunError);

    const folder = await RunFolder.open(auditsDir(dataDir), a.run.id);
    const manifest = path.join(folder.folder, RunFolder.MANIFEST);
    const saved = JSON.parse(await readFile(manifest, 'utf8'));
    await writeFile(manifest, JSON.stringify({ ...saved, finishedAt: undefined }));
    await expect(audit(dataDir, suite, { since: a.run.id })).rejects.toThrow(/did not finish/);
    await writeFile(manifest, JSON.stringify({ ...saved, policySha256: undefined }));
    await expect(audit(dataDir, suite, { since: a.run.id })).rejects.toThrow(/kept no rule digests/);
  }, 120_000);
});

/** The rules depending on one rule in a version, as the impact walk finds them. */
async function dependentsOf(text: string, rule: string): Promise<string[]> {
  const snapshot = readSnapshot(parseTurtle({ file: MINI, text, baseIri: 'file:///mini.ttl' }));
  const digests = ruleDigests(snapshot);
  digests.set(rule, 'changed');
  return affectedRules(digests, snapshot).dependents.map((d) => d.rule);
}
