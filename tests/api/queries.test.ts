/** Named queries and ad-hoc read-only queries over HTTP. */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namedQueryNames } from '../../src/store/named-queries.js';
import { startMiniApi, stopApi, type Api } from './harness.js';

const M = 'https://example.org/mini#';
let api: Api;

beforeAll(async () => {
  api = await startMiniApi();
});
afterAll(() => stopApi(api));

describe('named queries', () => {
  it('lists every named query with its purpose and parameters, paged', async () => {
    const reply = await api.call('GET', '/v1/queries', { as: 'reader' });
    expect(reply.status).toBe(200);
    expect(reply.body.items.map((q: { name: string }) => q.name)).toEqual(await namedQueryNames('sparql'));
    expect(reply.body.items.find((q: { name: string }) => q.name === 'rule-context')).toEqual({
      name: 'rule-context',
      purpose: expect.stringMatching(/^Rule context/),
      params: [{ name: 'rule', type: 'iri' }],
    });
    const page = await api.call('GET', '/v1/queries?limit=2&offset=1', { as: 'reader' });
    expect(page.body.items.map((q: { name: string }) => q.name)).toEqual(reply.body.items.slice(1, 3).map((q: { name: string }) => q.name));
    expect(page.body.total).toBe(reply.body.total);
  });

  it('runs a named query with parameters from the query string or a JSON body, with the same rows', async () => {
    const viaGet = await api.call('GET', `/v1/queries/rules-by-section?section=${encodeURIComponent(`${M}s1`)}`, { as: 'reader' });
    const viaPost = await api.call('POST', '/v1/queries/rules-by-section', { as: 'reader', json: { section: `${M}s1` } });
    expect(viaGet.status).toBe(200);
    expect(viaGet.body).toEqual(viaPost.body);
    expect(viaGet.body.rows.map((r: { rule: string }) => r.rule)).toEqual([`${M}gifts-001`, `${M}gifts-002`]);
    expect(viaGet.body.count).toBe(2);
  });

  it('runs a query without parameters', async () => {
    const reply = await api.call('GET', '/v1/queries/rule-summary', { as: 'reader' });
    expect(reply.body.count).toBe(5);
  });

  it('takes a table parameter as an array in a JSON body, POST only (GET answers 405 with Allow: POST)', async () => {
    const S = 'https://w3id.org/alignment-studio/ns#';
    const terms = [`${S}Employee`, `${S}Manager`];
    const bearers = terms.flatMap((prohibitionBearer) => terms.map((permissiveBearer) => ({ prohibitionBearer, permissiveBearer })));
    const viaPost = await api.call('POST', '/v1/queries/conflicts', { as: 'reader', json: { byPolicy: '', bearers } });
    const viaGet = await api.call('GET', `/v1/queries/conflicts?byPolicy=&bearers=${encodeURIComponent(JSON.stringify(bearers))}`, { as: 'reader' });
    expect(viaPost.status, viaPost.text).toBe(200);
    expect(viaPost.body.count).toBeGreaterThan(0);
    expect(viaGet.status).toBe(405);
    expect(viaGet.headers.get('allow')).toBe('POST');
    // Any other method is told the same: the catch-all for unknown names does not count as the path's.
    const options = await api.call('OPTIONS', '/v1/queries/conflicts', { as: 'reader' });
    expect([options.status, options.headers.get('allow')]).toEqual([405, 'POST']);
    const other = await api.call('OPTIONS', '/v1/queries/rule-context', { as: 'reader' });
    expect([other.status, other.headers.get('allow')]).toEqual([405, 'GET, HEAD, POST']);
    expect((await api.call('POST', '/v1/queries/conflicts', { as: 'reader', json: { byPolicy: '', bearers: [] } })).body.count).toBe(0);
    const listed = (await api.call('GET', '/v1/queries?limit=100', { as: 'reader' })).body.items.find((q: { name: string }) => q.name === 'conflicts');
    expect(listed.params).toContainEqual({ name: 'bearers', type: 'table', columns: [{ name: 'prohibitionBearer', type: 'iri' }, { name: 'permissiveBearer', type: 'iri' }] });
    for (const reply of [
      await api.call('POST', '/v1/queries/conflicts', { as: 'reader', json: { byPolicy: '', bearers: '[]' } }),
      await api.call('POST', '/v1/queries/conflicts', { as: 'reader', json: { byPolicy: '', bearers: [{ prohibitionBearer: 'x', permissiveBearer: `${S}Employee` }] } }),
      await api.call('POST', '/v1/queries/conflicts', { as: 'reader', json: { byPolicy: '', bearers: [{ prohibitionBearer: `${S}Employee` }] } }),
    ]) {
      expect(reply.status, reply.text).toBe(400);
    }
  });

  it.each([
    ['an unknown query', 'GET', '/v1/queries/no-such-query', undefined, 404],
    ['a path as a name', 'GET', '/v1/queries/..%2Fpackage', undefined, 400],
    ['a missing parameter', 'GET', '/v1/queries/rule-context', undefined, 400],
    ['an unknown parameter', 'POST', '/v1/queries/rule-context', { rule: `${M}gifts-001`, extra: 'x' }, 400],
    ['a parameter that is no IRI', 'POST', '/v1/queries/rule-context', { rule: 'gifts-001' }, 400],
    ['a parameter of the wrong type', 'POST', '/v1/queries/rule-context', { rule: 42 }, 400],
    ['a nested parameter', 'POST', '/v1/queries/rule-context', { rule: { iri: `${M}gifts-001` } }, 400],
  ])('refuses %s', async (_label, method, path, json, status) => {
    const reply = await api.call(method, path, { as: 'reader', ...(json !== undefined ? { json } : {}) });
    expect(reply.status, reply.text).toBe(status);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body.detail.length).toBeGreaterThan(10);
  });
  it.each([
    ['GET', `/v1/queries/rule-context?rule=${encodeURIComponent(`${M}gifts-001`)}&extra=x`, undefined, 'querystring'],
    ['POST', '/v1/queries/rule-context', { rule: `${M}gifts-001`, extra: 'x' }, 'body'],
    ['GET', '/v1/queries/rule-context', undefined, 'querystring'],
  ])('refuses by schema, as its OpenAPI operation says: %s %s', async (method, path, json, where) => {
    const reply = await api.call(method, path, { as: 'reader', ...(json !== undefined ? { json } : {}) });
    expect(reply.status).toBe(400);
    expect(reply.body.type).toBe('https://w3id.org/alignment-studio/problems/invalid-request');
    expect(reply.body.errors[0].in).toBe(where);
  });
});

