/** HTTP details: 405 with Allow for a wrong method, 431 as a problem, bounded paging. */

import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, startMiniApi, stopApi, type Api } from './harness.js';

const M = 'https://example.org/mini#';
let api: Api;
beforeAll(async () => {
  api = await startMiniApi();
});
afterAll(() => stopApi(api));

/** Sends raw bytes and resolves with the whole answer the server writes before it closes. */
function raw(request: string): Promise<string> {
  const { port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.end(request));
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('a wrong method on an existing route', () => {
  it.each([
    ['DELETE', '/v1/rules', 'GET, HEAD'],
    ['PATCH', at('/v1/policies', `${M}policy`), 'DELETE, GET, HEAD, PUT'],
    ['GET', '/v1/query/sparql', 'POST'],
    ['POST', '/health', 'GET, HEAD'],
  ])('%s %s is a 405 with Allow: %s', async (method, path, allow) => {
    const reply = await api.call(method, path, { as: 'admin' });
    expect(reply.status).toBe(405);
    expect(reply.headers.get('allow')).toBe(allow);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status: 405, type: 'https://w3id.org/alignment-studio/problems/method-not-allowed' });
  });

  it('a method with a body and no Content-Type (QUERY) is a 405 too, not a 400', async () => {
    const reply = await api.call('QUERY', '/v1/rules', { as: 'admin' });
    expect(reply.status).toBe(405);
    expect(reply.headers.get('allow')).toBe('GET, HEAD');
  });

  it.each([
    ['a C1 control character', `${M}gifts\u008e`],
    ['a private-use character', `${M}gifts\ue000`],
    ['a % that encodes nothing', `${M}gifts%2`],
  ])('refuses an IRI with %s by schema (400), as the store would', async (_label, iri) => {
    const reply = await api.call('GET', `/v1/queries/rule-context?rule=${encodeURIComponent(iri)}`, { as: 'reader' });
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0]).toMatchObject({ in: 'querystring', path: '/rule' });
  });

  it('a path no route has is still a 404', async () => {
    const reply = await api.call('GET', '/v1/nothing', { as: 'admin' });
    expect(reply.status).toBe(404);
    expect(reply.headers.get('allow')).toBeNull();
  });
});

describe('headers too large', () => {
  it('answers 431 as problem+json', async () => {
    const answer = await raw(`GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(140_000)}\r\n\r\n`);
    const [head, body] = answer.split('\r\n\r\n') as [string, string];
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(head.toLowerCase()).toContain('content-type: application/problem+json');
    expect(JSON.parse(body)).toMatchObject({ status: 431, type: 'https://w3id.org/alignment-studio/problems/header-too-large' });
  });
});

describe('paging bounds', () => {
  it.each(['/v1/policies', '/v1/queries', '/v1/jobs'])('%s refuses an offset past the maximum, and never echoes one in exponent form', async (path) => {
    const huge = await api.call('GET', `${path}?offset=100000000000000000000000`, { as: 'reader' });
    expect(huge.status).toBe(400);
    expect(huge.body.errors[0]).toMatchObject({ in: 'querystring', path: '/offset' });
    const top = await api.call('GET', `${path}?offset=1000000000`, { as: 'reader' });
    expect(top.status).toBe(200);
    expect(top.text).toContain('"offset":1000000000');
    expect(top.text).not.toMatch(/e\+/);
  });

  it('declares the bounds in the OpenAPI document', async () => {
    const doc = (await api.call('GET', '/openapi.json')).body;
    const offset = doc.paths['/v1/policies'].get.parameters.find((p: { name: string }) => p.name === 'offset');
    expect(offset.schema).toMatchObject({ type: 'integer', minimum: 0, maximum: 1_000_000_000 });
    expect(Object.keys(doc.paths['/v1/rules'].get.responses)).toEqual(expect.arrayContaining(['431', '504']));
  });
});
