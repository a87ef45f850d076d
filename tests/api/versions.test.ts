/** /v1/policies/{policy}/versions, /diff and /impact over HTTP: what an upload replaced, and what changed between two versions. */

import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { MINI } from '../store/store-spec.js';
import { at, startApi, type Api } from './harness.js';
import { CompareThread } from '../../src/evolution/compare-thread.js';
import { CompareTimeoutError } from '../../src/errors.js';

const M = 'https://example.org/mini#';
const PROBLEMS = 'https://w3id.org/alignment-studio/problems/';
let api: Api;
let mini: string;

beforeEach(async () => {
  mini = await readFile(MINI, 'utf8');
  api = await startApi(await EmbeddedStore.open(), { keepVersions: 3 });
});
afterEach(async () => {
  await api.close();
  await api.store.close();
});

const path = (tail: string) => `${at('/v1/policies', `${M}policy`)}${tail}`;

/** Uploads the mini policy, then replaces it with PUT by a version whose rule gifts-001 has another label. */
async function uploadTwoVersions(): Promise<{ first: string; second: string }> {
  const first = await api.call('POST', '/v1/policies?filename=mini.ttl', { as: 'engineer', body: mini, contentType: 'text/turtle' });
  expect(first.status).toBe(201);
  const changed = mini.replace('"No gifts from suppliers"', '"No gifts from vendors"');
  const second = await api.call('PUT', at('/v1/policies', `${M}policy`), { as: 'engineer', body: changed, contentType: 'text/turtle', headers: { 'if-match': first.headers.get('etag')! } });
  expect(second.status).toBe(200);
  return { first: first.body.sha256, second: second.body.sha256 };
}

describe('GET /v1/policies/{policy}/versions', () => {
  it('lists the current version, then the one a PUT replaced, with who loaded each (the token\'s name) and what it revised', async () => {
    const { first, second } = await uploadTwoVersions();
    const reply = await api.call('GET', path('/versions'), { as: 'reader' });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body.total).toBe(2);
    expect(reply.body.items).toEqual([
      expect.objectContaining({ sha256: second, current: true, loadedBy: 'engineer', revisionOf: first }),
      expect.objectContaining({ sha256: first, current: false, loadedBy: 'engineer', source: 'mini.ttl', triples: 117 }),
    ]);
    expect(reply.body.items[1].revisionOf).toBeUndefined();
    // PUT of the same text again keeps nothing new.
    const again = await api.call('PUT', at('/v1/policies', `${M}policy`), { as: 'engineer', body: mini.replace('"No gifts from suppliers"', '"No gifts from vendors"'), contentType: 'text/turtle', headers: { 'if-match': second } });
    expect(again.status).toBe(200);
    expect((await api.call('GET', path('/versions'), { as: 'reader' })).body.total).toBe(2);
  });

  it('answers 404 for a policy that is not loaded', async () => {
    const reply = await api.call('GET', at('/v1/policies', `${M}absent`) + '/versions', { as: 'reader' });
    expect(reply.status).toBe(404);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
  });
});

describe('GET /v1/policies/{policy}/diff and /impact', () => {
  it('compares a kept version (by its first digits) with the current one, field by field', async () => {
    const { first, second } = await uploadTwoVersions();
    const reply = await api.call('GET', `${path('/diff')}?from=${first.slice(0, 8)}`, { as: 'reader' });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body).toMatchObject({ policy: `${M}policy`, from: first, to: second, changed: true });
    expect(reply.body.diff.rules.changed).toEqual([
      { iri: `${M}gifts-001`, changes: [{ field: 'label', before: ['No gifts from suppliers'], after: ['No gifts from vendors'], added: ['No gifts from vendors'], removed: ['No gifts from suppliers'] }] },
    ]);
    const same = await api.call('GET', `${path('/diff')}?from=current&to=${second}`, { as: 'reader' });
    expect(same.body).toMatchObject({ from: second, to: second, changed: false });
  });

  it('gives the impact: the changed rule and the rules that depend on it', async () => {
    const { first } = await uploadTwoVersions();
    const reply = await api.call('GET', `${path('/impact')}?from=${first}&to=current`, { as: 'reader' });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body.changed).toBe(true);
    expect(reply.body.impact.changedRules).toEqual([`${M}gifts-001`]);
    expect(reply.body.impact.counts.dependents).toBe(reply.body.impact.dependents.length);
    expect(reply.body.impact.dependents.map((d: { on: string }) => d.on)).toContain(`${M}gifts-001`);
  });

  it('answers 404 for a version the store does not keep, 400 for what is no version name', async () => {
    await uploadTwoVersions();
    const unknown = await api.call('GET', `${path('/diff')}?from=${'0'.repeat(64)}`, { as: 'reader' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.type).toBe(`${PROBLEMS}version-not-found`);
    expect((await api.call('GET', `${path('/impact')}?from=HEAD`, { as: 'reader' })).status).toBe(400);
    expect((await api.call('GET', path('/diff'), { as: 'reader' })).status).toBe(400);
  });
});

describe('comparisons off the event loop, with a deadline', () => {
  it('stops an impact past its deadline with a 504 problem, and the store is as it was', async () => {
    // Versions loaded straight into the store: with a 1 ms deadline the upload's own queries would not pass.
    const store = await EmbeddedStore.open();
    await store.loadPolicy({ file: 'mini.ttl', text: mini, baseIri: 'file:///upload/mini.ttl' }, undefined, undefined, { keepVersions: 3 });
    const first = (await store.listPolicies())[0]!.sha256;
    await store.loadPolicy({ file: 'mini.ttl', text: mini.replace('"No gifts from suppliers"', '"No gifts from vendors"'), baseIri: 'file:///upload/mini.ttl' }, undefined, undefined, { keepVersions: 3 });
    await api.close();
    await api.store.close();
    api = await startApi(store, { deadlines: { namedMs: 1 } });
    const reply = await api.call('GET', `${path('/impact')}?from=${first}`, { as: 'reader' });
    expect(reply.status, reply.text).toBe(504);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ type: `${PROBLEMS}compare-deadline`, status: 504 });
    expect(reply.body.detail).toContain('longer than 0.001 s');
    expect((await api.call('GET', path('/versions'), { as: 'reader' })).body.total).toBe(2);
  });

  it('runs each comparison in a worker: one past its deadline takes its worker, the next gets a new one', async () => {
    const changed = mini.replace('"No gifts from suppliers"', '"No gifts from vendors"');
    const task = { kind: 'impact', before: { file: 'a.ttl', text: mini, baseIri: 'file:///a.ttl' }, after: { file: 'b.ttl', text: changed, baseIri: 'file:///b.ttl' }, precedence: [] } as const;
    const hasty = new CompareThread(1);
    await expect(hasty.run(task)).rejects.toBeInstanceOf(CompareTimeoutError);
    const patient = new CompareThread(120_000);
    try {
      await expect(patient.run({ ...task, kind: 'diff' })).resolves.toMatchObject({ changed: true, diff: { rules: { changed: [{ iri: `${M}gifts-001` }] } } });
      await expect(patient.run(task)).resolves.toMatchObject({ changed: true, impact: { changedRules: [`${M}gifts-001`] } });
    } finally {
      await hasty.close();
      await patient.close();
    }
    await expect(patient.run(task)).rejects.toThrow(/shutting down/);
  });
});
