/**
 * GET and POST /v1/policies/{policy}/conflicts over HTTP: roles, the sample
 * policies' documented conflicts with their resolutions, filters, pages, the
 * order of precedence, and hostile input that must change nothing.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { MINI, SAMPLE_POLICIES } from '../store/store-spec.js';
import { at, startApi, type Api, type CallOptions } from './harness.js';

const M = 'https://example.org/mini#';
const K = 'https://example.org/kestrel/bcg#';
const H = 'https://example.org/harbourline/assistant#';
const PROBLEMS = 'https://w3id.org/alignment-studio/problems/';
let api: Api;

beforeAll(async () => {
  const store = await EmbeddedStore.open();
  for (const file of [MINI, ...SAMPLE_POLICIES]) await store.loadPolicy(await readTurtle(file));
  api = await startApi(store);
  expect((await store.listPolicies()).map((p) => p.policy)).toContain(`${H}policy`);
}, 60_000);
afterAll(async () => {
  await api?.close();
  await api?.store.close();
});

const conflictsOf = (policy: string, query = '') => `${at('/v1/policies', policy)}/conflicts${query}`;

interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
interface ConflictItem {
  iri: string;
  prohibition: string;
  permissive: string;
  certainty: string;
  principle: string | null;
  winner: string | null;
  reason: string | null;
  documented: { iri: string; status: string } | null;
}
interface DocumentedItem {
  iri: string;
  rules: [string, string];
  intendedWinner: string | null;
  intendedPrinciple: string | null;
  status: string;
}
interface Report {
  policy: string;
  precedence: string[];
  summary: Record<string, any>;
  conflicts: Page<ConflictItem>;
  documented: Page<DocumentedItem>;
  defects: Page<{ defect: string; severity: string }>;
  recorded: unknown;
}

async function report(policy: string, query = ''): Promise<Report> {
  const reply = await api.call('GET', conflictsOf(policy, query), { as: 'reader' });
  expect(reply.status, reply.text).toBe(200);
  return reply.body as Report;
}

type Who = 'nobody' | 'reader' | 'engineer' | 'auditor' | 'admin';
const readers = (status: number): Record<Who, number> => ({ nobody: 401, reader: status, engineer: status, auditor: status, admin: status });
const writers = (status: number): Record<Who, number> => ({ nobody: 401, reader: 403, engineer: status, auditor: 403, admin: status });

describe('route x role', () => {
  const table: [string, string, string, Record<Who, number>][] = [
    ['GET /v1/policies/:policy/conflicts', 'GET', conflictsOf(`${M}policy`), readers(200)],
    ['POST /v1/policies/:policy/conflicts', 'POST', conflictsOf(`${M}policy`), writers(200)],
    // An unknown policy shows the role check came first: 401/403 before 404.
    ['GET, unknown policy', 'GET', conflictsOf(`${M}nothing`), readers(404)],
    ['POST, unknown policy', 'POST', conflictsOf(`${M}nothing`), writers(404)],
  ];
  const rows = table.flatMap(([route, method, path, expected]) => (Object.keys(expected) as Who[]).map((who) => [route, who, expected[who], method, path] as const));
  it.each(rows)('%s as %s -> %i', async (_route, who, status, method, path) => {
    const reply = await api.call(method, path, { as: who });
    expect(reply.status, reply.text).toBe(status);
    expect(reply.contentType).toMatch(status === 200 ? /^application\/json/ : /^application\/problem\+json/);
    if (status === 401) expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer/);
    if (status === 403) expect(reply.body.detail).toContain('needs one of the roles engineer, admin');
  });

  it('records nothing when the POST is refused', async () => {
    for (const who of ['nobody', 'reader', 'auditor'] as const) {
      expect((await api.call('POST', conflictsOf(`${H}policy`), { as: who })).status).toBeGreaterThanOrEqual(401);
    }
    expect(await api.store.listDerivedGraphs(`${H}policy`)).toEqual([]);
    expect((await report(`${H}policy`)).recorded).toBeNull();
  });
});

describe('GET /v1/policies/:policy/conflicts', () => {
  it("lists every documented conflict of the business conduct policy among the conflicts, resolved as its authors intend", async () => {
    const r = await report(`${K}policy`, '?limit=500');
    expect(r.precedence).toEqual(['explicitOverride', 'lexSuperior', 'lexSpecialis', 'lexPosterior']);
    expect(r.documented.total).toBe(10);
    expect(r.summary).toMatchObject({ documented: 10, documentedAsIntended: 10, unresolved: 0, defectErrors: 0, failing: false });
    for (const documented of r.documented.items) {
      expect(documented.status, documented.iri).toBe('agrees');
      const found = r.conflicts.items.filter((c) => c.documented?.iri === documented.iri);
      expect(found, documented.iri).toHaveLength(1);
      const conflict = found[0]!;
      expect([conflict.prohibition, conflict.permissive].sort(), documented.iri).toEqual([...documented.rules].sort());
      expect(conflict.winner, documented.iri).toBe(documented.intendedWinner);
      if (documented.intendedPrinciple) expect(conflict.principle, documented.iri).toBe(documented.intendedPrinciple);
      expect(conflict.reason, documented.iri).toEqual(expect.any(String));
    }
    expect(r.conflicts.items.find((c) => c.documented?.iri === `${K}conflict-1`)).toMatchObject({
      prohibition: `${K}conf-001`,
      permissive: `${K}rep-018`,
      certainty: 'definite',
      principle: 'explicitOverride',
      winner: `${K}rep-018`,
    });
    // The summary counts what the list holds.
    expect(r.conflicts.total).toBe(r.summary.conflicts);
    expect(Object.values(r.summary.resolvedBy as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(r.summary.conflicts);
    expect(r.defects.items.every((d) => d.severity === 'notice')).toBe(true);
    expect(r.defects.total).toBe(r.summary.defectNotices);
  });

  it('reports an unresolved conflict of the mini policy, and fails the gate for it', async () => {
    const r = await report(`${M}policy`);
    expect(r.conflicts.items).toEqual([
      expect.objectContaining({ prohibition: `${M}conf-001`, permissive: `${M}conf-003`, certainty: 'definite', principle: null, winner: null, reason: null, documented: null }),
    ]);
    expect(r.summary).toMatchObject({ conflicts: 1, unresolved: 1, failing: true });
  });

  it('walks the conflicts page by page, with the same total on every page', async () => {
    const all = (await report(`${K}policy`, '?limit=500')).conflicts;
    const walked: string[] = [];
    for (let offset = 0; offset < all.total; offset += 4) {
      const page = (await report(`${K}policy`, `?limit=4&offset=${offset}`)).conflicts;
      expect(page).toMatchObject({ total: all.total, limit: 4, offset });
      walked.push(...page.items.map((c) => c.iri));
    }
    expect(walked).toEqual(all.items.map((c) => c.iri));
    expect((await report(`${K}policy`, `?offset=${all.total}`)).conflicts.items).toEqual([]);
  });

  it.each([
    ['certainty=possible', `${K}policy`, (c: ConflictItem) => c.certainty === 'possible', 'possible'],
    ['certainty=definite', `${K}policy`, (c: ConflictItem) => c.certainty === 'definite', 'definite'],
    ['unresolved=true', `${K}policy`, (c: ConflictItem) => c.winner === null, 'unresolved'],
    ['unresolved=true', `${M}policy`, (c: ConflictItem) => c.winner === null, 'unresolved'],
    ['unresolved=false', `${M}policy`, (c: ConflictItem) => c.winner !== null, null],
    ['certainty=definite&unresolved=true', `${M}policy`, (c: ConflictItem) => c.certainty === 'definite' && c.winner === null, 'unresolved'],
  ] as const)('filters by %s on %s', async (query, policy, keep, counted) => {
    const all = await report(policy, '?limit=500');
    const filtered = await report(policy, `?${query}&limit=500`);
    const expected = all.conflicts.items.filter(keep);
    expect(filtered.conflicts.items).toEqual(expected);
    expect(filtered.conflicts.total).toBe(expected.length);
    if (counted) expect(filtered.conflicts.total).toBe(all.summary[counted]);
    // Filters narrow the list, never the summary or the other lists.
    expect(filtered.summary).toEqual(all.summary);
    expect(filtered.documented).toEqual(all.documented);
  });

  it('resolves by the order of principles a request gives', async () => {
    const r = await report(`${K}policy`, '?precedence=lexPosterior,lexSpecialis&limit=500');
    expect(r.precedence).toEqual(['lexPosterior', 'lexSpecialis']);
    expect(r.summary.resolvedBy).toMatchObject({ explicitOverride: 0, lexSuperior: 0 });
    expect(r.summary.unresolved).toBeGreaterThan(0);
    expect(r.summary.failing).toBe(true);
    // conflict-2 is decided by lex superior, which this order leaves out.
    expect(r.documented.items.find((d) => d.iri === `${K}conflict-2`)?.status).toBe('differs');
    const open = (await report(`${K}policy`, '?precedence=lexPosterior,lexSpecialis&unresolved=true&limit=500')).conflicts;
    expect(open.total).toBe(r.summary.unresolved);
    expect(open.items.every((c) => c.principle === null && c.winner === null)).toBe(true);
  });
});

const SPARQL_INJECTION = `${M}x> } } DELETE WHERE { ?s ?p ?o } #`;
const CYPHER_INJECTION = `${M}x'}) DETACH DELETE n //`;

describe('hostile input', () => {
  let before: string;
  let derivedBefore: string;
  beforeAll(async () => {
    before = await api.snapshot();
    derivedBefore = JSON.stringify(await api.store.listDerivedGraphs());
  });

  const kestrel = (query: string) => conflictsOf(`${K}policy`, query);
  const CASES: [string, string, string, CallOptions['as'], number, string][] = [
    ['an unknown principle', 'GET', kestrel('?precedence=lexFoo'), 'reader', 400, 'invalid-request'],
    ['an unknown principle (POST)', 'POST', kestrel('?precedence=lexFoo'), 'engineer', 400, 'invalid-request'],
    ['a principle named twice', 'GET', kestrel('?precedence=lexSuperior,lexSuperior'), 'reader', 400, 'invalid-request'],
    ['a principle named twice (POST)', 'POST', kestrel('?precedence=lexSuperior,lexPosterior,lexSuperior'), 'engineer', 400, 'invalid-request'],
    ['an empty order', 'GET', kestrel('?precedence='), 'reader', 400, 'invalid-request'],
    ['an empty place in the order', 'GET', kestrel('?precedence=lexSuperior,,lexPosterior'), 'reader', 400, 'invalid-request'],
    ['spaces in the order', 'GET', kestrel(`?precedence=${encodeURIComponent('lexSuperior, lexPosterior')}`), 'reader', 400, 'invalid-request'],
    ['a principle in the wrong case', 'GET', kestrel('?precedence=LexSuperior'), 'reader', 400, 'invalid-request'],
    ['SPARQL after a principle', 'POST', kestrel(`?precedence=${encodeURIComponent('lexSuperior} ; DROP ALL #')}`), 'engineer', 400, 'invalid-request'],
    ['a quote after a principle', 'GET', kestrel(`?precedence=${encodeURIComponent("lexSuperior' OR '1'='1")}`), 'reader', 400, 'invalid-request'],
    ['the order twice', 'GET', kestrel('?precedence=lexSuperior&precedence=lexPosterior'), 'reader', 400, 'invalid-request'],
    ['an unknown certainty', 'GET', kestrel('?certainty=maybe'), 'reader', 400, 'invalid-request'],
    ['unresolved that is no boolean', 'GET', kestrel('?unresolved=yes'), 'reader', 400, 'invalid-request'],
    ['a limit over 500', 'GET', kestrel('?limit=501'), 'reader', 400, 'invalid-request'],
    ['a negative offset', 'GET', kestrel('?offset=-1'), 'reader', 400, 'invalid-request'],
    ['an unknown parameter', 'GET', kestrel('?colour=red'), 'reader', 400, 'invalid-request'],
    ['a filter on POST', 'POST', kestrel('?certainty=definite'), 'engineer', 400, 'invalid-request'],
    ['a SPARQL injection as the policy IRI', 'GET', conflictsOf(SPARQL_INJECTION), 'reader', 400, 'invalid-request'],
    ['a SPARQL injection as the policy IRI (POST)', 'POST', conflictsOf(SPARQL_INJECTION), 'admin', 400, 'invalid-request'],
    ['a Cypher injection as the policy IRI (POST)', 'POST', conflictsOf(CYPHER_INJECTION), 'admin', 400, 'invalid-request'],
    ['a path as the policy IRI', 'POST', conflictsOf('../../data/manifest.json'), 'admin', 400, 'invalid-request'],
    // Longer than an IRI may be (the schema), longer than the router takes for a path segment, and percent-encoding that does not decode.
    ['an overlong policy IRI', 'GET', conflictsOf(`${M}${'x'.repeat(2100)}`), 'reader', 400, 'invalid-request'],
    ['a path segment over 24 KB', 'GET', conflictsOf(`${M}${'x'.repeat(25_000)}`), 'reader', 414, 'uri-too-long'],
    ['a policy IRI that does not decode', 'POST', '/v1/policies/https%3A%2F%2Fexample.org%2F%E0%A4%A/conflicts', 'admin', 400, 'invalid-request'],
    ['a quote inside a well-formed IRI', 'POST', conflictsOf(`${M}x')DETACH_DELETE_n//'OR'1'='1`), 'admin', 404, 'not-found'],
    ['an unknown policy', 'GET', conflictsOf(`${K}no-such-policy`), 'reader', 404, 'not-found'],
    ['an unknown policy (POST)', 'POST', conflictsOf(`${K}no-such-policy`), 'engineer', 404, 'not-found'],
    ['a rule IRI as the policy', 'POST', conflictsOf(`${K}conf-001`), 'engineer', 404, 'not-found'],
  ];

  it.each(CASES)('refuses %s', async (_label, method, path, as, status, slug) => {
    const reply = await api.call(method, path, { as });
    expect(reply.status, reply.text).toBe(status);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status, type: PROBLEMS + slug, detail: expect.any(String), instance: expect.any(String) });
    if (status === 404) expect(reply.body.detail).toContain('GET /v1/policies lists those that are');
    expect(await api.snapshot()).toBe(before);
    expect(JSON.stringify(await api.store.listDerivedGraphs())).toBe(derivedBefore);
  });

  it('says what is wrong with an order of principles', async () => {
    const twice = await api.call('GET', kestrel('?precedence=lexSuperior,lexSuperior'), { as: 'reader' });
    expect(twice.body.detail).toContain('names a principle twice');
    const unknown = await api.call('GET', kestrel('?precedence=lexFoo'), { as: 'reader' });
    expect(unknown.body.errors).toEqual([expect.objectContaining({ in: 'querystring', path: '/precedence' })]);
    expect(unknown.body.detail).toContain('explicitOverride|lexSuperior|lexSpecialis|lexPosterior');
  });
});

describe('OpenAPI', () => {
  it('documents the conflict routes with their parameters and problems', async () => {
    const doc = (await api.call('GET', '/openapi.json')).body;
    const path = doc.paths['/v1/policies/{policy}/conflicts'];
    expect(path.get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['certainty', 'limit', 'offset', 'policy', 'precedence', 'unresolved']);
    expect(path.post.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['policy', 'precedence']);
    expect(Object.keys(path.get.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404']));
    expect(Object.keys(path.post.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '409']));
  });
});
