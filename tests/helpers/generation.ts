/** generateForPolicy keeping every item, for tests that look at the items themselves. */

import type { GraphStore } from '../../src/store/graph-store.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { detectConflicts } from '../../src/conflicts/detect.js';
import { writeConflicts } from '../../src/conflicts/conflict-graph.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { generateForPolicy, type GenerationResult, type GenerationSettings } from '../../src/framers/generation-run.js';
import type { Item } from '../../src/framers/item.js';
import { itemsOf } from '../../src/framers/generate.js';

export async function generateAll(store: GraphStore, policy: string, library: TemplateLibrary, settings: GenerationSettings): Promise<GenerationResult & { items: Item[] }> {
  const items: Item[] = [];
  const result = await generateForPolicy(store, policy, library, {
    ...settings,
    onItems: (batch, context) => {
      items.push(...itemsOf(batch));
      return settings.onItems?.(batch, context);
    },
  });
  return { ...result, items };
}

/** A policy file loaded into a store of its own, its conflicts detected and recorded, and every item generated (seed 1). */
export async function generateWithConflicts(file: string): Promise<GenerationResult & { items: Item[] }> {
  const store = await EmbeddedStore.open();
  try {
    const loaded = await store.loadPolicy(await readTurtle(file));
    await writeConflicts(store, await detectConflicts(store, { policy: loaded.policy }));
    return await generateAll(store, loaded.policy, await TemplateLibrary.load(), { seed: 1 });
  } finally {
    await store.close();
  }
}
