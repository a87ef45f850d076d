/**
 * What schemathesis found against /openapi.json, each as a case: the server
 * accepts what its document allows and refuses what it does not
 * (scripts/schemathesis.sh runs schemathesis itself).
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMiniApi, stopApi, type Api } from './harness.js';

let api: Api;
beforeAll(async () => {
  api = await startMiniApi();
});
afterAll(async () => stopApi(api));

const M = 'https://example.org/mini#';
const PROBLEMS = 'https://w3id.org/alignment-studio/problems/';

describe('JSON bodies are checked as sent', () => {
  it.each([
    ['null', null],
    ['false', false],
    ['a number', 42],
  ])('refuses %s for a string parameter (the query-string coercion does not apply to bodies)', async (_name, value) => {
    const reply = await api.call('POST', '/v1/queries/rules-count', { as: 'reader', json: { byPolicy: value, byKind: '', bySection: '', byBearer: '' } });
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ type: `${PROBLEMS}invalid-request`, errors: [expect.objectContaining({ in: 'body', path: '/byPolicy' })] });
  });

  it('still takes the same body with a string', async () => {
    const reply = await api.call('POST', '/v1/queries/rules-count', { as: 'reader', json: { byPolicy: '', byKind: '', bySection: '', byBearer: '' } });
    expect(reply.status).toBe(200);
    expect(reply.body.rows[0].rules).toBeGreaterThan(0);
  });
});

describe('IRIs the schema allows', () => {
  it('answers no rows, not an error, for an IRI that SPARQL refuses (a second #, a [)', async () => {
    for (const rule of [`${M}a#b`, `${M}[x`]) {
      const reply = await api.call('GET', `/v1/queries/rule-context?rule=${encodeURIComponent(rule)}`, { as: 'reader' });
      expect(reply.status, reply.text).toBe(200);
      expect(reply.body.rows).toEqual([]);
    }
    const rule = await api.call('GET', `/v1/rules/${encodeURIComponent(`${M}a#b`)}`, { as: 'reader' });
    expect(rule.status).toBe(404);
  });

  it('answers 404 for a path IRI holding U+FFFD (what a client sends for a lone surrogate)', async () => {
    const reply = await api.call('GET', `/v1/policies/${encodeURIComponent('urn:x:\uFFFD')}`, { as: 'reader' });
    expect(reply.status).toBe(404);
  });

  it('refuses an IRI longer than 2048 characters with 400, and a path segment over 24 KB with 414', async () => {
    expect((await api.call('GET', `/v1/policies/${encodeURIComponent(`${M}${'x'.repeat(2100)}`)}`, { as: 'reader' })).status).toBe(400);
    const long = await api.call('GET', `/v1/policies/${encodeURIComponent(`${M}${'x'.repeat(25_000)}`)}`, { as: 'reader' });
    expect(long.status).toBe(414);
    expect(long.contentType).toContain('application/problem+json');
  });

  it('takes a URL of several long IRIs (under 128 KB) instead of answering 431', async () => {
    const long = encodeURIComponent(`${M}${'é'.repeat(2000)}`);
    const reply = await api.call('GET', `/v1/queries/rules-count?byPolicy=${long}&bySection=${long}&byBearer=${long}&byKind=`, { as: 'reader' });
    expect(reply.status, reply.text.slice(0, 200)).toBe(200);
  });
});

describe('the OpenAPI document', () => {
  it('declares If-Match as required on PUT, and a PUT without it is still a 428', async () => {
    const doc = (await api.call('GET', '/openapi.json')).body;
    const put = doc.paths['/v1/policies/{policy}'].put;
    expect(put.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'header', name: 'if-match', required: true })]));
    const reply = await api.call('PUT', `/v1/policies/${encodeURIComponent(`${M}policy`)}`, { as: 'engineer', body: '@prefix a: <urn:a#> .', contentType: 'text/turtle' });
    expect(reply.status).toBe(428);
  });

  it('describes each server-sent event as an object with its name and data', async () => {
    const doc = (await api.call('GET', '/openapi.json')).body;
    const schema = doc.paths['/v1/jobs/{id}/events'].get.responses['200'].content['text/event-stream'].schema;
    expect(schema).toMatchObject({ type: 'object', required: ['data'], properties: { event: { enum: ['state', 'progress'] }, data: { type: 'string' } } });
  });

  it('states the upload limits on the upload body, and the precedence pattern refuses a principle named twice', async () => {
    const doc = (await api.call('GET', '/openapi.json')).body;
    const body = doc.paths['/v1/policies'].post.requestBody.content['text/turtle'].schema;
    expect(body.description).toMatch(/1000000 triples \(413 too-many-triples\)/);
    expect(body.description).toMatch(/100000 characters in a literal \(422 literal-too-long\)/);
    const precedence = doc.paths['/v1/policies/{policy}/conflicts'].get.parameters.find((p: { name: string }) => p.name === 'precedence').schema.pattern;
    const pattern = new RegExp(precedence, 'u');
    expect(pattern.test('lexSuperior,lexPosterior')).toBe(true);
    expect(pattern.test('lexSuperior,lexPosterior,lexSuperior')).toBe(false);
  });
});
