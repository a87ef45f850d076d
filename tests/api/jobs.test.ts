/**
 * /v1/jobs over real HTTP with generation jobs on the mini policy: a job
 * from start to end through its event stream, late listeners, lists, and
 * cancellation, bounds and write ordering, made deterministic by holding the
 * server's write queue (a job then waits, visibly, for its turn to write).
 */

import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { GENERATED_KIND, generateForPolicy } from '../../src/framers/generation-run.js';
import { SerialQueue } from '../../src/api/serial-queue.js';
import { MINI } from '../store/store-spec.js';
import { at, startMiniApi, stopApi, TOKENS, type Api, type TestApiOptions } from './harness.js';
import { openEvents, type StreamEvent } from './event-stream.js';

const M = 'https://example.org/mini#';
const POLICY = `${M}policy`;
const PROBLEMS = 'https://w3id.org/alignment-studio/problems/';

/** A write queue the test can hold shut: writes through the server wait until release(). */
function heldQueue(): { writes: SerialQueue; release: () => void } {
  const writes = new SerialQueue();
  let open!: () => void;
  void writes.run(() => new Promise<void>((resolve) => (open = resolve)));
  return { writes, release: () => open() };
}

/** Waits, turn by turn, until the condition holds (the test's timeout bounds it). */
async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

const isFinal = (e: StreamEvent) => e.event === 'state' && ['succeeded', 'failed', 'cancelled'].includes(e.data.state);
const waitingToWrite = (e: StreamEvent) => e.event === 'progress' && e.data.phase === 'waiting-to-write';

async function start(api: Api, body: object = { kind: 'generation', policy: POLICY }, as: 'engineer' | 'admin' = 'engineer') {
  const reply = await api.call('POST', '/v1/jobs', { as, json: body });
  expect(reply.status, reply.text).toBe(202);
  return reply;
}

function events(api: Api, id: string, as: keyof typeof TOKENS = 'reader') {
  return openEvents(`${api.url}/v1/jobs/${id}/events`, TOKENS[as]);
}

describe('a generation job', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startMiniApi();
  });
  afterAll(() => stopApi(api));

  it('is queued with 202 and a Location, streams its progress, and ends succeeded with what it wrote', async () => {
    const before = (await api.store.listDerivedGraphs(POLICY)).filter((g) => g.kind === GENERATED_KIND);
    expect(before).toEqual([]);
    const reply = await start(api);
    const job = reply.body;
    expect(reply.headers.get('location')).toBe(`/v1/jobs/${job.id}`);
    expect(job).toMatchObject({ kind: 'generation', params: { policy: POLICY, seed: 1 }, startedBy: 'engineer', cancelRequested: false, result: null, problem: null });
    expect(['queued', 'running']).toContain(job.state);
    expect(job.id).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const stream = await events(api, job.id);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    const seen = await stream.rest();
    expect(seen[0]!.event).toBe('state');
    expect(seen[0]!.data.id).toBe(job.id);
    const last = seen[seen.length - 1]!;
    expect(last.event).toBe('state');
    expect(last.data.state, JSON.stringify(last.data.problem)).toBe('succeeded');
    // A client connecting right away may still see each phase; one that came late sees the final state only.
    // On a busy machine the job can outlast the 15 s heartbeat, which comes as a comment.
    for (const e of seen.slice(1, -1)) expect(['progress', 'state', 'comment']).toContain(e.event);

    // The same run outside the server: same items, same triples.
    const direct = await EmbeddedStore.open();
    await direct.loadPolicy(await readTurtle(MINI));
    const expected = await generateForPolicy(direct, POLICY, await TemplateLibrary.load(), { seed: 1 });
    await direct.close();
    const result = last.data.result;
    expect(result).toMatchObject({ policy: POLICY, seed: 1, graph: expected.graph.graph, items: expected.summary.items, triples: expected.graph.triples });
    expect(Object.values(result.byFamily as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(expected.summary.items);

    const graphs = (await api.store.listDerivedGraphs(POLICY)).filter((g) => g.kind === GENERATED_KIND);
    expect(graphs.map((g) => [g.graph, g.triples, g.writtenAt])).toEqual([[result.graph, result.triples, result.writtenAt]]);
    const coverage = await api.call('GET', `${at('/v1/policies', POLICY)}/coverage`, { as: 'reader' });
    expect(coverage.body.generated).toMatchObject({ graph: result.graph, triples: result.triples, stale: false });

    const read = await api.call('GET', `/v1/jobs/${job.id}`, { as: 'reader' });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(last.data);
    expect(read.body.finishedAt >= read.body.startedAt && read.body.startedAt >= read.body.createdAt).toBe(true);
  });

  it('streams the final state at once to a client that connects after the end, and closes', async () => {
    const job = (await start(api, { kind: 'generation', policy: POLICY, seed: 3, families: ['instruction-qa'] })).body;
    await (await events(api, job.id)).rest();
    const late = await (await events(api, job.id)).rest();
    expect(late.map((e) => [e.event, e.data.state])).toEqual([['state', 'succeeded']]);
    expect(late[0]!.data.result.byFamily).toEqual({ 'instruction-qa': 5 });
  });

  it('lists jobs newest first, filtered by kind and state, in pages', async () => {
    const all = await api.call('GET', '/v1/jobs', { as: 'reader' });
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(2);
    expect(all.body.items.map((j: any) => j.params.seed)).toEqual([3, 1]);
    const page = await api.call('GET', '/v1/jobs?state=succeeded&kind=generation&limit=1&offset=1', { as: 'auditor' });
    expect(page.body).toMatchObject({ total: 2, limit: 1, offset: 1 });
    expect(page.body.items.map((j: any) => j.params.seed)).toEqual([1]);
    expect((await api.call('GET', '/v1/jobs?state=failed', { as: 'reader' })).body).toMatchObject({ items: [], total: 0 });
  });

  it('cannot be cancelled once finished (409), and lets readers read but not cancel', async () => {
    const [job] = (await api.call('GET', '/v1/jobs?limit=1', { as: 'reader' })).body.items;
    const cancel = await api.call('POST', `/v1/jobs/${job.id}/cancel`, { as: 'engineer' });
    expect(cancel.status).toBe(409);
    expect(cancel.body.type).toBe(`${PROBLEMS}job-finished`);
    for (const who of ['reader', 'auditor'] as const) {
      expect((await api.call('POST', `/v1/jobs/${job.id}/cancel`, { as: who })).status).toBe(403);
      expect((await api.call('GET', `/v1/jobs/${job.id}`, { as: who })).status).toBe(200);
    }
  });
});

