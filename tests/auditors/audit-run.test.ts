/**
 * Audit runs against the local OpenAI-compatible server, on the embedded
 * store: every scenario gets one result, attached to its rules in the graph;
 * faults are ridden out or stop the run without losing a result; a stopped
 * run resumes without asking again or duplicating; answers come from the
 * cache on a rerun; two runs compare into buckets and rule changes.
 */

import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditsDir, runAudit, AuditInterruptedError, type AuditOptions } from '../../src/auditors/audit-run.js';
import { compareRuns } from '../../src/auditors/compare.js';
import { DeterministicGrader } from '../../src/auditors/graders/deterministic.js';
import { readJournal } from '../../src/auditors/journal.js';
import type { ResultRecord } from '../../src/auditors/result-record.js';
import { RunFolder } from '../../src/auditors/run-folder.js';
import { summarise } from '../../src/auditors/summary.js';
import { SuiteError } from '../../src/errors.js';
import { readRuleContext } from '../../src/framers/policy-context.js';
import type { GraphStore } from '../../src/store/graph-store.js';
import { OpenAiTestServer, reply, type Script } from '../helpers/openai-server.js';
import { aligned, compliant, makeSuite, messagesKey, MINI_POLICY, openFixtureStore, targetClient, type SuiteFixture } from './suite-fixture.js';

let fixture: SuiteFixture;
let server: OpenAiTestServer | undefined;
let store: GraphStore | undefined;

beforeAll(async () => {
  fixture = await makeSuite();
}, 60_000);
afterEach(async () => {
  await server?.close();
  await store?.close();
  server = undefined;
  store = undefined;
});

async function start(script: Script): Promise<OpenAiTestServer> {
  server = await OpenAiTestServer.start({ script });
  return server;
}

/** A fresh copy of the fixture's data folder per test would cost a generation each; runs are told apart by their settings instead. */
async function audit(s: OpenAiTestServer, extra: Partial<AuditOptions> = {}) {
  store ??= await openFixtureStore(fixture);
  return runAudit({
    store,
    auditsDir: auditsDir(fixture.dataDir),
    suite: fixture.suite,
    target: targetClient(s.baseUrl),
    graders: [new DeterministicGrader()],
    stage: 'Baseline',
    concurrency: 4,
    fresh: true,
    ...extra,
  });
}

async function results(runId: string): Promise<ResultRecord[]> {
  const run = await RunFolder.open(auditsDir(fixture.dataDir), runId);
  return (await readJournal<ResultRecord>(run.results)).records;
}

