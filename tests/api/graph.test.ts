/**
 * GET /v1/policies/{policy}/graph and GET /v1/rules/{rule}/graph: the graph
 * view's overview by section and a rule's neighbourhood, checked against
 * what the rule pages of the same API say, bounded by limit with the rest
 * counted in more, readable by any role.
 */

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMiniApi, stopApi, type Api } from './harness.js';

const M = 'https://example.org/mini#';
const S = 'https://w3id.org/alignment-studio/ns#';
let api: Api;
let bank: string;

interface Overview {
  policy: string;
  nodes: { id: string; label: string | null; rules: number; exceptions: number }[];
  edges: { source: string; target: string; relation: string; links: number }[];
  more: number;
}
interface Neighbourhood {
  rule: string;
  policy: string | null;
  nodes: { id: string; label: string | null; kind: string }[];
  edges: { source: string; target: string; relation: string }[];
  more: number;
}

beforeAll(async () => {
  api = await startMiniApi();
  const loaded = await api.call('POST', '/v1/policies?filename=retail-bank-assistant.ttl', {
    as: 'engineer',
    body: readFileSync('policies/retail-bank-assistant.ttl', 'utf8'),
    headers: { 'content-type': 'text/turtle' },
  });
  expect(loaded.status).toBe(201);
  bank = loaded.body.policy;
}, 60_000);
afterAll(async () => stopApi(api));

const overview = async (policy: string, query = '') => {
  const reply = await api.call('GET', `/v1/policies/${encodeURIComponent(policy)}/graph${query}`, { as: 'reader' });
  expect(reply.status).toBe(200);
  return reply.body as Overview;
};
const neighbourhood = async (rule: string, query = '') => {
  const reply = await api.call('GET', `/v1/rules/${encodeURIComponent(rule)}/graph${query}`, { as: 'reader' });
  expect(reply.status).toBe(200);
  return reply.body as Neighbourhood;
};

/** Every rule of a policy with its context, from the rules routes. */
async function rulesOf(policy: string): Promise<{ rule: string; section: string; context: { relation: string; value: string }[] }[]> {
  const list = await api.call('GET', `/v1/rules?policy=${encodeURIComponent(policy)}&limit=500`, { as: 'reader' });
  return Promise.all(
    (list.body.items as { rule: string; section: string }[]).map(async (r) => ({ ...r, context: (await api.call('GET', `/v1/rules/${encodeURIComponent(r.rule)}`, { as: 'reader' })).body.context })),
  );
}

