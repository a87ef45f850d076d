/** Bearer tokens and roles, route by route: every route x role gives the status in the table. */

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenTable, hashToken } from '../../src/api/auth.js';
import { ConfigError } from '../../src/errors.js';
import { MINI } from '../store/store-spec.js';
import { at, startMiniApi, stopApi, TOKENS, type Api, type CallOptions } from './harness.js';

const M = 'https://example.org/mini#';
// A run no store holds: the role check passes, then 404.
const RUN = 'https://w3id.org/alignment-studio/id/audit/20990101T000000Z-abcdef';
const NO_JOB = 'AAAAAAAAAAAAAAAAAAAAAA';
let api: Api;
let mini: string;

beforeAll(async () => {
  mini = await readFile(MINI, 'utf8');
  api = await startMiniApi();
});
afterAll(() => stopApi(api));

type Who = 'nobody' | 'reader' | 'engineer' | 'auditor' | 'admin';
interface Case {
  route: string;
  path: string;
  options?: () => CallOptions;
  expected: Record<Who, number>;
}

const everyone = (status: number): Record<Who, number> => ({ nobody: status, reader: status, engineer: status, auditor: status, admin: status });
const readers = (status: number): Record<Who, number> => ({ nobody: 401, reader: status, engineer: status, auditor: status, admin: status });
const writers = (status: number): Record<Who, number> => ({ nobody: 401, reader: 403, engineer: status, auditor: 403, admin: status });

// A DELETE of a policy that is not loaded shows the role check passed (404) without changing anything.
const TABLE: Case[] = [
  { route: 'GET /health', path: '/health', expected: everyone(200) },
  { route: 'GET /openapi.json', path: '/openapi.json', expected: everyone(200) },
  { route: 'GET /docs', path: '/docs/', expected: everyone(200) },
  { route: 'GET /v1/policies', path: '/v1/policies', expected: readers(200) },
  { route: 'GET /v1/policies/:policy', path: at('/v1/policies', `${M}policy`), expected: readers(200) },
  // The mini policy is loaded: a POST of it is a 409, a PUT naming another version a 412; neither changes anything.
  { route: 'POST /v1/policies', path: '/v1/policies', options: () => ({ body: mini, contentType: 'text/turtle' }), expected: writers(409) },
  { route: 'PUT /v1/policies/:policy', path: at('/v1/policies', `${M}policy`), options: () => ({ body: mini, contentType: 'text/turtle', headers: { 'if-match': '"0"' } }), expected: writers(412) },
  { route: 'DELETE /v1/policies/:policy', path: at('/v1/policies', `${M}not-loaded`), expected: writers(404) },
  { route: 'GET /v1/rules', path: '/v1/rules?kind=Prohibition', expected: readers(200) },
  { route: 'GET /v1/rules/:rule', path: at('/v1/rules', `${M}gifts-001`), expected: readers(200) },
  { route: 'GET /v1/session', path: '/v1/session', expected: readers(200) },
  { route: 'GET /v1/queries', path: '/v1/queries', expected: readers(200) },
  { route: 'GET /v1/queries/:name', path: `/v1/queries/rule-context?rule=${encodeURIComponent(`${M}gifts-001`)}`, expected: readers(200) },
  { route: 'POST /v1/queries/:name', path: '/v1/queries/rule-context', options: () => ({ json: { rule: `${M}gifts-001` } }), expected: readers(200) },
  { route: 'POST /v1/query/sparql', path: '/v1/query/sparql', options: () => ({ json: { query: 'SELECT * WHERE { ?s ?p ?o } LIMIT 1' } }), expected: readers(200) },
  // The embedded store speaks SPARQL: Cypher is a 400, but only once authenticated.
  { route: 'POST /v1/query/cypher', path: '/v1/query/cypher', options: () => ({ json: { query: 'MATCH (n) RETURN n LIMIT 1' } }), expected: readers(400) },
  { route: 'GET /v1/policies/:policy/audits', path: `${at('/v1/policies', `${M}policy`)}/audits`, expected: readers(200) },
  { route: 'GET /v1/policies/:policy/audits/stale', path: `${at('/v1/policies', `${M}policy`)}/audits/stale`, expected: readers(200) },
  { route: 'GET /v1/audits/:run/results', path: `${at('/v1/audits', RUN)}/results`, expected: readers(404) },
  { route: 'GET /v1/audits/:run/failing-rules', path: `${at('/v1/audits', RUN)}/failing-rules`, expected: readers(404) },
  // This server keeps no audit runs: an allowed request gets 409.
  { route: 'GET /v1/policies/:policy/report', path: `${at('/v1/policies', `${M}policy`)}/report`, expected: readers(409) },
  { route: 'GET /v1/audits/compare', path: `/v1/audits/compare?first=${encodeURIComponent(RUN)}&second=${encodeURIComponent(`${RUN}0`)}`, expected: readers(404) },
  // The playground: this server has no models, so an allowed question gets 409; an exchange it never gave is a 404.
  { route: 'POST /v1/policies/:policy/playground', path: `${at('/v1/policies', `${M}policy`)}/playground`, options: () => ({ json: { question: 'May I accept a gift?' } }), expected: { nobody: 401, reader: 403, engineer: 409, auditor: 409, admin: 409 } },
  { route: 'POST /v1/policies/:policy/preferences', path: `${at('/v1/policies', `${M}policy`)}/preferences`, options: () => ({ json: { exchange: NO_JOB, preferred: 'first', reason: 'clearer' } }), expected: writers(404) },
  { route: 'GET /v1/policies/:policy/preferences', path: `${at('/v1/policies', `${M}policy`)}/preferences`, expected: readers(200) },
  // Jobs: an unknown (well-formed) id or policy shows the role check passed (404) without starting or changing anything.
  { route: 'GET /v1/jobs', path: '/v1/jobs?state=running', expected: readers(200) },
  { route: 'GET /v1/jobs/:id', path: `/v1/jobs/${NO_JOB}`, expected: readers(404) },
  { route: 'GET /v1/jobs/:id/events', path: `/v1/jobs/${NO_JOB}/events`, expected: readers(404) },
  { route: 'POST /v1/jobs', path: '/v1/jobs', options: () => ({ json: { kind: 'generation', policy: `${M}not-loaded` } }), expected: writers(404) },
  { route: 'POST /v1/jobs (started)', path: '/v1/jobs', options: () => ({ json: { kind: 'generation', policy: `${M}policy`, families: ['definition'] } }), expected: writers(202) },
  // Audits are for auditors and admins; this server has no model to audit, so an allowed request gets 409.
  { route: 'POST /v1/jobs (audit)', path: '/v1/jobs', options: () => ({ json: { kind: 'audit', policy: `${M}policy` } }), expected: { nobody: 401, reader: 403, engineer: 403, auditor: 409, admin: 409 } },
  // Whoever may start some kind of job may ask to cancel one; an unknown job is 404 for them.
  { route: 'POST /v1/jobs/:id/cancel', path: `/v1/jobs/${NO_JOB}/cancel`, expected: { nobody: 401, reader: 403, engineer: 404, auditor: 404, admin: 404 } },
];

