/** /v1/rules over HTTP: filters, cursor pages with a total, and one rule with its context and the generated items derived from it. */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { MINI, SAMPLE_POLICIES } from '../store/store-spec.js';
import { readFile } from 'node:fs/promises';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { generateForPolicy } from '../../src/framers/generation-run.js';
import { at, startApi, TOKENS, type Api, replacePolicy } from './harness.js';
import { openEvents } from './event-stream.js';
import { generateAll } from '../helpers/generation.js';

const M = 'https://example.org/mini#';
const S = 'https://w3id.org/alignment-studio/ns#';
let api: Api;

beforeAll(async () => {
  const store = await EmbeddedStore.open();
  for (const file of [MINI, ...SAMPLE_POLICIES]) await store.loadPolicy(await readTurtle(file));
  api = await startApi(store);
});
afterAll(async () => {
  await api?.close();
  await api?.store.close();
});

const rules = async (query: string) => {
  const reply = await api.call('GET', `/v1/rules${query}`, { as: 'reader' });
  expect(reply.status, reply.text).toBe(200);
  return reply.body as { items: { rule: string; kind: string; bearer: string; section: string; policy: string }[]; total: number; limit: number; next: string | null };
};
const q = (params: Record<string, string>) => `?${new URLSearchParams(params)}`;

describe('GET /v1/rules', () => {
  it.each([
    ['kind', { kind: 'Permission', policy: `${M}policy` }, [`${M}conf-003`]],
    ['section, subsections included', { section: `${M}regulation` }, [`${M}conf-001`, `${M}conf-002`, `${M}conf-003`, `${M}gifts-001`, `${M}gifts-002`]],
    ['section', { section: `${M}s1` }, [`${M}gifts-001`, `${M}gifts-002`]],
    ['bearer and policy', { bearer: `${S}Manager`, policy: `${M}policy` }, [`${M}conf-003`]],
    ['kind and section', { kind: 'Prohibition', section: `${M}regulation` }, [`${M}conf-001`, `${M}gifts-001`]],
    ['a section no rule has', { section: `${M}s3` }, []],
  ])('filters by %s', async (_label, params, expected) => {
    const page = await rules(q(params));
    expect(page.items.map((r) => r.rule)).toEqual(expected);
    expect(page.total).toBe(expected.length);
    expect(page.next).toBeNull();
  });

  it('walks every rule in IRI order, page by page, with the same total on each page', async () => {
    const first = await rules('?limit=500');
    expect(first.total).toBe(320);
    expect(first.next).toBeNull();
    const walked: string[] = [];
    let after: string | null = '';
    let pages = 0;
    while (after !== null) {
      const page = await rules(q({ limit: '40', ...(after ? { after } : {}) }));
      expect(page.total).toBe(320);
      expect(page.items.length).toBeLessThanOrEqual(40);
      walked.push(...page.items.map((r) => r.rule));
      after = page.next;
      pages += 1;
    }
    expect(pages).toBe(8);
    expect(walked).toEqual(first.items.map((r) => r.rule));
    expect(walked).toEqual([...walked].sort());
  });

  it('pages the filtered list too', async () => {
    const all = await rules(q({ kind: 'Obligation', limit: '500' }));
    const firstPage = await rules(q({ kind: 'Obligation', limit: '10' }));
    const secondPage = await rules(q({ kind: 'Obligation', limit: '10', after: firstPage.next! }));
    expect([...firstPage.items, ...secondPage.items].map((r) => r.rule)).toEqual(all.items.slice(0, 20).map((r) => r.rule));
    expect(all.items.every((r) => r.kind === 'Obligation')).toBe(true);
  });

  it('filters by action, and pages that list too', async () => {
    const share = await rules(q({ action: `${M}share` }));
    expect(share.items.map((r) => r.rule)).toEqual([`${M}conf-001`, `${M}conf-003`]);
    expect(share.total).toBe(2);
    const first = await rules(q({ action: `${M}share`, limit: '1' }));
    expect(first).toMatchObject({ total: 2, next: `${M}conf-001` });
    const second = await rules(q({ action: `${M}share`, limit: '1', after: first.next! }));
    expect(second).toMatchObject({ items: [{ rule: `${M}conf-003` }], total: 2, next: null });
    expect((await rules(q({ action: `${M}share`, kind: 'Permission' }))).items.map((r) => r.rule)).toEqual([`${M}conf-003`]);
    expect((await rules(q({ action: `${M}nothing` }))).total).toBe(0);
  });

  it('before any generation every rule lacks instruction data, none is covered, and none fails', async () => {
    const policy = `${M}policy`;
    const all = await rules(q({ policy }));
    expect((await rules(q({ policy, coverage: 'instructions' }))).total).toBe(all.total);
    expect((await rules(q({ policy, coverage: 'any-gap' }))).total).toBe(all.total);
    expect((await rules(q({ policy, coverage: 'covered' }))).total).toBe(0);
    expect((await rules(q({ policy, failing: 'true' }))).total).toBe(0);
    expect((await rules(q({ policy, failing: 'false' }))).total).toBe(all.total);
    const detailed = await api.call('GET', `/v1/rules${q({ policy, details: 'true', limit: '2' })}`, { as: 'reader' });
    expect(detailed.body.items[0]).toMatchObject({ rule: `${M}conf-001`, actions: [`${M}share`], gaps: ['instructions', 'Ambiguous', 'Compliant', 'NonCompliant'], failed: null });
    const plain = await rules(q({ policy, limit: '2' }));
    expect(Object.keys(plain.items[0]!)).not.toContain('gaps');
  });

  it.each([
    ['an unknown coverage', '?coverage=some'],
    ['a failing that is no boolean', '?failing=maybe'],
    ['an action that is no IRI', '?action=share'],
    ['an unknown kind', '?kind=Duty'],
    ['a limit over 500', '?limit=501'],
    ['a limit of 0', '?limit=0'],
    ['a section that is no IRI', '?section=s1'],
    ['an unknown filter', '?colour=red'],
  ])('refuses %s with 400', async (_label, query) => {
    const reply = await api.call('GET', `/v1/rules${query}`, { as: 'reader' });
    expect(reply.status).toBe(400);
    expect(reply.body.type).toBe('https://w3id.org/alignment-studio/problems/invalid-request');
    expect(reply.body.errors.length).toBeGreaterThan(0);
  });
});