describe('a policy by section', () => {
  it('gives one node per section with its rules and exceptions', async () => {
    const graph = await overview(`${M}policy`);
    expect(graph.nodes).toEqual([
      { id: `${M}s1`, label: expect.any(String), rules: 2, exceptions: 1 },
      { id: `${M}s2`, label: expect.any(String), rules: 3, exceptions: 0 },
    ]);
    expect(graph.edges).toEqual([]);
    expect(graph.more).toBe(0);
  });

  it('counts the references that cross sections as the rule pages list them', async () => {
    const rules = await rulesOf(bank);
    const sectionOf = new Map(rules.map((r) => [r.rule, r.section]));
    const expected = new Map<string, number>();
    for (const r of rules)
      for (const c of r.context.filter((c) => c.relation === 'refersTo' && sectionOf.has(c.value) && sectionOf.get(c.value) !== r.section)) {
        const key = `${r.section} ${sectionOf.get(c.value)}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
    expect(expected.size).toBeGreaterThan(0);
    const graph = await overview(bank, '?limit=500');
    const found = new Map(graph.edges.filter((e) => e.relation === 'refersTo').map((e) => [`${e.source} ${e.target}`, e.links]));
    expect(found).toEqual(expected);
    const total = rules.length;
    expect(graph.nodes.reduce((sum, n) => sum + n.rules, 0)).toBe(total);
  });

  it('leaves sections past the limit off, counts them, and keeps only edges between the sections shown', async () => {
    const all = await overview(bank, '?limit=500');
    expect(all.nodes.length).toBeGreaterThan(3);
    const some = await overview(bank, '?limit=2');
    expect(some.nodes).toEqual(all.nodes.slice(0, 2));
    expect(some.more).toBe(all.nodes.length - 2);
    const shown = new Set(some.nodes.map((n) => n.id));
    expect(some.edges.every((e) => shown.has(e.source) && shown.has(e.target))).toBe(true);
  });

  it('answers 404 for a policy that is not loaded', async () => {
    const reply = await api.call('GET', `/v1/policies/${encodeURIComponent(`${M}nothing`)}/graph`, { as: 'reader' });
    expect(reply.status).toBe(404);
  });
});

describe("a rule's neighbourhood", () => {
  it('holds the rule, its exception, the rule referring to it, its terms and their broader terms', async () => {
    const graph = await neighbourhood(`${M}gifts-001`);
    expect(graph.policy).toBe(`${M}policy`);
    expect(graph.nodes[0]).toEqual({ id: `${M}gifts-001`, label: 'No gifts from suppliers', kind: 'rule' });
    const edges = graph.edges.map((e) => `${e.source} ${e.relation} ${e.target}`);
    expect(edges).toEqual(
      expect.arrayContaining([
        `${M}gifts-003 exceptionTo ${M}gifts-001`,
        `${M}gifts-002 refersTo ${M}gifts-001`,
        `${M}gifts-001 bearer ${S}Employee`,
        `${M}gifts-001 action ${M}acceptGift`,
        `${M}gifts-001 target ${M}gift`,
      ]),
    );
    expect(graph.nodes.find((n) => n.id === `${M}gifts-003`)).toMatchObject({ kind: 'exception', label: 'Nominal gifts' });
    const ids = new Set(graph.nodes.map((n) => n.id));
    expect(graph.edges.every((e) => ids.has(e.source) && ids.has(e.target))).toBe(true);
    expect(graph.more).toBe(0);
  });

  it('follows a term up its hierarchy', async () => {
    const graph = await neighbourhood(`${M}conf-001`);
    expect(graph.edges).toContainEqual({ source: `${M}secret`, target: `${S}Information`, relation: 'broader' });
  });

  it('lists every exception, reference and term the rule page lists, for every rule of a policy, and calls rules only rules', async () => {
    const rules = await rulesOf(bank);
    const known = new Set(rules.map((r) => r.rule));
    let provisions = 0;
    for (const r of rules) {
      const graph = await neighbourhood(r.rule, '?limit=500');
      // A node is a rule only when the rules routes know it as one.
      for (const n of graph.nodes) expect(n.kind === 'rule', n.id).toBe(known.has(n.id));
      provisions += graph.nodes.filter((n) => n.kind === 'provision').length;
      const edges = new Set(graph.edges.map((e) => `${e.source} ${e.relation} ${e.target}`));
      for (const c of r.context) {
        if (c.relation === 'exception') expect(edges).toContain(`${c.value} exceptionTo ${r.rule}`);
        if (c.relation === 'refersTo') expect(edges).toContain(`${r.rule} refersTo ${c.value}`);
        if (['bearer', 'action', 'target'].includes(c.relation)) expect(edges).toContain(`${r.rule} ${c.relation} ${c.value}`);
      }
    }
    // Definitions that refer to rules are there, as other provisions.
    expect(provisions).toBeGreaterThan(0);
  }, 60_000);

  it('shows conflicts once a conflicts run recorded them', async () => {
    const run = await api.call('POST', `/v1/policies/${encodeURIComponent(bank)}/conflicts`, { as: 'engineer' });
    expect(run.status).toBeLessThan(300);
    let pair: [string, string] | null = null;
    for (const r of await rulesOf(bank)) {
      const detail = await api.call('GET', `/v1/rules/${encodeURIComponent(r.rule)}`, { as: 'reader' });
      const other = (detail.body.conflicts as { other: string }[])[0]?.other;
      if (other) {
        pair = [r.rule, other];
        break;
      }
    }
    expect(pair).not.toBeNull();
    const [a, b] = pair!;
    const graph = await neighbourhood(a, '?limit=500');
    expect(graph.edges.filter((e) => e.relation === 'conflict').map((e) => [e.source, e.target].sort())).toContainEqual([a, b].sort());
    const all = await overview(bank, '?limit=500');
    expect(all.edges.some((e) => e.relation === 'conflict')).toBe(true);
  });

  it('leaves nodes past the limit off and counts them', async () => {
    const all = await neighbourhood(`${M}gifts-001`);
    const two = await neighbourhood(`${M}gifts-001`, '?limit=2');
    expect(two.nodes).toEqual(all.nodes.slice(0, 2));
    expect(two.more).toBe(all.nodes.length - 2);
  });

  it("places a term in its hierarchy: broader terms up, narrower terms down, and the provisions naming it", async () => {
    const reply = await api.call('GET', `/v1/terms/${encodeURIComponent(`${S}Information`)}/graph?limit=500`, { as: 'reader' });
    expect(reply.status).toBe(200);
    const graph = reply.body as { term: string; nodes: { id: string; kind: string }[]; edges: { source: string; target: string; relation: string }[]; more: number };
    expect(graph.nodes[0]).toMatchObject({ id: `${S}Information`, kind: 'term' });
    const edges = graph.edges.map((e) => `${e.source} ${e.relation} ${e.target}`);
    expect(edges).toContain(`${M}secret broader ${S}Information`);
    // The rules naming a term as their target point at it.
    const secret = await api.call('GET', `/v1/terms/${encodeURIComponent(`${M}secret`)}/graph`, { as: 'reader' });
    const secretEdges = (secret.body.edges as { source: string; target: string; relation: string }[]).map((e) => `${e.source} ${e.relation} ${e.target}`);
    expect(secretEdges).toEqual(expect.arrayContaining([`${M}conf-001 target ${M}secret`, `${M}conf-002 target ${M}secret`, `${M}conf-003 target ${M}secret`, `${M}secret broader ${S}Information`]));
    expect((secret.body.nodes as { id: string; kind: string }[]).find((n) => n.id === `${M}conf-001`)?.kind).toBe('rule');
    expect((await api.call('GET', `/v1/terms/${encodeURIComponent(`${M}nothing`)}/graph`, { as: 'reader' })).status).toBe(404);
  });

  it('answers 404 for an IRI that names no rule, and 401 without a token', async () => {
    expect((await api.call('GET', `/v1/rules/${encodeURIComponent(`${M}gifts-003`)}/graph`, { as: 'reader' })).status).toBe(404);
    expect((await api.call('GET', `/v1/rules/${encodeURIComponent(`${M}gifts-001`)}/graph`, { as: 'nobody' })).status).toBe(401);
  });
});