describe('jobs and the write queue', () => {
  let api: Api | undefined;
  afterEach(async () => {
    await stopApi(api);
    api = undefined;
  });

  async function startHeld(options: TestApiOptions['jobs'] = {}) {
    const held = heldQueue();
    api = await startMiniApi({ writes: held.writes, jobs: options });
    return { api, ...held };
  }

  it('cancelled while waiting for its turn to write, leaves the store as it was, previous graph included', async () => {
    const writes = new SerialQueue();
    api = await startMiniApi({ writes });
    const first = (await start(api)).body;
    await (await events(api, first.id)).rest();
    const before = await api.snapshot();
    expect(before).toContain(' generated ');

    let release!: () => void;
    void writes.run(() => new Promise<void>((resolve) => (release = resolve)));
    const job = (await start(api, { kind: 'generation', policy: POLICY, seed: 2 })).body;
    const stream = await events(api, job.id);
    const seen = await stream.until(waitingToWrite);
    expect(seen.some((e) => e.event === 'progress' && e.data.phase === 'generating')).toBe(true);

    const cancel = await api.call('POST', `/v1/jobs/${job.id}/cancel`, { as: 'admin' });
    expect(cancel.status, cancel.text).toBe(202);
    expect(cancel.body).toMatchObject({ state: 'running', cancelRequested: true });
    release();
    const end = (await stream.rest()).pop()!;
    expect(end.data).toMatchObject({ state: 'cancelled', cancelRequested: true, result: null, problem: null });
    expect(await api.snapshot()).toBe(before);
  });

  it('runs at most maxRunning at once, cancels a queued job at once, keeps at most maxKept and refuses more with 429', async () => {
    const { api, release } = await startHeld({ maxRunning: 1, maxKept: 3 });
    const a = (await start(api)).body;
    await (await events(api, a.id)).until(waitingToWrite);
    const b = (await start(api, { kind: 'generation', policy: POLICY, seed: 2 })).body;
    expect(b.state).toBe('queued');
    expect((await api.call('GET', `/v1/jobs/${b.id}`, { as: 'reader' })).body.progress.phase).toBe('queued');

    const cancelB = await api.call('POST', `/v1/jobs/${b.id}/cancel`, { as: 'engineer' });
    expect(cancelB.status).toBe(200);
    expect(cancelB.body).toMatchObject({ state: 'cancelled', startedAt: null });
    const c = (await start(api, { kind: 'generation', policy: POLICY, seed: 3 })).body;
    // Full: a (running), b (cancelled), c (queued). A fourth job evicts b, the only finished one.
    const d = (await start(api, { kind: 'generation', policy: POLICY, seed: 4 })).body;
    expect((await api.call('GET', `/v1/jobs/${b.id}`, { as: 'reader' })).status).toBe(404);
    const refused = await api.call('POST', '/v1/jobs', { as: 'engineer', json: { kind: 'generation', policy: POLICY, seed: 5 } });
    expect(refused.status).toBe(429);
    expect(refused.contentType).toMatch(/^application\/problem\+json/);
    expect(refused.body.type).toBe(`${PROBLEMS}too-many-jobs`);
    expect((await api.call('GET', '/v1/jobs', { as: 'reader' })).body.items.map((j: any) => [j.id, j.state])).toEqual([
      [d.id, 'queued'],
      [c.id, 'queued'],
      [a.id, 'running'],
    ]);

    release();
    for (const job of [a, c, d]) expect((await (await events(api, job.id)).rest()).pop()!.data.state).toBe('succeeded');
    // The last one written is d's (seed 4): jobs ran in the order they were queued.
    const [graph] = await api.store.listDerivedGraphs(POLICY);
    expect(graph!.writtenAt).toBe((await api.call('GET', `/v1/jobs/${d.id}`, { as: 'reader' })).body.result.writtenAt);
  });

  it('fails with 409 policy-changed, writing nothing, when its policy is replaced before its turn to write', async () => {
    const { api, release } = await startHeld();
    const job = (await start(api)).body;
    const stream = await events(api, job.id);
    await stream.until(waitingToWrite);
    // Another writer (as another process writes to a shared Neo4j) replaces the policy meanwhile.
    const mini = await readFile(MINI, 'utf8');
    await api.store.loadPolicy({ file: 'mini-policy.ttl', text: `${mini}\n# edited\n`, baseIri: 'file:///mini-policy.ttl' });
    const before = await api.snapshot();
    release();
    const end = (await stream.rest()).pop()!;
    expect(end.data.state).toBe('failed');
    expect(end.data.problem).toMatchObject({ status: 409, type: `${PROBLEMS}policy-changed`, instance: `/v1/jobs/${job.id}` });
    expect(await api.snapshot()).toBe(before);
    expect(await api.store.listDerivedGraphs(POLICY)).toEqual([]);
  });

  it('fails with 404 when its policy is gone before it starts, and with 409 when it goes while the job waits to write', async () => {
    const { api, release } = await startHeld({ maxRunning: 1 });
    const waiting = (await start(api)).body;
    const stream = await events(api, waiting.id);
    await stream.until(waitingToWrite);
    const queued = (await start(api, { kind: 'generation', policy: POLICY, seed: 2 })).body;
    expect(queued.state).toBe('queued');
    // Removed behind the server's back, as another process may do to a shared Neo4j.
    expect(await api.store.removePolicy(POLICY)).toBe(true);
    release();
    expect((await stream.rest()).pop()!.data.problem).toMatchObject({ status: 409, type: `${PROBLEMS}policy-changed` });
    const end = (await (await events(api, queued.id)).rest()).pop()!.data;
    expect(end).toMatchObject({ state: 'failed', problem: { status: 404, type: `${PROBLEMS}not-found`, title: 'No such policy' } });
    expect(await api.store.listDerivedGraphs()).toEqual([]);
  });

  it('shares the queue with policy writes: a deletion waits behind a held write, then runs after the job that queued first', async () => {
    const { api, writes, release } = await startHeld();
    const job = (await start(api)).body;
    const stream = await events(api, job.id);
    await stream.until(waitingToWrite);
    expect(writes.pending).toBe(2);
    const deletion = api.call('DELETE', at('/v1/policies', POLICY), { as: 'engineer' });
    await waitUntil(() => writes.pending === 3);
    expect((await api.call('GET', at('/v1/policies', POLICY), { as: 'reader' })).status).toBe(200);
    const conflicts = api.call('POST', `${at('/v1/policies', POLICY)}/conflicts`, { as: 'engineer' });
    await waitUntil(() => writes.pending === 4);
    release();
    expect((await stream.rest()).pop()!.data.state).toBe('succeeded');
    expect((await deletion).status).toBe(204);
    // Recording conflicts came after the deletion: its policy is gone.
    expect((await conflicts).status).toBe(404);
    expect(await api.store.listPolicies()).toEqual([]);
  });

  it('sends heartbeats on an idle stream, and ends every stream when the server closes', async () => {
    const { api: server } = await startHeld({ heartbeatMs: 5 });
    const job = (await start(server)).body;
    const stream = await events(server, job.id);
    await stream.until(waitingToWrite);
    expect((await stream.until((e) => e.event === 'comment')).pop()!.data).toBe('heartbeat');
    // Closing cancels the job, though its write never got its turn; the stream ends with that.
    const closing = server.close();
    const end = (await stream.rest()).filter((e) => e.event === 'state').pop()!;
    expect(end.data).toMatchObject({ state: 'cancelled' });
    await closing;
    await server.store.close();
    api = undefined;
  });
});
