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

const upload = (text: string, query = '') => api.call('POST', `/v1/policies${query}`, { as: 'engineer', body: text, contentType: 'text/turtle' });

describe('POST /v1/policies', () => {
  it('loads a valid policy (201), then replaces it on a second upload (200)', async () => {
    const first = await upload(mini, '?filename=mini.ttl');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ policy: `${M}policy`, title: 'Mini Code policy', source: 'mini.ttl', triples: 117 });
    expect(first.headers.get('location')).toBe(at('/v1/policies', `${M}policy`));
    // Read once, so that a remembered answer would show if the reload did not forget it.
    expect((await api.call('GET', at('/v1/rules', `${M}gifts-001`), { as: 'reader' })).body.label).toBe('No gifts from suppliers');
    const second = await upload(mini.replace('"No gifts from suppliers"', '"No gifts from vendors"'));
    expect(second.status).toBe(200);
    expect((await api.store.listPolicies()).map((p) => p.policy)).toEqual([`${M}policy`]);
    const rule = await api.call('GET', at('/v1/rules', `${M}gifts-001`), { as: 'reader' });
    expect(rule.body.label).toBe('No gifts from vendors');
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
    expect(replies.map((r) => r.status).sort()).toEqual([200, 201, 201]);
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
