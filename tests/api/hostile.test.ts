/**
 * Hostile input: injections through parameters, oversized bodies, malformed
 * Turtle, unknown IRIs, wrong content types, writes through the ad-hoc query
 * routes. Each gets a 4xx problem, and the store holds exactly what it held.
 */

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINI } from '../store/store-spec.js';
import { at, startMiniApi, stopApi, type Api, type CallOptions } from './harness.js';

const M = 'https://example.org/mini#';
const SPARQL_INJECTION = `${M}x> } } DELETE WHERE { ?s ?p ?o } #`;
const CYPHER_INJECTION = `${M}x'}) DETACH DELETE n //`;
const TURTLE_LIMIT = 64 * 1024;
const JSON_LIMIT = 16 * 1024;

let api: Api;
let before: string;
let mini: string;

beforeAll(async () => {
  mini = await readFile(MINI, 'utf8');
  api = await startMiniApi({ turtleBodyLimit: TURTLE_LIMIT, jsonBodyLimit: JSON_LIMIT });
  before = await api.snapshot();
});
afterAll(() => stopApi(api));

const q = encodeURIComponent;
const turtle = (body: string): CallOptions => ({ as: 'admin', body, contentType: 'text/turtle' });
const job = (json: unknown): CallOptions => ({ as: 'admin', json });

const CASES: [string, string, string, () => CallOptions, number][] = [
  // Injection through parameters: the schema refuses what is no IRI; the store binds values, never pastes them.
  ['a SPARQL injection in a rules filter', 'GET', `/v1/rules?bearer=${q(SPARQL_INJECTION)}`, () => ({ as: 'admin' }), 400],
  ['a Cypher injection in a rules filter', 'GET', `/v1/rules?section=${q(CYPHER_INJECTION)}`, () => ({ as: 'admin' }), 400],
  ['a SPARQL injection in the cursor', 'GET', `/v1/rules?after=${q(SPARQL_INJECTION)}`, () => ({ as: 'admin' }), 400],
  ['a SPARQL injection as a rule IRI', 'GET', at('/v1/rules', SPARQL_INJECTION), () => ({ as: 'admin' }), 400],
  ['a Cypher injection as a policy IRI to delete', 'DELETE', at('/v1/policies', CYPHER_INJECTION), () => ({ as: 'admin' }), 400],
  ['a SPARQL injection in a named query parameter (GET)', 'GET', `/v1/queries/rule-context?rule=${q(SPARQL_INJECTION)}`, () => ({ as: 'admin' }), 400],
  ['a Cypher injection in a named query parameter (POST)', 'POST', '/v1/queries/rule-context', () => ({ as: 'admin', json: { rule: CYPHER_INJECTION } }), 400],
  ['a path in a named query name', 'GET', `/v1/queries/${q('../sparql/rule-context')}`, () => ({ as: 'admin' }), 400],
  ['a path as a policy IRI', 'DELETE', at('/v1/policies', '../../data/manifest.json'), () => ({ as: 'admin' }), 400],
  ['a bad upload file name', 'POST', `/v1/policies?filename=${q('../../etc/passwd')}`, () => turtle(mini), 400],
  // Writes through the ad-hoc routes.
  ['a SPARQL DELETE', 'POST', '/v1/query/sparql', () => ({ as: 'admin', json: { query: 'DELETE WHERE { ?s ?p ?o }' } }), 403],
  ['a SPARQL INSERT DATA', 'POST', '/v1/query/sparql', () => ({ as: 'admin', json: { query: `INSERT DATA { <${M}a> <${M}b> <${M}c> }` } }), 403],
  ['a SPARQL DROP ALL', 'POST', '/v1/query/sparql', () => ({ as: 'admin', json: { query: 'DROP ALL' } }), 403],
  ['a SPARQL CLEAR after a SELECT', 'POST', '/v1/query/sparql', () => ({ as: 'admin', json: { query: 'SELECT * WHERE { ?s ?p ?o } ; CLEAR ALL' } }), 400],
  ['a Cypher write on the embedded store', 'POST', '/v1/query/cypher', () => ({ as: 'admin', json: { query: 'MATCH (n) DETACH DELETE n' } }), 400],
  // Bodies too large, malformed or of the wrong type.
  ['an oversized Turtle body', 'POST', '/v1/policies', () => turtle(mini + `# ${'x'.repeat(TURTLE_LIMIT)}\n`), 413],
  ['an oversized JSON body', 'POST', '/v1/query/sparql', () => ({ as: 'admin', json: { query: `ASK {} # ${'x'.repeat(JSON_LIMIT)}` } }), 413],
  ['malformed Turtle', 'POST', '/v1/policies', () => turtle(mini.replace('mini:s3 a studio:Section ;', 'mini:s3 a studio:Section ;;; <')), 400],
  ['Turtle that declares two policies', 'POST', '/v1/policies', () => turtle(`${mini}\nmini:other a studio:Policy ; studio:implements mini:regulation .\n`), 422],
  ['an empty Turtle body', 'POST', '/v1/policies', () => turtle(''), 400],
  ['malformed JSON', 'POST', '/v1/query/sparql', () => ({ as: 'admin', body: '{"query": ', contentType: 'application/json' }), 400],
  ['JSON where Turtle is expected', 'POST', '/v1/policies', () => ({ as: 'admin', json: { turtle: mini } }), 415],
  ['plain text where Turtle is expected', 'POST', '/v1/policies', () => ({ as: 'admin', body: mini, contentType: 'text/plain' }), 415],
  ['Turtle where JSON is expected', 'POST', '/v1/query/sparql', () => ({ as: 'admin', body: mini, contentType: 'text/turtle' }), 415],
  ['a form where JSON is expected', 'POST', '/v1/queries/rule-context', () => ({ as: 'admin', body: `rule=${q(`${M}gifts-001`)}`, contentType: 'application/x-www-form-urlencoded' }), 415],
  ['a query that is not a string', 'POST', '/v1/query/sparql', () => ({ as: 'admin', json: { query: ['DROP ALL'] } }), 400],
  // Unknown things.
  ['an unknown rule', 'GET', at('/v1/rules', `${M}no-such-rule`), () => ({ as: 'admin' }), 404],
  ['an unknown policy', 'GET', at('/v1/policies', `${M}no-such-policy`), () => ({ as: 'admin' }), 404],
  ['deleting an unknown policy', 'DELETE', at('/v1/policies', `${M}no-such-policy`), () => ({ as: 'admin' }), 404],
  ['an unknown route', 'GET', '/v1/nothing-here', () => ({ as: 'admin' }), 404],
  // Jobs: nothing is queued, nothing written.
  ['an unknown job', 'GET', '/v1/jobs/AAAAAAAAAAAAAAAAAAAAAA', () => ({ as: 'admin' }), 404],
  ['a malformed job id', 'GET', `/v1/jobs/${q('../policies')}`, () => ({ as: 'admin' }), 400],
  ['the events of an unknown job', 'GET', '/v1/jobs/AAAAAAAAAAAAAAAAAAAAAA/events', () => ({ as: 'admin' }), 404],
  ['cancelling an unknown job', 'POST', '/v1/jobs/AAAAAAAAAAAAAAAAAAAAAA/cancel', () => ({ as: 'admin' }), 404],
  ['a job of an unknown kind', 'POST', '/v1/jobs', () => job({ kind: 'shell', policy: `${M}policy` }), 400],
  ['a job without a kind', 'POST', '/v1/jobs', () => job({ policy: `${M}policy` }), 400],
  ['a job for an unknown policy', 'POST', '/v1/jobs', () => job({ kind: 'generation', policy: `${M}no-such-policy` }), 404],
  ['a job with a SPARQL injection as its policy', 'POST', '/v1/jobs', () => job({ kind: 'generation', policy: SPARQL_INJECTION }), 400],
  ['a job with a parameter its kind lacks', 'POST', '/v1/jobs', () => job({ kind: 'generation', policy: `${M}policy`, templates: '/etc' }), 400],
  ['a job with an unknown family', 'POST', '/v1/jobs', () => job({ kind: 'generation', policy: `${M}policy`, families: ['everything'] }), 400],
  ['a job with a negative seed', 'POST', '/v1/jobs', () => job({ kind: 'generation', policy: `${M}policy`, seed: -1 }), 400],
  ['a job with a seed that is no number', 'POST', '/v1/jobs', () => job({ kind: 'generation', policy: `${M}policy`, seed: 'one' }), 400],
  ['a job whose policy is a list', 'POST', '/v1/jobs', () => job({ kind: 'generation', policy: [`${M}policy`] }), 400],
  ['a job body that is a list', 'POST', '/v1/jobs', () => job([{ kind: 'generation', policy: `${M}policy` }]), 400],
  ['an oversized job body', 'POST', '/v1/jobs', () => job({ kind: 'generation', policy: `${M}policy`, families: Array(JSON_LIMIT).fill('definition') }), 413],
  ['a job as Turtle', 'POST', '/v1/jobs', () => turtle(mini), 415],
  ['a job as a form', 'POST', '/v1/jobs', () => ({ as: 'admin', body: `kind=generation&policy=${q(`${M}policy`)}`, contentType: 'application/x-www-form-urlencoded' }), 415],
  ['a job started by a reader', 'POST', '/v1/jobs', () => ({ ...job({ kind: 'generation', policy: `${M}policy` }), as: 'reader' }), 403],
  ['a job started by an auditor', 'POST', '/v1/jobs', () => ({ ...job({ kind: 'generation', policy: `${M}policy` }), as: 'auditor' }), 403],
  // Credentials.
  ['a write without a token', 'DELETE', at('/v1/policies', `${M}policy`), () => ({}), 401],
  ['a write with a reader token', 'DELETE', at('/v1/policies', `${M}policy`), () => ({ as: 'reader' }), 403],
  ['an upload with an auditor token', 'POST', '/v1/policies', () => ({ ...turtle(mini), as: 'auditor' }), 403],
];

