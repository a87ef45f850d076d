/**
 * Query deadlines: a slow ad-hoc query is stopped at its deadline with a 504,
 * while /health keeps answering; named queries have theirs; closing the
 * server abandons a running query instead of waiting for it.
 */

import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { SAMPLE_POLICIES } from '../store/store-spec.js';
import { resolveConfig, DEFAULT_QUERY_QUEUE_MS } from '../../src/config.js';
import { at, SLOW_QUERY, startApi, stopApi, type Api, type TestApiOptions } from './harness.js';

const K = 'https://example.org/kestrel/bcg#';

let api: Api | undefined;
afterEach(async () => {
  await stopApi(api);
  api = undefined;
});

async function startSample(options: TestApiOptions): Promise<Api> {
  const store = await EmbeddedStore.open();
  await store.loadPolicy(await readTurtle(SAMPLE_POLICIES[0]!));
  return startApi(store, options);
}

/** Calls /health every 20 ms until `until` settles; the slowest answer and how many came. */
async function probeHealth(api: Api, until: Promise<unknown>): Promise<{ slowest: number; answered: number; all: number[] }> {
  let done = false;
  void until.finally(() => (done = true));
  let slowest = 0;
  let answered = 0;
  const all: number[] = [];
  while (!done) {
    const start = performance.now();
    const reply = await fetch(`${api.url}/health`);
    expect(reply.status).toBe(200);
    await reply.json();
    slowest = Math.max(slowest, performance.now() - start);
    all.push(Math.round(performance.now() - start));
    answered += 1;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { slowest, answered, all };
}

describe('query deadlines', () => {
  it('stops an ad-hoc query past its deadline with a 504, and /health answers meanwhile', async () => {
    const deadline = 1500;
    api = await startSample({ deadlines: { adhocMs: deadline } });
    // The deadline does not count the query thread's reading of the store: a first query has it read.
    expect((await api.call('POST', '/v1/query/sparql', { as: 'reader', json: { query: 'ASK { ?s ?p ?o }' } })).status).toBe(200);
    const start = performance.now();
    const slow = api.call('POST', '/v1/query/sparql', { as: 'reader', json: { query: SLOW_QUERY } }).then((reply) => ({ reply, elapsed: performance.now() - start }));
    const health = await probeHealth(api, slow);
    const { reply, elapsed } = await slow;
    expect(reply.status, reply.text).toBe(504);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ type: 'https://w3id.org/alignment-studio/problems/query-deadline', status: 504 });
    expect(reply.body.detail).toContain('deadline of 1.5 s');
    expect(elapsed).toBeGreaterThanOrEqual(deadline);
    expect(elapsed).toBeLessThan(deadline + 1500);
    console.log(`slow query: 504 after ${Math.round(elapsed)} ms (deadline ${deadline}); /health answered ${health.answered} times, slowest ${Math.round(health.slowest)} ms`, health.all.join(' '));
    expect(health.answered).toBeGreaterThan(10);
    expect(health.slowest).toBeLessThan(200);
    // The next query runs in a fresh thread over the same data.
    const count = await api.call('POST', '/v1/query/sparql', { as: 'reader', json: { query: `SELECT (COUNT(*) AS ?n) WHERE { ?r <https://w3id.org/alignment-studio/ns#inPolicy> <${K}policy> }` } });
    expect(count.status).toBe(200);
    expect(Number(count.body.rows[0].n)).toBeGreaterThan(0);
  });

  it('queries in the thread follow what the store loads and removes', async () => {
    api = await startSample({});
    const policies = async () =>
      (await api!.call('POST', '/v1/query/sparql', { as: 'reader', json: { query: 'SELECT ?p WHERE { ?p a <https://w3id.org/alignment-studio/ns#Policy> } ORDER BY ?p' } })).body.rows.map((r: { p: string }) => r.p);
    expect(await policies()).toEqual([`${K}policy`]);
    const bank = await readTurtle(SAMPLE_POLICIES[1]!);
    expect((await api.call('POST', '/v1/policies', { as: 'engineer', body: bank.text, contentType: 'text/turtle' })).status).toBe(201);
    expect(await policies()).toHaveLength(2);
    expect((await api.call('DELETE', at('/v1/policies', `${K}policy`), { as: 'admin' })).status).toBe(204);
    expect(await policies()).toHaveLength(1);
    expect(await policies()).not.toContain(`${K}policy`);
    // Updates are still refused as such.
    const update = await api.call('POST', '/v1/query/sparql', { as: 'reader', json: { query: 'INSERT DATA { <urn:a> <urn:b> <urn:c> }' } });
    expect(update.status).toBe(403);
  });

  it('gives named queries and the queries of routes their own deadline', async () => {
    api = await startSample({ deadlines: { namedMs: 1 }, cache: false });
    const reply = await api.call('GET', '/v1/rules', { as: 'reader' });
    expect(reply.status, reply.text).toBe(504);
    expect(reply.body.type).toBe('https://w3id.org/alignment-studio/problems/query-deadline');
  });

  it('refuses a query that waited past the queue bound with a 503 saying the server is busy, not a 504', async () => {
    api = await startSample({ deadlines: { adhocMs: 3000, queueMs: 300 } });
    const slow = api.call('POST', '/v1/query/sparql', { as: 'reader', json: { query: SLOW_QUERY } });
    // Sent once the slow query holds the thread (its 504 proves it ran): the quick one waits behind it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const quick = await api.call('POST', '/v1/query/sparql', { as: 'reader', json: { query: 'ASK { ?s ?p ?o }' } });
    expect(quick.status, quick.text).toBe(503);
    expect(quick.contentType).toMatch(/^application\/problem\+json/);
    expect(quick.body).toMatchObject({ type: 'https://w3id.org/alignment-studio/problems/busy', status: 503 });
    expect(quick.body.detail).toContain('waited 0.3 s for its turn');
    expect((await slow).status).toBe(504);
  });

  it('reads the queue bound from STUDIO_QUERY_QUEUE_MS, a minute by default', () => {
    expect(resolveConfig({}, process.cwd(), {}).deadlines.queueMs).toBe(DEFAULT_QUERY_QUEUE_MS);
    expect(resolveConfig({}, process.cwd(), { STUDIO_QUERY_QUEUE_MS: '5000' }).deadlines).toMatchObject({ queueMs: 5000, namedMs: 30_000 });
    expect(() => resolveConfig({}, process.cwd(), { STUDIO_QUERY_QUEUE_MS: 'never' })).toThrow(/STUDIO_QUERY_QUEUE_MS=never/);
  });

  it('closing the server abandons a running query instead of waiting for it', async () => {
    api = await startSample({ deadlines: { adhocMs: 60_000 } });
    const slow = api.call('POST', '/v1/query/sparql', { as: 'reader', json: { query: SLOW_QUERY } }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const start = performance.now();
    await api.close();
    const closing = performance.now() - start;
    expect(closing).toBeLessThan(2000);
    const reply = (await slow) as { status?: number };
    // Either the client got the 503 before the socket closed, or the socket closed: never a wait for the query.
    if (reply && typeof reply.status === 'number') expect(reply.status).toBe(503);
  });
});
