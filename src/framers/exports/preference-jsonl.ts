/**
 * Preference pairs in TRL's conversational preference format (what
 * DPOTrainer reads): prompt as messages, chosen and rejected as the
 * assistant's turn. Chosen follows the rule; rejected breaks it (or, for a
 * compliant situation, refuses needlessly). Only items whose template gives
 * a rejected answer make a pair.
 */

import type { Item } from '../item.js';
import { metadataOf, promptMessages } from './metadata.js';

export function* preferenceRecords(items: Iterable<Item>, systemPrompt?: string): Generator<object> {
  for (const item of items) {
    if (!item.rejected) continue;
    yield {
      prompt: promptMessages(item, systemPrompt),
      chosen: [{ role: 'assistant', content: item.reference }],
      rejected: [{ role: 'assistant', content: item.rejected }],
      metadata: metadataOf(item),
    };
  }
}