describe('hostile requests', () => {
  it.each(CASES)('refuses %s', async (_label, method, path, options, status) => {
    const reply = await api.call(method, path, options());
    expect(reply.status, reply.text).toBe(status);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String), instance: expect.any(String) });
    expect(await api.snapshot()).toBe(before);
  });

  it('treats a quote inside a well-formed IRI as data: no rows, nothing changed', async () => {
    const iri = `${M}x')DETACH_DELETE_n//'OR'1'='1`;
    for (const filter of ['bearer', 'section', 'policy', 'after']) {
      const reply = await api.call('GET', `/v1/rules?${filter}=${q(iri)}`, { as: 'reader' });
      expect(reply.status, filter).toBe(200);
      expect(reply.body.items, filter).toEqual([]);
    }
    expect((await api.call('GET', `/v1/queries/rule-context?rule=${q(iri)}`, { as: 'reader' })).body.rows).toEqual([]);
    expect(await api.snapshot()).toBe(before);
  });

  it('started no job', async () => {
    expect((await api.call('GET', '/v1/jobs', { as: 'reader' })).body).toMatchObject({ items: [], total: 0 });
  });

  it('still serves after all that', async () => {
    const reply = await api.call('GET', '/v1/rules', { as: 'reader' });
    expect(reply.body.total).toBe(5);
  });
});
