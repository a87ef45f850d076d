/**
 * GET /v1/policies/{policy}/coverage over HTTP: roles, the four coverage
 * queries' answers with their totals on a policy with generated data (mini)
 * and one without (business conduct), pages, and hostile input.
 */

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { generateForPolicy } from '../../src/framers/generation-run.js';
import { fullyCovered, readCoverage } from '../../src/framers/coverage.js';
import { MINI, SAMPLE_POLICIES } from '../store/store-spec.js';
import { at, startApi, type Api, replacePolicy } from './harness.js';

const M = 'https://example.org/mini#';
const K = 'https://example.org/kestrel/bcg#';
const S = 'https://w3id.org/alignment-studio/ns#';
const PROBLEMS = 'https://w3id.org/alignment-studio/problems/';
let api: Api;
let generatedTriples: number;

beforeAll(async () => {
  const store = await EmbeddedStore.open();
  for (const file of [MINI, ...SAMPLE_POLICIES]) await store.loadPolicy(await readTurtle(file));
  // Generated before the server starts: the server's answer cache only hears of writes made through it.
  generatedTriples = (await generateForPolicy(store, `${M}policy`, await TemplateLibrary.load(), { seed: 7 })).graph.triples;
  api = await startApi(store);
}, 60_000);
afterAll(async () => {
  await api?.close();
  await api?.store.close();
});

const coverageOf = (policy: string, query = '') => `${at('/v1/policies', policy)}/coverage${query}`;

async function coverage(policy: string, query = '?limit=500'): Promise<any> {
  const reply = await api.call('GET', coverageOf(policy, query), { as: 'reader' });
  expect(reply.status, reply.text).toBe(200);
  return reply.body;
}

type Who = 'nobody' | 'reader' | 'engineer' | 'auditor' | 'admin';

describe('route x role', () => {
  const rows: [string, Who, number][] = [
    [`${M}policy`, 'nobody', 401],
    [`${M}policy`, 'reader', 200],
    [`${M}policy`, 'engineer', 200],
    [`${M}policy`, 'auditor', 200],
    [`${M}policy`, 'admin', 200],
    [`${M}nothing`, 'nobody', 401],
    [`${M}nothing`, 'reader', 404],
  ];
  it.each(rows)('GET /v1/policies/:policy/coverage of %s as %s -> %i', async (policy, who, status) => {
    const reply = await api.call('GET', coverageOf(policy), { as: who });
    expect(reply.status, reply.text).toBe(status);
    if (status === 401) expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer/);
    if (status !== 200) expect(reply.contentType).toMatch(/^application\/problem\+json/);
  });
});