describe('GET /v1/rules/:rule', () => {
  it('gives the rule with its context', async () => {
    const reply = await api.call('GET', at('/v1/rules', `${M}gifts-001`), { as: 'reader' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      rule: `${M}gifts-001`,
      kind: 'Prohibition',
      label: 'No gifts from suppliers',
      text: 'Employees must not accept gifts from suppliers.',
      policy: `${M}policy`,
      section: `${M}s1`,
      bearer: `${S}Employee`,
    });
    expect(reply.body.context.map((c: { relation: string; value: string }) => `${c.relation} ${c.value}`)).toContain(`exception ${M}gifts-003`);
    expect(reply.body.context.find((c: { relation: string }) => c.relation === 'section').label).toBe('Gifts');
  });

  it.each([
    ['an IRI nothing describes', `${M}nothing`],
    ['an exception, which is no rule', `${M}gifts-003`],
    ['a section', `${M}s1`],
  ])('answers 404 for %s', async (_label, iri) => {
    const reply = await api.call('GET', at('/v1/rules', iri), { as: 'reader' });
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ status: 404, title: 'No such rule', instance: at('/v1/rules', iri) });
  });
});

describe('GET /v1/rules/:rule after generation', () => {
  it('has no generated items before any generation run', async () => {
    const reply = await api.call('GET', at('/v1/rules', `${M}gifts-001`), { as: 'reader' });
    expect(reply.body.generated).toBeNull();
  });

  it('counts the items derived from the rule by family and label once a generation job ran, and says when they are stale', async () => {
    const started = await api.call('POST', '/v1/jobs', { as: 'engineer', json: { kind: 'generation', policy: `${M}policy`, seed: 9 } });
    expect(started.status, started.text).toBe(202);
    const end = (await (await openEvents(`${api.url}/v1/jobs/${started.body.id}/events`, TOKENS.reader)).rest()).pop()!;
    expect(end.data.state).toBe('succeeded');

    // The same run outside the server, counted from the items themselves.
    const direct = await EmbeddedStore.open();
    await direct.loadPolicy(await readTurtle(MINI));
    const { items } = await generateAll(direct, `${M}policy`, await TemplateLibrary.load(), { seed: 9 });
    await direct.close();
    for (const rule of ['gifts-001', 'gifts-002', 'conf-001']) {
      const expected = new Map<string, number>();
      for (const item of items.filter((i) => i.derivedFrom.includes(`${M}${rule}`))) {
        const key = `${item.family} ${item.label ?? null}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      const reply = await api.call('GET', at('/v1/rules', `${M}${rule}`), { as: 'reader' });
      const generated = reply.body.generated;
      expect(generated).toMatchObject({ graph: end.data.result.graph, writtenAt: end.data.result.writtenAt, stale: false });
      expect(new Map(generated.byFamily.map((g: any) => [`${g.family} ${g.label}`, g.items])), rule).toEqual(expected);
      expect(generated.items).toBe([...expected.values()].reduce((a, b) => a + b, 0));
      expect(generated.items, rule).toBeGreaterThan(3);
    }

    // Coverage now follows the generated items: a rule is fully covered exactly when it has instruction data and a scenario of each label.
    const policy = `${M}policy`;
    const detailed = await api.call('GET', `/v1/rules?policy=${encodeURIComponent(policy)}&details=true`, { as: 'reader' });
    const has = (rule: string, family: (f: { family: string; label?: string | undefined }) => boolean) => items.some((i) => i.derivedFrom.includes(rule) && family(i));
    for (const r of detailed.body.items as { rule: string; gaps: string[] }[]) {
      const expected = [
        ...(has(r.rule, (i) => i.family === 'instruction-qa' || i.family === 'is-it-allowed' || i.family === 'definition') ? [] : ['instructions']),
        ...['Ambiguous', 'Compliant', 'NonCompliant'].filter((label) => !has(r.rule, (i) => i.family !== 'redteam' && i.label === label)),
      ];
      expect(r.gaps, r.rule).toEqual(expected);
    }
    const covered = (detailed.body.items as { rule: string; gaps: string[] }[]).filter((r) => r.gaps.length === 0).map((r) => r.rule);
    expect((await rules(`?policy=${encodeURIComponent(policy)}&coverage=covered`)).items.map((r) => r.rule)).toEqual(covered);
    const noAmbiguous = (detailed.body.items as { rule: string; gaps: string[] }[]).filter((r) => r.gaps.includes('Ambiguous')).map((r) => r.rule);
    expect((await rules(`?policy=${encodeURIComponent(policy)}&coverage=Ambiguous`)).items.map((r) => r.rule)).toEqual(noAmbiguous);

    const mini = await readFile(MINI, 'utf8');
    const upload = await replacePolicy(api, `${M}policy`, `${mini}\n# edited\n`);
    expect(upload.status).toBe(200);
    const after = await api.call('GET', at('/v1/rules', `${M}gifts-001`), { as: 'reader' });
    expect(after.body.generated.stale).toBe(true);
  });
});
