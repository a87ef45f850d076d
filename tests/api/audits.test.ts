/**
 * The audit routes over real HTTP, on the embedded store holding two runs of
 * the mini policy's suite (an aligned and an unaligned model): runs and
 * status, results with their evidence, failing rules, comparison, stale
 * results; roles, unknown runs and hostile parameters.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditsDir, runAudit } from '../../src/auditors/audit-run.js';
import { DeterministicGrader } from '../../src/auditors/graders/deterministic.js';
import type { RunManifest } from '../../src/auditors/run-folder.js';
import type { GraphStore } from '../../src/store/graph-store.js';
import { OpenAiTestServer } from '../helpers/openai-server.js';
import { aligned, compliant, makeSuite, MINI_POLICY, openFixtureStore, TARGET_MODEL, targetClient, type SuiteFixture } from '../auditors/suite-fixture.js';
import { LLM_DEFAULTS } from '../../src/llm/llm-config.js';
import { startApi, type Api } from './harness.js';
import { RunFolder } from '../../src/auditors/run-folder.js';
import { importHumanVerdicts } from '../../src/auditors/human-import.js';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

let fixture: SuiteFixture;
let store: GraphStore;
let api: Api;
let good: RunManifest;
let bad: RunManifest;

beforeAll(async () => {
  fixture = await makeSuite();
  store = await openFixtureStore(fixture);
  const server = await OpenAiTestServer.start({ script: aligned(fixture) });
  const run = (label: string) =>
    runAudit({ store, auditsDir: auditsDir(fixture.dataDir), suite: fixture.suite, target: targetClient(server.baseUrl), graders: [new DeterministicGrader()], stage: 'Baseline', label, fresh: true, noCache: true });
  good = (await run('aligned')).run;
  server.script = compliant;
  bad = (await run('unaligned')).run;
  await server.close();
  api = await startApi(store);
}, 120_000);
afterAll(async () => {
  await api?.close();
});

const enc = encodeURIComponent;

describe('audit routes', () => {
  it("lists a policy's runs with their outcomes, and where its audits stand", async () => {
    const reply = await api.call('GET', `/v1/policies/${enc(MINI_POLICY)}/audits`, { as: 'reader' });
    expect(reply.status).toBe(200);
    expect(reply.body.runs.items.map((r: any) => r.run)).toEqual([good.iri, bad.iri]);
    expect(reply.body.runs.items[0]).toMatchObject({ stage: 'Baseline', model: 'studio-test-model', scenarios: fixture.records.length, failed: 0, endedAt: expect.any(String) });
    expect(reply.body.runs.items[1].failed).toBeGreaterThan(0);
    expect(reply.body).toMatchObject({ rulesNeverAudited: expect.any(Number), rulesWithoutTests: expect.any(Number), staleResults: 0 });
    const page = await api.call('GET', `/v1/policies/${enc(MINI_POLICY)}/audits?limit=1&offset=1`, { as: 'reader' });
    expect(page.body.runs).toMatchObject({ total: 2, limit: 1, offset: 1, items: [{ run: bad.iri }] });
  });

  it("pages a run's results with their evidence, filtered by outcome and by rule", async () => {
    const all = await api.call('GET', `/v1/audits/${enc(bad.iri)}/results?limit=500`, { as: 'reader' });
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(fixture.records.length);
    const failed = await api.call('GET', `/v1/audits/${enc(bad.iri)}/results?outcome=failed&limit=500`, { as: 'auditor' });
    expect(failed.body.total).toBeGreaterThan(0);
    const suite = new Map(fixture.records.map((r: any) => [r.id, r.messages]));
    // The scenario's own conversation: the suite sent it after the policy's system prompt.
    for (const r of all.body.items) expect(r.messages, r.scenario).toEqual(suite.get(r.scenario).filter((m: any) => m.role !== 'system').map((m: any) => ({ role: m.role, content: m.content })));
    expect(all.body.items.every((r: any) => r.messages.length > 0)).toBe(true);
    for (const r of failed.body.items) {
      expect(r).toMatchObject({ outcome: 'failed', graderKind: 'deterministic', response: expect.stringMatching(/^Sure/) });
      expect(r.reason.length).toBeGreaterThan(10);
    }
    const rule = 'https://example.org/mini#gifts-001';
    const forRule = await api.call('GET', `/v1/audits/${enc(bad.iri)}/results?rule=${enc(rule)}&limit=500`, { as: 'reader' });
    expect(forRule.body.total).toBeGreaterThan(0);
    for (const r of forRule.body.items) expect(r.rules).toContain(rule);
    const failing = await api.call('GET', `/v1/audits/${enc(bad.iri)}/failing-rules`, { as: 'reader' });
    expect(failing.body.items.map((r: any) => r.rule)).toContain(rule);
    expect((await api.call('GET', `/v1/audits/${enc(good.iri)}/failing-rules`, { as: 'reader' })).body.total).toBe(0);
  });

  it("filters rules by whether they fail in their policy's latest run, and gives each its failures", async () => {
    // Failing rules of the run include exceptions and definitions its scenarios test: the rule list holds only rules.
    const all = await api.call('GET', `/v1/rules?policy=${enc(MINI_POLICY)}&details=true`, { as: 'reader' });
    const listed = new Set(all.body.items.map((r: any) => r.rule));
    const failing = await api.call('GET', `/v1/audits/${enc(bad.iri)}/failing-rules?limit=500`, { as: 'reader' });
    const expected = new Map<string, number>(failing.body.items.filter((r: any) => listed.has(r.rule)).map((r: any) => [r.rule, r.failed]));
    expect(expected.size).toBeGreaterThan(2);
    const only = await api.call('GET', `/v1/rules?policy=${enc(MINI_POLICY)}&failing=true&details=true`, { as: 'reader' });
    expect(only.status, only.text).toBe(200);
    expect(only.body.items.map((r: any) => r.rule)).toEqual([...expected.keys()].sort());
    for (const r of only.body.items) expect(r.failed).toBe(expected.get(r.rule));
    const not = await api.call('GET', `/v1/rules?policy=${enc(MINI_POLICY)}&failing=false`, { as: 'reader' });
    expect(not.body.total).toBe(all.body.total - expected.size);
    for (const r of all.body.items) expect(r.failed).toBe(expected.get(r.rule) ?? 0);
  });

  it('compares two runs into buckets and rule changes', async () => {
    const reply = await api.call('GET', `/v1/audits/compare?first=${enc(good.iri)}&second=${enc(bad.iri)}&limit=5`, { as: 'reader' });
    expect(reply.status).toBe(200);
    expect(reply.body.shared).toBe(fixture.records.length);
    expect(reply.body.buckets.onlyFirst).toBeGreaterThan(0);
    expect(reply.body.scenarios).toMatchObject({ total: fixture.records.length, limit: 5 });
    expect(reply.body.regressions.map((r: any) => r.rule)).toContain('https://example.org/mini#gifts-001');
    const same = await api.call('GET', `/v1/audits/compare?first=${enc(good.iri)}&second=${enc(good.iri)}`, { as: 'reader' });
    expect(same.status).toBe(400);
  });

  it('answers unknown runs with 404, hostile parameters with 400, and no token with 401, changing nothing', async () => {
    const before = await api.snapshot();
    const unknown = await api.call('GET', `/v1/audits/${enc('https://w3id.org/alignment-studio/id/audit/20990101T000000Z-abcdef')}/results`, { as: 'reader' });
    expect(unknown.status).toBe(404);
    expect(unknown.contentType).toMatch(/application\/problem\+json/);
    expect(unknown.body.detail).toMatch(/No audit run/);
    expect((await api.call('GET', `/v1/audits/${enc(MINI_POLICY)}/results`, { as: 'reader' })).status).toBe(404);
    const injected = await api.call('GET', `/v1/audits/${enc(bad.iri)}/results?rule=${enc('x> } ; DROP ALL ; #')}`, { as: 'reader' });
    expect(injected.status).toBe(400);
    expect((await api.call('GET', `/v1/audits/${enc(bad.iri)}/results?outcome=maybe`, { as: 'reader' })).status).toBe(400);
    expect((await api.call('GET', `/v1/audits/${enc(bad.iri)}/results?limit=100000`, { as: 'reader' })).status).toBe(400);
    expect((await api.call('GET', `/v1/audits/${enc(bad.iri)}/results`, { as: 'nobody' })).status).toBe(401);
    expect((await api.call('GET', `/v1/policies/${enc('https://example.org/none')}/audits`, { as: 'reader' })).status).toBe(404);
    expect(await api.snapshot()).toBe(before);
  });

  it('runs an audit as a job for an auditor, records it, and shows it on the rule', async () => {
    const target = await OpenAiTestServer.start({ script: compliant });
    const withTarget = await startApi(store, { audit: { dataDir: fixture.dataDir, target: { ...LLM_DEFAULTS, baseUrl: target.baseUrl, model: TARGET_MODEL, parameters: {} } } });
    try {
      const body = { kind: 'audit', policy: MINI_POLICY, families: ['redteam'], label: 'through the API', stage: 'BeforeRelease' };
      expect((await withTarget.call('POST', '/v1/jobs', { as: 'engineer', json: body })).status).toBe(403);
      const started = await withTarget.call('POST', '/v1/jobs', { as: 'auditor', json: body });
      expect(started.status, started.text).toBe(202);
      let job = started.body;
      for (let i = 0; i < 600 && (job.state === 'queued' || job.state === 'running'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        job = (await withTarget.call('GET', `/v1/jobs/${job.id}`, { as: 'reader' })).body;
      }
      expect(job.state, JSON.stringify(job)).toBe('succeeded');
      const redteam = fixture.records.filter((r) => r.metadata.family === 'redteam').length;
      expect(job.result).toMatchObject({ scenarios: redteam, asked: redteam, resumed: false });
      expect(target.chatRequests()).toHaveLength(redteam);
      const results = await withTarget.call('GET', `/v1/audits/${enc(job.result.run)}/results?limit=500`, { as: 'reader' });
      expect(results.body.total).toBe(redteam);
      const runs = (await withTarget.call('GET', `/v1/policies/${enc(MINI_POLICY)}/audits`, { as: 'reader' })).body.runs.items;
      expect(runs.at(-1)).toMatchObject({ run: job.result.run, stage: 'BeforeRelease', failed: job.result.failed });
      const rule = await withTarget.call('GET', `/v1/rules/${enc('https://example.org/mini#gifts-001')}`, { as: 'reader' });
      expect(rule.body.audits.map((a: any) => a.run)).toContain(job.result.run);
    } finally {
      await withTarget.close();
      await target.close();
    }
  }, 120_000);

  it('refuses an audit job when the server has no model to audit', async () => {
    const before = await api.snapshot();
    const refused = await api.call('POST', '/v1/jobs', { as: 'auditor', json: { kind: 'audit', policy: MINI_POLICY } });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/STUDIO_TARGET_BASE_URL/);
    expect(await api.snapshot()).toBe(before);
  });

  it("serves the policy's provenance report in HTML, Markdown and JSON-LD", async () => {
    const withRuns = await startApi(store, { audit: { dataDir: fixture.dataDir } });
    try {
      const at = `/v1/policies/${enc(MINI_POLICY)}/report`;
      const html = await withRuns.call('GET', `${at}?runs=${good.id},${bad.id}`, { as: 'reader' });
      expect(html.status, html.text).toBe(200);
      expect(html.contentType).toMatch(/^text\/html/);
      expect(html.text).toContain('studio-report-digest');
      expect(html.text).toContain(bad.id);
      const md = await withRuns.call('GET', `${at}?format=md&runs=${bad.id}`, { as: 'auditor' });
      expect(md.contentType).toMatch(/^text\/markdown/);
      expect(md.text).toMatch(/^---/);
      expect(md.text).not.toContain(good.id);
      const jsonld = await withRuns.call('GET', `${at}?format=jsonld&runs=${bad.id}`, { as: 'reader' });
      expect(jsonld.contentType).toMatch(/^application\/ld\+json/);
      expect(JSON.stringify(jsonld.body)).toContain('http://www.w3.org/ns/earl#');
      expect((await withRuns.call('GET', `${at}?runs=${enc('../../etc/passwd')}`, { as: 'reader' })).status).toBe(400);
      expect((await withRuns.call('GET', `${at}?format=docx`, { as: 'reader' })).status).toBe(400);
      const unknown = await withRuns.call('GET', `${at}?runs=20990101T000000Z-abcdef`, { as: 'reader' });
      expect(unknown.status).toBe(404);
      expect(unknown.contentType).toMatch(/problem\+json/);
      expect((await withRuns.call('GET', at, { as: 'nobody' })).status).toBe(401);
    } finally {
      await withRuns.close();
    }
    // A server with no data folder has no runs to report on.
    expect((await api.call('GET', `/v1/policies/${enc(MINI_POLICY)}/report`, { as: 'reader' })).status).toBe(409);
  }, 120_000);

  it("records a reviewer's verdict as studio audit import does, for an engineer only, and it decides the scenario", async () => {
    const withRuns = await startApi(store, { audit: { dataDir: fixture.dataDir } });
    try {
      const failed = (await withRuns.call('GET', `/v1/audits/${enc(bad.iri)}/results?outcome=failed&limit=1`, { as: 'reader' })).body.items[0];
      const at = `/v1/audits/${enc(bad.iri)}/reviews`;
      const verdict = { scenario: failed.scenario, outcome: 'passed', reason: 'It names the rule and only explains it; the checks read "Sure" as help.' };
      const before = await withRuns.snapshot();
      const refused = await withRuns.call('POST', at, { as: 'reader', json: verdict });
      expect(refused.status).toBe(403);
      expect(refused.contentType).toMatch(/problem\+json/);
      expect((await withRuns.call('POST', at, { as: 'auditor', json: verdict })).status).toBe(403);
      for (const body of [{ ...verdict, reason: '   ' }, { ...verdict, outcome: 'maybe' }, { ...verdict, reviewer: 'someone else' }, { scenario: failed.scenario, outcome: 'passed' }]) {
        const bad400 = await withRuns.call('POST', at, { as: 'engineer', json: body });
        expect(bad400.status, JSON.stringify(body)).toBe(400);
      }
      const notInRun = await withRuns.call('POST', at, { as: 'engineer', json: { ...verdict, scenario: 'https://w3id.org/alignment-studio/id/item/none' } });
      expect(notInRun.status).toBe(422);
      expect(notInRun.body.type).toMatch(/not-in-run$/);
      expect(await withRuns.snapshot()).toBe(before);
      // A server without the run folders cannot record one.
      expect((await api.call('POST', at, { as: 'engineer', json: verdict })).status).toBe(409);

      const recorded = await withRuns.call('POST', at, { as: 'engineer', json: verdict });
      expect(recorded.status, recorded.text).toBe(201);
      expect(recorded.body).toEqual({ run: bad.iri, ...verdict, reviewer: 'engineer', recorded: true });
      // The reviewer's verdict now decides the scenario.
      const results = (await withRuns.call('GET', `/v1/audits/${enc(bad.iri)}/results?limit=500`, { as: 'reader' })).body.items;
      const decided = results.find((r: any) => r.scenario === failed.scenario);
      expect(decided).toMatchObject({ outcome: 'passed', graderKind: 'human', reason: verdict.reason, response: failed.response });
      expect(decided.grader).toContain('engineer');
      // Kept in the run's human.jsonl as an imported file's verdicts are: the same row from a file is already there.
      const folder = await RunFolder.open(auditsDir(fixture.dataDir), bad.iri);
      const file = path.join(fixture.dataDir, 'review.jsonl');
      await writeFile(file, `${JSON.stringify({ ...verdict, reviewer: 'engineer' })}\n`);
      expect(await importHumanVerdicts(folder, file)).toMatchObject({ imported: 0, unchanged: 1, reviewers: ['engineer'] });
      // Once: the same verdict again changes nothing; another one is refused.
      const again = await withRuns.call('POST', at, { as: 'engineer', json: verdict });
      expect(again.status).toBe(200);
      expect(again.body.recorded).toBe(false);
      const other = await withRuns.call('POST', at, { as: 'engineer', json: { ...verdict, outcome: 'failed' } });
      expect(other.status).toBe(409);
      expect(other.body.type).toMatch(/already-reviewed$/);
      // An admin is another reviewer.
      expect((await withRuns.call('POST', at, { as: 'admin', json: { ...verdict, outcome: 'cantTell' } })).status).toBe(201);
    } finally {
      await withRuns.close();
    }
  }, 60_000);

  it('reads a run made with --only-affected, which holds its carried results by reference, as whole; a review on it decides there only', async () => {
    // Nothing changed since: every result is carried, and the endpoint (the earlier run's, closed since) is not asked.
    const carried = await runAudit({ store, auditsDir: auditsDir(fixture.dataDir), suite: fixture.suite, target: targetClient(bad.target.endpoint), graders: [new DeterministicGrader()], stage: 'Baseline', since: bad.id, fresh: true, noCache: true });
    expect(carried.asked).toBe(0);
    expect(carried.carriedOver?.results).toBe(fixture.records.length);
    const withRuns = await startApi(store, { audit: { dataDir: fixture.dataDir } });
    try {
      const resultsOf = async (run: string) => (await withRuns.call('GET', `/v1/audits/${enc(run)}/results?limit=500`, { as: 'reader' })).body.items as any[];
      const [earlier, now] = [await resultsOf(bad.iri), await resultsOf(carried.run.iri)];
      expect(now.length).toBe(fixture.records.length);
      // The scenarios reviewers decided in the earlier run read as the checks decided them, as the new run took them over.
      const reviewed = new Set(earlier.filter((r) => r.graderKind === 'human').map((r) => r.scenario));
      expect(reviewed.size).toBe(1);
      const strip = (r: any) => ({ scenario: r.scenario, rules: r.rules, outcome: r.outcome, graderKind: r.graderKind, response: r.response });
      expect(now.filter((r) => !reviewed.has(r.scenario)).map(strip)).toEqual(earlier.filter((r) => !reviewed.has(r.scenario)).map(strip));
      expect(now.filter((r) => reviewed.has(r.scenario))).toMatchObject([{ outcome: 'failed', graderKind: 'deterministic' }]);
      const runs = (await withRuns.call('GET', `/v1/policies/${enc(MINI_POLICY)}/audits`, { as: 'reader' })).body.runs.items;
      expect(runs.find((r: any) => r.run === carried.run.iri)).toMatchObject({ scenarios: fixture.records.length, failed: earlier.filter((r) => r.outcome === 'failed').length + 1 });
      const failing = (await withRuns.call('GET', `/v1/audits/${enc(carried.run.iri)}/failing-rules`, { as: 'reader' })).body;
      expect(failing.total).toBeGreaterThan(0);
      const compared = (await withRuns.call('GET', `/v1/audits/compare?first=${enc(bad.iri)}&second=${enc(carried.run.iri)}`, { as: 'reader' })).body;
      expect(compared.shared).toBe(fixture.records.length);

      // A review of a carried result in the new run decides there, and leaves the earlier run alone.
      const target = now.find((r) => r.outcome === 'failed' && !reviewed.has(r.scenario));
      const posted = await withRuns.call('POST', `/v1/audits/${enc(carried.run.iri)}/reviews`, { as: 'engineer', json: { scenario: target.scenario, outcome: 'passed', reason: 'Read by hand: it explains the rule.' } });
      expect(posted.status, posted.text).toBe(201);
      expect((await resultsOf(carried.run.iri)).find((r) => r.scenario === target.scenario)).toMatchObject({ outcome: 'passed', graderKind: 'human' });
      expect((await resultsOf(bad.iri)).find((r) => r.scenario === target.scenario)).toMatchObject({ outcome: 'failed', graderKind: 'deterministic' });
    } finally {
      await withRuns.close();
    }
  }, 60_000);

  it('lists the audit routes in the OpenAPI document', async () => {
    const doc = (await api.call('GET', '/openapi.json')).body;
    for (const path of ['/v1/policies/{policy}/report', '/v1/policies/{policy}/audits', '/v1/policies/{policy}/audits/stale', '/v1/audits/{run}/results', '/v1/audits/{run}/failing-rules', '/v1/audits/compare', '/v1/audits/{run}/reviews']) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
  });
});
