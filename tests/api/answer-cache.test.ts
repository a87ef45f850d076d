/**
 * The answer cache over a real embedded store: answers are kept within a
 * bound in entries and in bytes, the least recently used goes first, an
 * answer too large is served but not kept, and any write empties it.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachingStore } from '../../src/api/answer-cache.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import type { GraphStore } from '../../src/store/graph-store.js';
import { MINI } from '../store/store-spec.js';

const M = 'https://example.org/mini#';
const context = (rule: string) => ['rule-context', { rule: `${M}${rule}` }] as const;
const [A, B, C] = [context('gifts-001'), context('gifts-002'), context('conf-001')];

let store: GraphStore;
beforeAll(async () => {
  store = await EmbeddedStore.open();
  await store.loadPolicy(await readTurtle(MINI));
});
afterAll(() => store.close());

/** Asks a query and says whether the cache answered it. */
async function ask(cache: CachingStore, [name, params]: readonly [string, Record<string, string>]): Promise<'hit' | 'miss'> {
  const before = cache.stats.hits;
  const rows = await cache.namedQuery(name, params);
  expect(rows).toEqual(await store.namedQuery(name, params));
  return cache.stats.hits > before ? 'hit' : 'miss';
}

/** The size the cache counts for an answer. */
async function sizeOf([name, params]: readonly [string, Record<string, string>]): Promise<number> {
  return Buffer.byteLength(JSON.stringify(await store.namedQuery(name, params)));
}

describe('answer cache', () => {
  it('keeps at most `entries` answers, dropping the least recently used', async () => {
    const cache = new CachingStore(store, { entries: 2 });
    expect([await ask(cache, A), await ask(cache, B), await ask(cache, A)]).toEqual(['miss', 'miss', 'hit']);
    // A was used after B: C pushes B out, not A.
    expect(await ask(cache, C)).toBe('miss');
    expect(cache.stats.entries).toBe(2);
    expect(await ask(cache, A)).toBe('hit');
    expect(await ask(cache, B)).toBe('miss');
    expect(await ask(cache, C)).toBe('miss');
  });

  it('keeps at most `bytes` of answers, dropping the least recently used, and counts what it holds', async () => {
    const [a, b, c] = [await sizeOf(A), await sizeOf(B), await sizeOf(C)];
    expect(Math.min(a, b, c)).toBeGreaterThan(100);
    const cache = new CachingStore(store, { bytes: a + b });
    await ask(cache, A);
    await ask(cache, B);
    expect(cache.stats).toMatchObject({ entries: 2, bytes: a + b });
    await ask(cache, C);
    // A went first; B too if A alone did not make room.
    expect(cache.stats.bytes).toBe(b + c <= a + b ? b + c : c);
    expect(cache.stats.bytes).toBeLessThanOrEqual(a + b);
    expect(await ask(cache, A)).toBe('miss');
  });

  it('serves an answer larger than the whole cache without keeping it', async () => {
    const cache = new CachingStore(store, { bytes: 100 });
    expect([await ask(cache, A), await ask(cache, A)]).toEqual(['miss', 'miss']);
    expect(cache.stats).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('shares one answer between questions asked at once, and forgets everything on a write', async () => {
    const cache = new CachingStore(store);
    const [name, params] = A;
    const [x, y] = await Promise.all([cache.namedQuery(name, params), cache.namedQuery(name, params)]);
    expect(x).toBe(y);
    expect(cache.stats).toMatchObject({ entries: 1, hits: 1, misses: 1 });
    expect(cache.stats.bytes).toBe(await sizeOf(A));
    await cache.loadPolicy(await readTurtle(MINI));
    expect(cache.stats).toMatchObject({ entries: 0, bytes: 0 });
    expect(await ask(cache, A)).toBe('miss');
  });

  it('does not keep a failed answer', async () => {
    const cache = new CachingStore(store);
    await expect(cache.namedQuery('rule-context', {})).rejects.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(cache.stats).toMatchObject({ entries: 0, bytes: 0 });
  });
});
