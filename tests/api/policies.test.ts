/** /v1/policies over HTTP: upload (validated first), list, read, delete. */

import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { MINI, SAMPLE_POLICIES } from '../store/store-spec.js';
import { at, startApi, type Api } from './harness.js';

const M = 'https://example.org/mini#';
let api: Api;
let mini: string;

beforeEach(async () => {
  mini = await readFile(MINI, 'utf8');
  api = await startApi(await EmbeddedStore.open());
});
afterEach(async () => {
  await api.close();
  await api.store.close();
});

/** A small valid policy of its own that also asserts two triples about the mini policy's rule. */
export const INTRUDER = `@prefix studio: <https://w3id.org/alignment-studio/ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix mini: <https://example.org/mini#> .
@prefix in: <https://example.org/intruder#> .
in:regulation a studio:Regulation ; dcterms:title "Intruder Code" ; studio:authorityRank 1 .
in:policy a studio:Policy ; dcterms:title "Intruder policy" ; studio:implements in:regulation .
mini:gifts-001 rdfs:label "Hijacked" ;
    studio:text "Anything goes." .
`;

const upload = (text: string, query = '') => api.call('POST', `/v1/policies${query}`, { as: 'engineer', body: text, contentType: 'text/turtle' });

describe('POST /v1/policies', () => {
  it('loads a valid policy (201) with its ETag; a second POST of the same policy is a 409 that stores nothing', async () => {
    const first = await upload(mini, '?filename=mini.ttl');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ policy: `${M}policy`, title: 'Mini Code policy', source: 'mini.ttl', triples: 117 });
    expect(first.headers.get('location')).toBe(at('/v1/policies', `${M}policy`));
    expect(first.headers.get('etag')).toBe(`"${first.body.sha256}"`);
    const before = await api.snapshot();
    const second = await upload(mini.replace('"No gifts from suppliers"', '"No gifts from vendors"'));
    expect(second.status).toBe(409);
    expect(second.contentType).toMatch(/^application\/problem\+json/);
    expect(second.body).toMatchObject({ type: 'https://w3id.org/alignment-studio/problems/policy-exists', status: 409 });
    expect(second.body.detail).toContain('If-Match');
    expect(await api.snapshot()).toBe(before);
  });

  it('replaces a policy with PUT and If-Match on its current SHA-256: 428 without it, 412 on another, 200 on the right one', async () => {
    const first = await upload(mini);
    const path = at('/v1/policies', `${M}policy`);
    // Read once, so that a remembered answer would show if the replacement did not forget it.
    expect((await api.call('GET', at('/v1/rules', `${M}gifts-001`), { as: 'reader' })).body.label).toBe('No gifts from suppliers');
    const renamed = mini.replace('"No gifts from suppliers"', '"No gifts from vendors"');
    const put = (headers: Record<string, string>, body = renamed) => api.call('PUT', path, { as: 'engineer', body, contentType: 'text/turtle', headers });
    const before = await api.snapshot();
    const missing = await put({});
    expect(missing.status).toBe(428);
    expect(missing.contentType).toMatch(/^application\/problem\+json/);
    const stale = await put({ 'if-match': '"0000"' });
    expect(stale.status).toBe(412);
    expect(stale.body.detail).toContain(first.body.sha256);
    const other = await put({ 'if-match': first.headers.get('etag')! }, mini.replace(/mini:policy/g, 'mini:policy2'));
    expect(other.status).toBe(422);
    expect(other.body.type).toBe('https://w3id.org/alignment-studio/problems/policy-mismatch');
    expect(await api.snapshot()).toBe(before);
    const etag = (await api.call('GET', path, { as: 'reader' })).headers.get('etag')!;
    const replaced = await put({ 'if-match': etag });
    expect(replaced.status).toBe(200);
    expect(replaced.body.sha256).not.toBe(first.body.sha256);
    expect(replaced.headers.get('etag')).toBe(`"${replaced.body.sha256}"`);
    expect((await api.store.listPolicies()).map((p) => p.policy)).toEqual([`${M}policy`]);
    expect((await api.call('GET', at('/v1/rules', `${M}gifts-001`), { as: 'reader' })).body.label).toBe('No gifts from vendors');
    // The old ETag no longer matches.
    expect((await put({ 'if-match': etag })).status).toBe(412);
    expect((await api.call('PUT', at('/v1/policies', `${M}absent`), { as: 'engineer', body: renamed, contentType: 'text/turtle', headers: { 'if-match': etag } })).status).toBe(404);
  });

  it('refuses (422) an upload that describes a resource of another loaded policy, naming the triples, storing nothing', async () => {
    expect((await upload(mini)).status).toBe(201);
    const before = await api.snapshot();
    const reply = await upload(INTRUDER, '?filename=intruder.ttl');
    expect(reply.status).toBe(422);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ type: 'https://w3id.org/alignment-studio/problems/policy-isolation', total: 2 });
    expect(reply.body.triples).toEqual([
      { triple: `<${M}gifts-001> <http://www.w3.org/2000/01/rdf-schema#label> "Hijacked" .`, owner: `${M}policy` },
      { triple: `<${M}gifts-001> <https://w3id.org/alignment-studio/ns#text> "Anything goes." .`, owner: `${M}policy` },
    ]);
    expect(reply.body.detail).toMatch(/^intruder\.ttl: /);
    expect(await api.snapshot()).toBe(before);
    expect((await api.call('GET', at('/v1/rules', `${M}gifts-001`), { as: 'reader' })).body.label).toBe('No gifts from suppliers');
    // Without the foreign triples the same policy loads.
    expect((await upload(INTRUDER.split('\n').filter((l) => !l.includes('mini:gifts-001') && !l.includes('Anything goes')).join('\n'))).status).toBe(201);
  });

  it('refuses a policy that violates the shapes with 422 and its violations, storing nothing', async () => {
    const reply = await upload(mini.replace('studio:bearer studio:Manager ;', ''), '?filename=broken.ttl');
    expect(reply.status).toBe(422);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ type: 'https://w3id.org/alignment-studio/problems/policy-invalid', status: 422, instance: '/v1/policies?filename=broken.ttl' });
    expect(reply.body.detail).toContain('broken.ttl:108: mini:conf-003 studio:bearer');
    expect(reply.body.violations).toEqual([expect.objectContaining({ file: 'broken.ttl', line: 108, focusNode: 'mini:conf-003', path: 'studio:bearer', constraint: 'MinCount' })]);
    expect(await api.store.listPolicies()).toEqual([]);
  });

  it('refuses Turtle that does not parse with 400 and file:line:column', async () => {
    const broken = mini.replace('studio:text "Employees must protect confidential information." ;', 'studio:text "unterminated ;');
    const reply = await upload(broken, '?filename=broken.ttl');
    expect(reply.status).toBe(400);
    expect(reply.body.type).toBe('https://w3id.org/alignment-studio/problems/turtle-syntax');
    expect(reply.body.detail).toMatch(/^broken\.ttl:\d+:\d+: /);
    expect(await api.store.listPolicies()).toEqual([]);
  });

  it('refuses a document that declares no policy with 422', async () => {
    const reply = await upload(mini.replace('mini:policy a studio:Policy ;', 'mini:policy a studio:Regulation ;'));
    expect(reply.status).toBe(422);
    expect(await api.store.listPolicies()).toEqual([]);
  });

  it('serialises concurrent uploads: both land, one policy each', async () => {
    const bank = await readFile(SAMPLE_POLICIES[1]!, 'utf8');
    const replies = await Promise.all([upload(mini), upload(bank), upload(mini)]);
    expect(replies.map((r) => r.status).sort()).toEqual([201, 201, 409]);
    expect(await api.store.listPolicies()).toHaveLength(2);
  });
});

