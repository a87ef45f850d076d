/** generateForPolicy with an AbortSignal: aborted before it starts or while it walks the rules, it rejects with the signal's reason and the previous graph stays. */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { generateForPolicy } from '../../src/framers/generation-run.js';
import type { GraphStore } from '../../src/store/graph-store.js';
import { MINI } from '../store/store-spec.js';

const POLICY = 'https://example.org/mini#policy';
let store: GraphStore;
let library: TemplateLibrary;

beforeAll(async () => {
  store = await EmbeddedStore.open();
  await store.loadPolicy(await readTurtle(MINI));
  library = await TemplateLibrary.load();
  await generateForPolicy(store, POLICY, library, { seed: 1 });
});
afterAll(() => store.close());

describe('generation with a signal', () => {
  const reason = new Error('stop');
  it.each([
    ['before it starts', (controller: AbortController) => (controller.abort(reason), undefined)],
    ['as it walks the rules', (controller: AbortController) => () => controller.abort(reason)],
  ])('aborted %s, rejects with the reason and keeps the previous graph', async (_when, arrange) => {
    const before = await store.listDerivedGraphs(POLICY);
    expect(before).toHaveLength(1);
    const controller = new AbortController();
    const progress = arrange(controller);
    await expect(generateForPolicy(store, POLICY, library, { seed: 2, signal: controller.signal, ...(progress ? { progress } : {}) })).rejects.toBe(reason);
    expect(await store.listDerivedGraphs(POLICY)).toEqual(before);
  });

  it('runs to the end with a signal that is never aborted', async () => {
    const result = await generateForPolicy(store, POLICY, library, { seed: 3, signal: new AbortController().signal });
    expect(result.summary.items).toBeGreaterThan(10);
  });
});