function methodOf(c: Case): string {
  if (c.route.startsWith('DELETE')) return 'DELETE';
  if (c.route.startsWith('PUT')) return 'PUT';
  return c.route.startsWith('POST') ? 'POST' : 'GET';
}

describe('route x role', () => {
  const rows = TABLE.flatMap((c) => (Object.keys(c.expected) as Who[]).map((who) => [c.route, who, c.expected[who], c] as const));
  it.each(rows)('%s as %s -> %i', async (_route, who, status, c) => {
    const options = c.options?.() ?? {};
    const reply = await api.call(methodOf(c), c.path, { ...options, as: who });
    expect(reply.status, reply.text).toBe(status);
    if (status === 401) {
      expect(reply.contentType).toMatch(/^application\/problem\+json/);
      expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    if (status === 403) expect(reply.body.detail).toContain('needs one of the roles');
  });
});

describe('bad credentials', () => {
  const v1 = TABLE.filter((c) => c.path.startsWith('/v1'));
  it.each(v1.map((c) => [c.route, c] as const))('%s refuses an unknown token and a malformed header with 401', async (_route, c) => {
    const options = c.options?.() ?? {};
    for (const headers of [{ authorization: 'Bearer not-a-known-token' }, { authorization: `Basic ${TOKENS.admin}` }, { authorization: `Bearer ${TOKENS.admin} extra` }]) {
      const reply = await api.call(methodOf(c), c.path, { ...options, headers });
      expect(reply.status, JSON.stringify(headers)).toBe(401);
      expect(reply.body.type).toBe('https://w3id.org/alignment-studio/problems/unauthenticated');
    }
  });

  it('does not accept the hash in place of the token', async () => {
    const reply = await api.call('GET', '/v1/policies', { token: hashToken(TOKENS.admin) });
    expect(reply.status).toBe(401);
  });
});

describe('token configuration', () => {
  const hash = hashToken('s3cret');
  it('finds a token by its hash, and nothing else', () => {
    const table = TokenTable.fromJson(JSON.stringify({ tokens: [{ name: 'ci', sha256: hash, roles: ['reader', 'auditor'] }] }), 'tokens.json');
    expect(table.authenticate('s3cret')).toEqual({ name: 'ci', sha256: hash, roles: ['reader', 'auditor'] });
    expect(table.authenticate('s3cret ')).toBeUndefined();
    expect(table.authenticate('')).toBeUndefined();
  });

  it.each([
    ['not JSON', '{tokens'],
    ['no tokens list', '{}'],
    ['a plain token instead of a hash', JSON.stringify({ tokens: [{ sha256: 's3cret', roles: ['reader'] }] })],
    ['an unknown role', JSON.stringify({ tokens: [{ sha256: hash, roles: ['superuser'] }] })],
    ['no roles', JSON.stringify({ tokens: [{ sha256: hash, roles: [] }] })],
  ])('refuses a tokens file with %s', (_label, text) => {
    expect(() => TokenTable.fromJson(text, 'tokens.json')).toThrow(ConfigError);
  });

  it('reads STUDIO_API_TOKENS when no file is given, and refuses to run with no tokens at all', async () => {
    const json = JSON.stringify({ tokens: [{ sha256: hash, roles: ['admin'] }] });
    expect((await TokenTable.load(undefined, { STUDIO_API_TOKENS: json })).size).toBe(1);
    await expect(TokenTable.load(undefined, {})).rejects.toBeInstanceOf(ConfigError);
    await expect(TokenTable.load('/no/such/tokens.json', {})).rejects.toBeInstanceOf(ConfigError);
  });
});
