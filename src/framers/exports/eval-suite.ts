/**
 * The evaluation suite: one test case per scenario and red-team prompt (and
 * per instruction, for knowledge checks), with the conversation to send, the
 * expectations with what they name, the checks that grade them, and a
 * reference answer that passes them.
 */

import type { Item } from '../item.js';
import { checksOf } from './checks.js';
import { metadataOf, promptMessages } from './metadata.js';

export function* evalRecords(items: Iterable<Item>, systemPrompt?: string): Generator<object> {
  for (const item of items) {
    yield {
      id: item.iri,
      messages: promptMessages(item, systemPrompt),
      expectations: item.expectations,
      checks: checksOf(item.expectations),
      reference: item.reference,
      metadata: metadataOf(item),
    };
  }
}
