/**
 * POST /v1/policies/{policy}/conflicts records the conflicts in the policy's
 * derived graph, and GET /v1/rules/{rule} shows each rule's recorded
 * conflicts with their resolution: nothing before a run, the order of the
 * last run, and stale once the policy is loaded again from another source.
 */

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { MINI, SAMPLE_POLICIES } from '../store/store-spec.js';
import { at, startApi, type Api, replacePolicy } from './harness.js';

const K = 'https://example.org/kestrel/bcg#';
const M = 'https://example.org/mini#';
const BUSINESS_CONDUCT = SAMPLE_POLICIES[0]!;
let api: Api;

beforeAll(async () => {
  const store = await EmbeddedStore.open();
  for (const file of [MINI, ...SAMPLE_POLICIES]) await store.loadPolicy(await readTurtle(file));
  api = await startApi(store);
}, 60_000);
afterAll(async () => {
  await api?.close();
  await api?.store.close();
});

interface RuleConflict {
  conflict: string;
  other: string;
  certainty: string;
  documented: string | null;
  principle: string | null;
  winner: string | null;
  reason: string | null;
}

async function rule(iri: string): Promise<{ conflicts: RuleConflict[]; conflictsRecorded: { writtenAt: string; stale: boolean } | null }> {
  const reply = await api.call('GET', at('/v1/rules', iri), { as: 'reader' });
  expect(reply.status, reply.text).toBe(200);
  return reply.body;
}

async function record(policy: string, query = '', as: 'engineer' | 'admin' = 'engineer') {
  const reply = await api.call('POST', `${at('/v1/policies', policy)}/conflicts${query}`, { as });
  expect(reply.status, reply.text).toBe(200);
  return reply.body;
}

async function report(policy: string, query = '') {
  const reply = await api.call('GET', `${at('/v1/policies', policy)}/conflicts${query}`, { as: 'reader' });
  expect(reply.status, reply.text).toBe(200);
  return reply.body;
}

describe('recording conflicts', () => {
  it('shows no conflicts on a rule before any run, and says none was recorded', async () => {
    expect(await rule(`${K}conf-001`)).toMatchObject({ conflicts: [], conflictsRecorded: null });
    expect((await report(`${K}policy`)).recorded).toBeNull();
  });

  it('records the conflicts and answers with the summary and the graph written', async () => {
    const answer = await record(`${K}policy`);
    expect(answer).toMatchObject({
      policy: `${K}policy`,
      precedence: ['explicitOverride', 'lexSuperior', 'lexSpecialis', 'lexPosterior'],
      summary: { documented: 10, documentedAsIntended: 10, unresolved: 0, failing: false },
      recorded: { stale: false },
    });
    expect(answer.summary.conflicts).toBeGreaterThanOrEqual(10);
    expect(answer).not.toHaveProperty('conflicts');
    const graphs = await api.store.listDerivedGraphs(`${K}policy`);
    expect(graphs.map((g) => [g.kind, g.graph, g.triples, g.writtenAt])).toEqual([['conflicts', answer.recorded.graph, answer.recorded.triples, answer.recorded.writtenAt]]);
    expect((await report(`${K}policy`)).recorded).toEqual(answer.recorded);
    // Other policies are left as they were.
    expect(await api.store.listDerivedGraphs(`${M}policy`)).toEqual([]);
  });

  it('shows each documented conflict on both its rules, resolved as documented', async () => {
    const { documented, conflicts } = await report(`${K}policy`, '?limit=500');
    expect(documented.total).toBe(10);
    for (const d of documented.items as { iri: string; rules: [string, string]; intendedWinner: string; intendedPrinciple: string | null }[]) {
      const found = conflicts.items.find((c: { documented: { iri: string } | null }) => c.documented?.iri === d.iri);
      for (const [self, other] of [d.rules, [...d.rules].reverse()]) {
        const detail = await rule(self!);
        expect(detail.conflictsRecorded?.stale, self).toBe(false);
        const shown = detail.conflicts.find((c) => c.other === other);
        expect(shown, `${d.iri} on ${self}`).toEqual({
          conflict: found.iri,
          other,
          certainty: found.certainty,
          documented: d.iri,
          principle: found.principle,
          winner: d.intendedWinner,
          reason: found.reason,
        });
        if (d.intendedPrinciple) expect(shown!.principle).toBe(d.intendedPrinciple);
      }
    }
    expect((await rule(`${K}conf-001`)).conflicts).toContainEqual(
      expect.objectContaining({ other: `${K}rep-018`, principle: 'explicitOverride', winner: `${K}rep-018`, documented: `${K}conflict-1`, certainty: 'definite' }),
    );
  });

  it('replaces the recorded conflicts on each run, with the order that run used', async () => {
    const pair = async () => (await rule(`${K}ins-001`)).conflicts.filter((c) => c.other === `${K}ins-003`);
    expect(await pair()).toEqual([expect.objectContaining({ principle: 'lexSuperior', winner: `${K}ins-001` })]);
    const reordered = await record(`${K}policy`, '?precedence=lexPosterior,lexSpecialis', 'admin');
    expect(reordered.precedence).toEqual(['lexPosterior', 'lexSpecialis']);
    expect(reordered.summary.failing).toBe(true);
    const after = await pair();
    expect(after).toHaveLength(1);
    expect(after[0]!.principle).not.toBe('lexSuperior');
    await record(`${K}policy`);
    expect(await pair()).toEqual([expect.objectContaining({ principle: 'lexSuperior', winner: `${K}ins-001` })]);
    expect((await api.store.listDerivedGraphs(`${K}policy`)).length).toBe(1);
  });

  it('shows an unresolved conflict with no resolution', async () => {
    await record(`${M}policy`);
    expect((await rule(`${M}conf-003`)).conflicts).toEqual([
      { conflict: expect.stringMatching(/^urn:studio:conflict:/), other: `${M}conf-001`, certainty: 'definite', documented: null, principle: null, winner: null, reason: null },
    ]);
    expect((await rule(`${M}gifts-001`)).conflicts).toEqual([]);
  });

  it('marks the recorded conflicts stale once the policy is loaded from another source, until the next run', async () => {
    const text = `${await readFile(BUSINESS_CONDUCT, 'utf8')}\n# edited\n`;
    const upload = await replacePolicy(api, `${K}policy`, text, 'business-conduct.ttl');
    expect(upload.status, upload.text).toBe(200);
    expect((await rule(`${K}conf-001`)).conflictsRecorded?.stale).toBe(true);
    expect((await report(`${K}policy`)).recorded.stale).toBe(true);
    const again = await record(`${K}policy`);
    expect(again.recorded.stale).toBe(false);
    expect((await rule(`${K}conf-001`)).conflictsRecorded?.stale).toBe(false);
  });

  it('removes the recorded conflicts with the policy', async () => {
    expect((await api.call('DELETE', at('/v1/policies', `${M}policy`), { as: 'admin' })).status).toBe(204);
    expect(await api.store.listDerivedGraphs(`${M}policy`)).toEqual([]);
    expect((await api.call('POST', `${at('/v1/policies', `${M}policy`)}/conflicts`, { as: 'engineer' })).status).toBe(404);
    expect((await api.call('GET', at('/v1/rules', `${M}conf-003`), { as: 'reader' })).status).toBe(404);
  });
});