describe('GET /v1/policies/:policy/coverage', () => {
  it("gives the four coverage queries' answers for the policy, with their totals", async () => {
    const c = await coverage(`${K}policy`);
    const params = { policy: `${K}policy` };
    const [instructions, scenarios, boundaries, terms] = await Promise.all(
      ['coverage-rules-without-instructions', 'coverage-rules-without-scenarios', 'coverage-exceptions-without-boundary-pairs', 'coverage-unused-terms'].map((name) =>
        api.store.namedQuery(name, params),
      ),
    );
    expect(c.rulesWithoutInstructions.items).toEqual(instructions!.map((r) => ({ rule: r.rule, label: r.label ?? null })));
    expect(c.rulesWithoutInstructions.items.filter((r: { label: string | null }) => r.label).length).toBeGreaterThan(200);
    // 654 (rule, label) gaps: the first page of 500 holds the first 500, in the query's order.
    expect(c.rulesWithoutScenarios.items).toEqual(scenarios!.slice(0, 500).map((r) => ({ rule: r.rule, missing: r.missing })));
    expect(c.exceptionsWithoutBoundaryPairs.items).toEqual(boundaries!.map((r) => ({ exception: r.exception, missing: r.missing })));
    // 362 unused terms: the first page of 500 holds them all.
    expect(c.unusedTerms.items).toEqual(terms!.map((r) => ({ term: r.term, type: r.type })));
    expect([c.rulesWithoutInstructions.total, c.rulesWithoutScenarios.total, c.exceptionsWithoutBoundaryPairs.total, c.unusedTerms.total]).toEqual(
      [instructions, scenarios, boundaries, terms].map((rows) => rows!.length),
    );
  });

  it('counts everything as missing where nothing was generated, as studio generate counts it', async () => {
    const c = await coverage(`${K}policy`);
    const cli = await readCoverage(api.store, `${K}policy`);
    expect(c.summary).toEqual({
      rulesWithoutInstructions: cli.rulesWithoutInstructions.length,
      rulesWithoutScenarios: Object.fromEntries(Object.entries(cli.rulesWithoutScenarios).map(([label, rules]) => [label, rules.length])),
      exceptionSidesWithoutScenario: cli.exceptionsWithoutBoundaryPairs.length,
      unusedTerms: cli.unusedTerms.length,
      fullyCovered: fullyCovered(cli),
    });
    expect(c.generated).toBeNull();
    expect(c.rules).toBe(225);
    expect(c.summary).toEqual({
      rulesWithoutInstructions: 225,
      rulesWithoutScenarios: { Compliant: 225, NonCompliant: 225, Ambiguous: 225 },
      exceptionSidesWithoutScenario: c.exceptionsWithoutBoundaryPairs.total,
      unusedTerms: c.unusedTerms.total,
      fullyCovered: false,
    });
    expect(c.exceptionsWithoutBoundaryPairs.total).toBeGreaterThan(0);
    expect(c.exceptionsWithoutBoundaryPairs.total % 2).toBe(0);
  });

  it('shows the gaps generation closed, and the terms it left unused', async () => {
    const c = await coverage(`${M}policy`);
    expect(c.generated).toMatchObject({ triples: generatedTriples, stale: false });
    expect(c.rules).toBe(5);
    expect(c.summary).toMatchObject({
      rulesWithoutInstructions: 0,
      rulesWithoutScenarios: { Compliant: 0, NonCompliant: 0, Ambiguous: 0 },
      exceptionSidesWithoutScenario: 0,
      fullyCovered: false,
    });
    for (const list of ['rulesWithoutInstructions', 'rulesWithoutScenarios', 'exceptionsWithoutBoundaryPairs']) expect(c[list], list).toMatchObject({ items: [], total: 0 });
    const unused = c.unusedTerms.items.map((t: { term: string }) => t.term);
    expect(unused).toContain(`${S}Assistant`);
    expect(unused).not.toContain(`${M}vendor`);
    expect(c.summary.unusedTerms).toBe(c.unusedTerms.total);
  });

  it('pages every list with the same limit and offset, each with its own total', async () => {
    const whole = await coverage(`${K}policy`);
    const lists = ['rulesWithoutInstructions', 'rulesWithoutScenarios', 'exceptionsWithoutBoundaryPairs', 'unusedTerms'];
    const walked: Record<string, unknown[]> = Object.fromEntries(lists.map((l) => [l, []]));
    const longest = Math.max(...lists.map((l) => whole[l].total));
    for (let offset = 0; offset < longest; offset += 100) {
      const page = await coverage(`${K}policy`, `?limit=100&offset=${offset}`);
      for (const list of lists) {
        expect(page[list]).toMatchObject({ total: whole[list].total, limit: 100, offset });
        walked[list]!.push(...page[list].items);
      }
      expect(page.summary).toEqual(whole.summary);
    }
    // rulesWithoutScenarios has 675 items: more than one page of 500 can hold.
    expect(walked.rulesWithoutScenarios).toHaveLength(675);
    expect(whole.rulesWithoutScenarios.items).toHaveLength(500);
    expect(walked.rulesWithoutScenarios!.slice(0, 500)).toEqual(whole.rulesWithoutScenarios.items);
    for (const list of ['rulesWithoutInstructions', 'exceptionsWithoutBoundaryPairs', 'unusedTerms']) expect(walked[list], list).toEqual(whole[list].items);
  });

  it('defaults to pages of 100', async () => {
    const c = await coverage(`${K}policy`, '');
    expect(c.rulesWithoutInstructions).toMatchObject({ limit: 100, offset: 0, total: 225 });
    expect(c.rulesWithoutInstructions.items).toHaveLength(100);
  });
});

describe('hostile input', () => {
  const CASES: [string, string, number, string][] = [
    ['a SPARQL injection as the policy IRI', coverageOf(`${M}x> } } DELETE WHERE { ?s ?p ?o } #`), 400, 'invalid-request'],
    ['a Cypher injection as the policy IRI', coverageOf(`${M}x'}) DETACH DELETE n //`), 400, 'invalid-request'],
    ['a path as the policy IRI', coverageOf('../../etc/passwd'), 400, 'invalid-request'],
    ['a quote inside a well-formed IRI', coverageOf(`${M}x')DETACH_DELETE_n//'OR'1'='1`), 404, 'not-found'],
    ['an unknown policy', coverageOf(`${K}other-policy`), 404, 'not-found'],
    ['a rule IRI as the policy', coverageOf(`${K}conf-001`), 404, 'not-found'],
    ['a limit of 0', coverageOf(`${K}policy`, '?limit=0'), 400, 'invalid-request'],
    ['a limit over 500', coverageOf(`${K}policy`, '?limit=501'), 400, 'invalid-request'],
    ['an offset that is no number', coverageOf(`${K}policy`, '?offset=ten'), 400, 'invalid-request'],
    ['an unknown parameter', coverageOf(`${K}policy`, '?policy=x'), 400, 'invalid-request'],
  ];
  let before: string;
  beforeAll(async () => {
    before = await api.snapshot();
  });

  it.each(CASES)('refuses %s', async (_label, path, status, slug) => {
    const reply = await api.call('GET', path, { as: 'admin' });
    expect(reply.status, reply.text).toBe(status);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status, type: PROBLEMS + slug, detail: expect.any(String) });
    expect(await api.snapshot()).toBe(before);
  });
});

describe('after the policy changes', () => {
  it('marks the generated data stale when the policy is loaded from another source', async () => {
    const text = `${await readFile(MINI, 'utf8')}\n# edited\n`;
    const upload = await replacePolicy(api, `${M}policy`, text, 'mini-policy.ttl');
    expect(upload.status, upload.text).toBe(200);
    const c = await coverage(`${M}policy`);
    expect(c.generated).toMatchObject({ triples: generatedTriples, stale: true });
  });

  it('answers 404 once the policy is removed', async () => {
    expect((await api.call('DELETE', at('/v1/policies', `${M}policy`), { as: 'admin' })).status).toBe(204);
    const reply = await api.call('GET', coverageOf(`${M}policy`), { as: 'reader' });
    expect(reply.status).toBe(404);
    expect(reply.body.title).toBe('No such policy');
  });
});
