/**
 * A promptfoo test suite: a config whose one prompt sends each test's
 * messages as a chat (promptfoo parses a prompt that renders to a JSON array
 * of messages as a conversation), and one test per item with its messages
 * as vars, its checks as asserts and its metadata. Providers are left to
 * the user (`promptfoo eval -c promptfooconfig.yaml --providers openai:...`).
 */

import { stringify } from 'yaml';
import type { Item } from '../item.js';
import { checksOf } from './checks.js';
import { metadataOf, promptMessages } from './metadata.js';

export function promptfooTest(item: Item, systemPrompt?: string): object {
  const last = item.messages.at(-1)?.content ?? '';
  return {
    description: `${item.template.id}${item.label ? ` ${item.label}` : ''}${item.attack ? ` ${item.attack}` : ''}: ${last.length > 80 ? `${last.slice(0, 77)}...` : last}`,
    vars: { messages: promptMessages(item, systemPrompt) },
    assert: checksOf(item.expectations).map((c) => ({ type: c.type, ...(c.value !== undefined ? { value: c.value } : {}), metric: c.expectation })),
    metadata: metadataOf(item),
  };
}

/** The whole suite as YAML text. */
export function promptfooConfig(items: readonly Item[], title: string, systemPrompt?: string): string {
  return stringify(
    {
      description: `Alignment Studio suite for ${title}`,
      prompts: ['{{ messages | dump }}'],
      tests: items.map((item) => promptfooTest(item, systemPrompt)),
    },
    { lineWidth: 0 },
  );
}
