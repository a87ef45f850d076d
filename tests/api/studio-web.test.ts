/**
 * The studio page beside the API: / serves the built page with a strict
 * content security policy, its routes stay out of the OpenAPI document, other
 * paths still answer as the API does, an unbuilt page says how to build it,
 * and /v1/session tells the page which writes the token may make.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studioWeb } from '../../src/api/studio-web.js';
import { sendProblem, toProblem } from '../../src/api/problem.js';
import { startMiniApi, stopApi, type Api } from './harness.js';

// The page is the one the global setup built from the current web/ sources (tests/helpers/builds.ts).
let api: Api;
beforeAll(async () => {
  api = await startMiniApi();
}, 120_000);
afterAll(async () => stopApi(api));

describe('the page at /', () => {
  it('serves index.html, its script and style sheet, each with a content security policy that allows only this origin', async () => {
    const page = await api.call('GET', '/');
    expect(page.status).toBe(200);
    expect(page.contentType).toMatch(/^text\/html/);
    expect(page.text).toContain('<script type="module" src="app.js">');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self';.*connect-src 'self'/);
    for (const [file, type] of [
      ['/app.js', /javascript/],
      ['/styles.css', /text\/css/],
    ] as const) {
      const reply = await api.call('GET', file);
      expect(reply.status, file).toBe(200);
      expect(reply.contentType).toMatch(type);
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('needs no token, while /v1 still does', async () => {
    expect((await api.call('GET', '/')).status).toBe(200);
    expect((await api.call('GET', '/v1/policies')).status).toBe(401);
  });

  it('keeps its routes out of the OpenAPI document', async () => {
    const doc = (await api.call('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths).filter((p) => !p.startsWith('/v1'))).toEqual(['/health']);
  });

  it('leaves other paths to the API: 404 for an unknown file, 405 for a write to a file, as problems', async () => {
    const missing = await api.call('GET', '/secrets.txt');
    expect(missing.status).toBe(404);
    expect(missing.contentType).toMatch(/^application\/problem\+json/);
    const post = await api.call('POST', '/app.js', { json: {} });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await api.call('GET', '/v1/nothing-here', { as: 'reader' })).status).toBe(404);
  });
});

describe('an unbuilt page', () => {
  it('answers / with 503 and how to build it', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'studio-web-'));
    const app = fastify();
    app.setErrorHandler((error, request, reply) => sendProblem(reply, toProblem(error, request)));
    try {
      await app.register(studioWeb, { root: empty });
      const reply = await app.inject({ method: 'GET', url: '/' });
      expect(reply.statusCode).toBe(503);
      expect(reply.json()).toMatchObject({ type: 'https://w3id.org/alignment-studio/problems/studio-page-not-built' });
      expect(reply.json().detail).toContain('npm run build');
    } finally {
      await app.close();
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe('GET /v1/session', () => {
  it.each([
    ['reader', { changePolicies: false, startAudits: false, review: false, ask: false, recordPreferences: false }],
    ['engineer', { changePolicies: true, startAudits: false, review: true, ask: true, recordPreferences: true }],
    ['auditor', { changePolicies: false, startAudits: true, review: false, ask: true, recordPreferences: false }],
    ['admin', { changePolicies: true, startAudits: true, review: true, ask: true, recordPreferences: true }],
  ] as const)('tells a %s token which writes it may make', async (role, may) => {
    const reply = await api.call('GET', '/v1/session', { as: role });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ name: role, roles: [role], may });
  });
});