describe('GET and DELETE /v1/policies', () => {
  beforeEach(async () => {
    for (const file of [MINI, ...SAMPLE_POLICIES]) expect((await upload(await readFile(file, 'utf8'))).status).toBe(201);
  });

  it('lists policies a page at a time, with the total', async () => {
    const all = await api.call('GET', '/v1/policies', { as: 'reader' });
    expect(all.body.total).toBe(3);
    const iris = all.body.items.map((p: { policy: string }) => p.policy);
    const pages = [];
    for (let offset = 0; offset < 3; offset += 2) {
      const page = await api.call('GET', `/v1/policies?limit=2&offset=${offset}`, { as: 'reader' });
      expect(page.body).toMatchObject({ total: 3, limit: 2, offset });
      pages.push(...page.body.items.map((p: { policy: string }) => p.policy));
    }
    expect(pages).toEqual(iris);
  });

  it('gives one policy with its rule count, and 404 for one not loaded', async () => {
    const one = await api.call('GET', at('/v1/policies', `${M}policy`), { as: 'reader' });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ policy: `${M}policy`, rules: 5, triples: 117 });
    const missing = await api.call('GET', at('/v1/policies', `${M}other`), { as: 'reader' });
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toContain(`${M}other`);
  });

  it('deletes a policy (204), then answers 404', async () => {
    expect((await api.call('DELETE', at('/v1/policies', `${M}policy`), { as: 'admin' })).status).toBe(204);
    expect((await api.call('DELETE', at('/v1/policies', `${M}policy`), { as: 'admin' })).status).toBe(404);
    expect((await api.call('GET', `/v1/rules?policy=${encodeURIComponent(`${M}policy`)}`, { as: 'reader' })).body.total).toBe(0);
    expect((await api.store.listPolicies()).length).toBe(2);
  });

  it('refuses a page larger than 500', async () => {
    const reply = await api.call('GET', '/v1/policies?limit=501', { as: 'reader' });
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0]).toMatchObject({ in: 'querystring', path: '/limit' });
  });
});