describe('an audit run', () => {
  it('sends every scenario once, grades it, and records each result on the rules it tests', async () => {
    const s = await start(aligned(fixture));
    const outcome = await audit(s, { noCache: true });
    expect(outcome.suite.cases).toBe(fixture.records.length);
    expect(s.chatRequests()).toHaveLength(fixture.records.length);
    // Each request is the scenario's conversation, with the configured parameters.
    expect(new Set(s.chatRequests().map(messagesKey))).toEqual(new Set(fixture.references.keys()));
    expect(s.chatRequests()[0]!.body).toMatchObject({ model: 'studio-test-model', temperature: 0 });

    const records = await results(outcome.run.id);
    expect(records.map((r) => r.case).sort()).toEqual(fixture.records.map((r) => r.id).sort());
    // Reference answers pass every deterministic check; only checks that need a judge stay open.
    const summary = await summarise(records);
    expect(summary.outcomes.failed).toBe(0);
    expect(summary.outcomes.passed).toBeGreaterThan(fixture.records.length / 2);

    const runs = await store!.namedQuery('audit-runs', { policy: MINI_POLICY });
    const row = runs.find((r) => r.run === outcome.run.iri)!;
    expect(row).toMatchObject({ stage: 'Baseline', model: 'studio-test-model', scenarios: fixture.records.length, passed: summary.outcomes.passed, failed: 0, cantTell: summary.outcomes.cantTell });
    expect(await store!.namedQuery('audit-failing-rules', { run: outcome.run.iri })).toEqual([]);
    // Every rule the suite tests is audited now.
    const tested = new Set(fixture.records.flatMap((r) => r.metadata.rules as string[]));
    const never = (await store!.namedQuery('audit-rules-never-audited', { policy: MINI_POLICY })).map((r) => r.rule);
    for (const rule of never) expect(tested.has(String(rule))).toBe(false);
  });

  it('attaches results as EARL assertions with their evidence, in the run graph', async () => {
    const s = await start(compliant);
    const outcome = await audit(s, { noCache: true, label: 'unaligned' });
    const answer = await store!.query(`
      PREFIX earl: <http://www.w3.org/ns/earl#> PREFIX studio: <https://w3id.org/alignment-studio/ns#> PREFIX prov: <http://www.w3.org/ns/prov#>
      SELECT ?result ?rule ?scenario ?outcome ?reason ?response ?grader WHERE { GRAPH <${outcome.graph.graph}> {
        ?result a studio:AuditResult ; prov:wasGeneratedBy <${outcome.run.iri}> ; studio:testsRule ?rule ; studio:ranScenario ?scenario ;
                earl:assertedBy ?g ; earl:result [ earl:outcome ?outcome ; earl:info ?reason ] ; studio:evidence [ studio:responseText ?response ] .
        ?g studio:graderKind ?grader } }`);
    if (answer.kind !== 'rows') throw new Error('rows expected');
    const failed = answer.rows.filter((r) => r.outcome === 'http://www.w3.org/ns/earl#failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]!.response).toMatch(/^Sure/);
    expect(String(failed[0]!.reason)).toMatch(/refus/i);
    expect(new Set(answer.rows.map((r) => r.grader))).toEqual(new Set(['deterministic']));
    const failing = await store!.namedQuery('audit-failing-rules', { run: outcome.run.iri });
    expect(failing.length).toBeGreaterThan(0);
    expect(failing.map((r) => r.rule)).toContain('https://example.org/mini#gifts-001');
  });

  it('rides out a 429 with Retry-After and a 500, and records one result per scenario', async () => {
    let calls = 0;
    const good = aligned(fixture);
    const s = await start((request) => {
      calls++;
      if (calls === 3) return reply.rateLimited(1);
      if (calls === 7) return reply.serverError(503);
      return good(request);
    });
    const outcome = await audit(s, { noCache: true, concurrency: 1 });
    const records = await results(outcome.run.id);
    expect(records).toHaveLength(fixture.records.length);
    expect(s.chatRequests()).toHaveLength(fixture.records.length + 2);
    const after429 = s.chatRequests()[3]!.at - s.chatRequests()[2]!.at;
    expect(after429).toBeGreaterThanOrEqual(950);
  });

  it('rides out a request never answered, a body cut off mid-JSON and a stalled body', async () => {
    const good = aligned(fixture);
    const s = await start((request) => {
      if (request.chatIndex === 2) return reply.hang();
      if (request.chatIndex === 5) return reply.truncated('Sure');
      if (request.chatIndex === 9) return reply.stall('I cannot', 1);
      return good(request);
    });
    const outcome = await audit(s, { noCache: true, concurrency: 2, filter: { limit: 20 }, target: targetClient(s.baseUrl, { timeoutMs: 400, maxRetries: 2 }) });
    const records = await results(outcome.run.id);
    expect(records).toHaveLength(20);
    expect(s.chatRequests()).toHaveLength(23);
    // The retried scenarios got their real answers, not the broken ones.
    for (const r of records) expect(r.response).toBe(fixture.records.find((c) => c.id === r.case)!.reference);
  });

  it('stops on an endpoint that stays down, keeps what it had, and resumes without asking again or duplicating', async () => {
    const good = aligned(fixture);
    let down = false;
    const s = await start((request) => {
      if (request.chatIndex === 20) down = true;
      return down ? reply.serverError(500) : good(request);
    });
    const stopped = await audit(s, { noCache: true, concurrency: 2, target: targetClient(s.baseUrl, { maxRetries: 0 }), stage: 'BeforeRelease' }).catch((e) => e);
    expect(stopped).toBeInstanceOf(AuditInterruptedError);
    expect(stopped.message).toMatch(/500/);
    expect(stopped.message).toMatch(/Run the same command again to resume/);
    const kept = await results(stopped.run.id);
    expect(kept.length).toBeGreaterThanOrEqual(18);
    expect(kept.length).toBeLessThan(fixture.records.length);

    down = false;
    const before = s.chatRequests().length;
    const resumed = await audit(s, { noCache: true, concurrency: 2, fresh: false, stage: 'BeforeRelease' });
    expect(resumed.resumed).toBe(true);
    expect(resumed.run.id).toBe(stopped.run.id);
    expect(resumed.alreadyDone).toBe(kept.length);
    // Only the scenarios without a result were asked.
    expect(s.chatRequests().length - before).toBe(fixture.records.length - kept.length);
    const all = await results(resumed.run.id);
    expect(all).toHaveLength(fixture.records.length);
    expect(new Set(all.map((r) => r.case)).size).toBe(fixture.records.length);
  });

  it('stops when recording a result fails, while requests are in flight, and resumes with one result per scenario', async () => {
    const s = await start(aligned(fixture, { delayMs: 20 }));
    // Results are recorded while the next requests are already out; a failure there (the progress report, standing in
    // for a full disk) must stop the run as a failed request does, and nothing in flight may be written twice. Answers
    // in before the policy's context wait for it and are then written together, so the context is read beforehand (in
    // the store's aside worker, which the run's own read then finds ready) and the answers are slowed: the failure
    // comes while requests are out.
    store ??= await openFixtureStore(fixture);
    await readRuleContext(store, MINI_POLICY, { aside: true });
    const stopped = await audit(s, {
      noCache: true,
      concurrency: 4,
      stage: 'AfterTraining',
      label: 'recording fails',
      progress: (done) => {
        if (done === 15) throw new Error('progress report failed');
      },
    }).catch((e) => e);
    expect(stopped).toBeInstanceOf(AuditInterruptedError);
    expect(stopped.message).toMatch(/progress report failed[\s\S]*Run the same command again to resume/);
    const kept = await results(stopped.run.id);
    expect(kept.length).toBeGreaterThanOrEqual(15);
    expect(kept.length).toBeLessThan(fixture.records.length);
    expect(stopped.done).toBe(kept.length);

    const resumed = await audit(s, { noCache: true, concurrency: 4, stage: 'AfterTraining', label: 'recording fails', fresh: false });
    expect(resumed.run.id).toBe(stopped.run.id);
    expect(resumed.alreadyDone).toBe(kept.length);
    const all = await results(resumed.run.id);
    expect(all).toHaveLength(fixture.records.length);
    expect(new Set(all.map((r) => r.case)).size).toBe(fixture.records.length);
  });

  it('cuts a torn last line (a write killed half-way) and runs that scenario again', async () => {
    const s = await start(aligned(fixture));
    const first = await audit(s, { stage: 'ProductionMonitoring', filter: { limit: 10 } });
    const run = await RunFolder.open(auditsDir(fixture.dataDir), first.run.id);
    const lines = (await readFile(run.results, 'utf8')).trim().split('\n');
    // Make it look killed: unfinished, the last result half written.
    await writeFile(run.results, `${lines.slice(0, -1).join('\n')}\n${lines.at(-1)!.slice(0, 40)}`);
    const manifest = JSON.parse(await readFile(path.join(run.folder, 'run.json'), 'utf8'));
    delete manifest.finishedAt;
    await writeFile(path.join(run.folder, 'run.json'), JSON.stringify(manifest));

    const resumed = await audit(s, { stage: 'ProductionMonitoring', filter: { limit: 10 }, fresh: false });
    expect(resumed.run.id).toBe(first.run.id);
    expect(resumed.repairedBytes).toBe(40);
    expect(resumed.alreadyDone).toBe(9);
    expect(await results(first.run.id)).toHaveLength(10);
    // A journal damaged before its last line is not guessed at.
    await appendFile(run.results, 'not json\n{"case":"x"}\n');
    await expect(readJournal(run.results)).rejects.toThrow(/results.jsonl:11: not a whole result/);
  });

  it('answers a rerun from the response cache', async () => {
    const s = await start(aligned(fixture));
    await audit(s, { stage: 'AfterTraining', filter: { limit: 12 } });
    const asked = s.chatRequests().length;
    const again = await audit(s, { stage: 'AfterTraining', filter: { limit: 12 } });
    expect(again.resumed).toBe(false);
    expect(again.asked).toBe(0);
    expect(again.fromCache).toBe(12);
    expect(s.chatRequests()).toHaveLength(asked);
  });

  it('compares an aligned and an unaligned model into four buckets and rule changes', async () => {
    const s = await start(aligned(fixture));
    const good = await audit(s, { noCache: true, label: 'aligned' });
    s.script = compliant;
    const bad = await audit(s, { noCache: true, label: 'unaligned' });
    const comparison = await compareRuns(store!, good.run.iri, bad.run.iri);
    expect(comparison.shared).toBe(fixture.records.length);
    expect(comparison.buckets.onlySecond).toBe(0);
    expect(comparison.buckets.onlyFirst).toBeGreaterThan(5);
    expect(comparison.buckets.bothComply + comparison.buckets.onlyFirst + comparison.buckets.bothFail + comparison.buckets.undecided).toBe(fixture.records.length);
    expect(comparison.regressions.map((r) => r.rule)).toContain('https://example.org/mini#gifts-001');
    expect(comparison.improvements).toEqual([]);
    const back = await compareRuns(store!, bad.run.iri, good.run.iri);
    expect(back.improvements.map((r) => r.rule).sort()).toEqual(comparison.regressions.map((r) => r.rule).sort());
  });

  it('grades help with a caution borderline, writes grades to the graph, and lists pass to borderline as a change', async () => {
    const helpDue = new Set(fixture.records.filter((r) => r.expectations.some((e: { kind: string }) => e.kind === 'MustHelp')).map((r) => JSON.stringify(r.messages)));
    expect(helpDue.size).toBeGreaterThan(0);
    const plain: Script = (request) => reply.chat(helpDue.has(messagesKey(request)) ? 'Yes, you can. That is fine under section 1 and section 2.' : (fixture.references.get(messagesKey(request)) ?? ''));
    const cautious: Script = (request) => reply.chat(helpDue.has(messagesKey(request)) ? 'Yes, you can. That is fine under section 1 and section 2. Just make sure you keep a record of it.' : (fixture.references.get(messagesKey(request)) ?? ''));
    const s = await start(plain);
    const first = await audit(s, { noCache: true, label: 'plain help' });
    s.script = cautious;
    const second = await audit(s, { noCache: true, label: 'help with a caution' });

    const before = await summarise(await results(first.run.id));
    const after = await summarise(await results(second.run.id));
    expect(before.borderline).toBe(0);
    expect(after.borderline).toBeGreaterThan(0);
    // Borderline still passes: the pass counts are the same.
    expect(after.outcomes).toEqual(before.outcomes);

    const graded = await store!.query(`
      PREFIX earl: <http://www.w3.org/ns/earl#> PREFIX studio: <https://w3id.org/alignment-studio/ns#> PREFIX prov: <http://www.w3.org/ns/prov#>
      SELECT ?grade (COUNT(*) AS ?n) WHERE { GRAPH <${second.graph.graph}> {
        ?result a studio:AuditResult ; prov:wasGeneratedBy <${second.run.iri}> ; studio:decisive true ; earl:result [ earl:outcome earl:passed ; studio:grade ?grade ] } }
      GROUP BY ?grade`);
    if (graded.kind !== 'rows') throw new Error('rows expected');
    const byGrade = Object.fromEntries(graded.rows.map((r) => [String(r.grade), Number(r.n)]));
    expect(byGrade.borderline).toBe(after.borderline);

    const comparison = await compareRuns(store!, first.run.iri, second.run.iri);
    expect(comparison.regressions).toEqual([]);
    const slipped = comparison.gradeChanges.filter((g) => g.first === 'pass' && g.second === 'borderline');
    expect(slipped.length).toBe(after.borderline);
    expect(new Set(slipped.map((g) => g.change))).toEqual(new Set(['worse']));
    const back = await compareRuns(store!, second.run.iri, first.run.iri);
    expect(back.gradeChanges.map((g) => [g.first, g.second, g.change])).toEqual(slipped.map(() => ['borderline', 'pass', 'better']));
    expect(comparison.scenarios.find((x) => x.scenario === slipped[0]!.scenario)).toMatchObject({ firstGrade: 'pass', secondGrade: 'borderline', bucket: 'bothComply' });
  });

  it('refuses a suite line it cannot run, naming the file and line', async () => {
    const s = await start(aligned(fixture));
    const bad = path.join(fixture.dataDir, 'bad-suite.jsonl');
    const lines = (await readFile(fixture.suite, 'utf8')).trim().split('\n');
    const broken = JSON.parse(lines[2]!);
    broken.messages = [];
    await writeFile(bad, [lines[0], lines[1], JSON.stringify(broken)].join('\n') + '\n');
    const error = await audit(s, { suite: bad }).catch((e) => e);
    expect(error).toBeInstanceOf(SuiteError);
    expect(error.message).toBe(`${bad}:3: "messages" must be a non-empty list of chat turns`);
    expect(s.chatRequests()).toHaveLength(0);
  });
});
