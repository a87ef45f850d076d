/** generateForPolicy keeping every item, for tests that look at the items themselves. */

import type { GraphStore } from '../../src/store/graph-store.js';
import { generateForPolicy, type GenerationResult, type GenerationSettings } from '../../src/framers/generation-run.js';
import type { Item } from '../../src/framers/item.js';
import type { TemplateLibrary } from '../../src/framers/templates.js';

export async function generateAll(store: GraphStore, policy: string, library: TemplateLibrary, settings: GenerationSettings): Promise<GenerationResult & { items: Item[] }> {
  const items: Item[] = [];
  const result = await generateForPolicy(store, policy, library, {
    ...settings,
    onItems: (batch, context) => {
      items.push(...batch);
      return settings.onItems?.(batch, context);
    },
  });
  return { ...result, items };
}
