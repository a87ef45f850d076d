/** A few routes on the Neo4j store, over HTTP: the same API, Cypher as the ad-hoc language. */

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Neo4jStore } from '../../src/store/neo4j-store.js';
import { namedQueryNames } from '../../src/store/named-queries.js';
import { NEO4J, neo4jAvailable, wipeNeo4j } from '../helpers/neo4j.js';
import { MINI } from '../store/store-spec.js';
import { at, startApi, TOKENS, type Api } from './harness.js';
import { openEvents } from './event-stream.js';

const available = await neo4jAvailable();
const M = 'https://example.org/mini#';

describe.runIf(available)('API on the Neo4j store', () => {
  let api: Api;
  beforeAll(async () => {
    await wipeNeo4j();
    api = await startApi(await Neo4jStore.open(NEO4J));
  });
  afterAll(async () => {
    await api?.close();
    await api?.store.close();
  });

  it('uploads, lists, filters, pages and reads rules', async () => {
    const upload = await api.call('POST', '/v1/policies?filename=mini.ttl', { as: 'engineer', body: await readFile(MINI, 'utf8'), contentType: 'text/turtle' });
    expect(upload.status, upload.text).toBe(201);
    expect((await api.call('GET', '/health')).body).toEqual({ status: 'ok', store: 'neo4j', policies: 1 });
    const all = await api.call('GET', '/v1/rules', { as: 'reader' });
    expect(all.body.total).toBe(5);
    const page = await api.call('GET', `/v1/rules?limit=2&after=${encodeURIComponent(`${M}conf-002`)}`, { as: 'reader' });
    expect(page.body.items.map((r: { rule: string }) => r.rule)).toEqual([`${M}conf-003`, `${M}gifts-001`]);
    expect(page.body.next).toBe(`${M}gifts-001`);
    const permissions = await api.call('GET', `/v1/rules?kind=Permission&section=${encodeURIComponent(`${M}regulation`)}`, { as: 'reader' });
    expect(permissions.body.items.map((r: { rule: string }) => r.rule)).toEqual([`${M}conf-003`]);
    const rule = await api.call('GET', at('/v1/rules', `${M}gifts-001`), { as: 'reader' });
    expect(rule.body).toMatchObject({ kind: 'Prohibition', label: 'No gifts from suppliers', section: `${M}s1` });
    expect(rule.body.context.length).toBe(8);
    expect((await api.call('GET', at('/v1/rules', `${M}gifts-003`), { as: 'reader' })).status).toBe(404);
  });

  it('lists and runs the Cypher named queries', async () => {
    const list = await api.call('GET', '/v1/queries', { as: 'reader' });
    expect(list.body.items.map((q: { name: string }) => q.name)).toEqual(await namedQueryNames('cypher'));
    const rows = await api.call('POST', '/v1/queries/rules-by-section', { as: 'reader', json: { section: `${M}s1` } });
    expect(rows.body.rows.map((r: { rule: string }) => r.rule)).toEqual([`${M}gifts-001`, `${M}gifts-002`]);
  });

  it('runs read-only Cypher, refuses Cypher writes with 403 and SPARQL with 400, changing nothing', async () => {
    const before = await api.snapshot();
    const read = await api.call('POST', '/v1/query/cypher', { as: 'reader', json: { query: 'MATCH (r:Prohibition) RETURN r.uri AS rule ORDER BY rule' } });
    expect(read.body).toEqual({ kind: 'rows', columns: ['rule'], rows: [{ rule: `${M}conf-001` }, { rule: `${M}gifts-001` }] });
    const write = await api.call('POST', '/v1/query/cypher', { as: 'admin', json: { query: 'MATCH (n) DETACH DELETE n' } });
    expect(write.status).toBe(403);
    const injected = await api.call('GET', `/v1/rules?bearer=${encodeURIComponent(`${M}x')DETACH_DELETE_n//`)}`, { as: 'reader' });
    expect(injected.body.items).toEqual([]);
    const sparql = await api.call('POST', '/v1/query/sparql', { as: 'reader', json: { query: 'SELECT * WHERE { ?s ?p ?o }' } });
    expect(sparql.status).toBe(400);
    expect(sparql.body.detail).toContain('/v1/query/cypher');
    expect(await api.snapshot()).toBe(before);
  });

  it('runs a generation job, whose items the rule detail then counts', async () => {
    const started = await api.call('POST', '/v1/jobs', { as: 'engineer', json: { kind: 'generation', policy: `${M}policy` } });
    expect(started.status, started.text).toBe(202);
    const end = (await (await openEvents(`${api.url}/v1/jobs/${started.body.id}/events`, TOKENS.reader)).rest()).pop()!;
    expect(end.data.state, JSON.stringify(end.data.problem)).toBe('succeeded');
    expect(end.data.result.items).toBeGreaterThan(50);
    const rule = await api.call('GET', at('/v1/rules', `${M}gifts-001`), { as: 'reader' });
    expect(rule.body.generated).toMatchObject({ graph: end.data.result.graph, stale: false });
    expect(rule.body.generated.byFamily.find((g: any) => g.family === 'scenario-compliant')).toEqual({ family: 'scenario-compliant', label: 'Compliant', items: 1 });
  });

  it('deletes the policy', async () => {
    expect((await api.call('DELETE', at('/v1/policies', `${M}policy`), { as: 'admin' })).status).toBe(204);
    expect((await api.call('GET', '/v1/rules', { as: 'reader' })).body.total).toBe(0);
  });
});