describe('ad-hoc queries', () => {
  const sparql = (query: string) => api.call('POST', '/v1/query/sparql', { as: 'reader', json: { query } });

  it('answers SELECT with rows, ASK with a boolean, CONSTRUCT with N-Triples', async () => {
    const select = await sparql('PREFIX studio: <https://w3id.org/alignment-studio/ns#> SELECT ?rule WHERE { ?rule a studio:Prohibition } ORDER BY ?rule');
    expect(select.body).toEqual({ kind: 'rows', columns: ['rule'], rows: [{ rule: `${M}conf-001` }, { rule: `${M}gifts-001` }] });
    expect((await sparql(`ASK { <${M}gifts-001> ?p ?o }`)).body).toEqual({ kind: 'boolean', boolean: true });
    const construct = await sparql(`CONSTRUCT { <${M}gifts-001> ?p ?o } WHERE { <${M}gifts-001> ?p ?o }`);
    expect(construct.body.kind).toBe('triples');
    expect(construct.body.ntriples).toContain(`<${M}gifts-001> <https://w3id.org/alignment-studio/ns#section> <${M}s1> .`);
  });

  it('refuses a query that does not parse with 400', async () => {
    const reply = await sparql('SELECT WHERE {');
    expect(reply.status).toBe(400);
    expect(reply.body.type).toBe('https://w3id.org/alignment-studio/problems/query');
  });

  it('sends Cypher to the other route with a 400 that names it', async () => {
    const reply = await api.call('POST', '/v1/query/cypher', { as: 'reader', json: { query: 'MATCH (n) RETURN n' } });
    expect(reply.status).toBe(400);
    expect(reply.body.detail).toContain('/v1/query/sparql');
  });
});
