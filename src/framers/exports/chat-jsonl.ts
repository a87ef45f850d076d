/**
 * Supervised chat data as OpenAI fine-tuning reads it: one
 * {"messages": [{role, content}...]} per line, ending with the reference
 * answer; the record's metadata (rule IRIs first) rides in "metadata".
 */

import type { Item } from '../item.js';
import { metadataOf, promptMessages } from './metadata.js';

export function* chatRecords(items: Iterable<Item>, systemPrompt?: string): Generator<object> {
  for (const item of items) {
    yield { messages: [...promptMessages(item, systemPrompt), { role: 'assistant', content: item.reference }], metadata: metadataOf(item) };
  }
}
