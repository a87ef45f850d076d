/**
 * A promptfoo test suite: a config whose one prompt sends each test's
 * messages as a chat (promptfoo parses a prompt that renders to a JSON array
 * of messages as a conversation), and one test per item with its messages
 * as vars, its checks as asserts and its metadata. Providers are left to
 * the user (`promptfoo eval -c promptfooconfig.yaml --providers openai:...`).
 */

import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
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

/**
 * The suite written a batch of items at a time: the head first, then each
 * test as an entry of the tests sequence, so a million tests never become
 * one YAML document in memory.
 */
export class PromptfooWriter {
  private readonly out: WriteStream;
  private count = 0;

  constructor(
    file: string,
    title: string,
    private readonly systemPrompt?: string,
  ) {
    this.out = createWriteStream(file);
    this.out.write(stringify({ description: `Alignment Studio suite for ${title}`, prompts: ['{{ messages | dump }}'] }, { lineWidth: 0 }));
  }

  async write(items: readonly Item[]): Promise<void> {
    for (const item of items) {
      const text = (this.count === 0 ? 'tests:\n' : '') + stringify([promptfooTest(item, this.systemPrompt)], { lineWidth: 0 });
      if (!this.out.write(text)) await once(this.out, 'drain');
      this.count++;
    }
  }

  /** Ends the file; resolves with the number of tests. */
  async close(): Promise<number> {
    this.out.end(this.count === 0 ? 'tests: []\n' : '');
    await once(this.out, 'finish');
    return this.count;
  }
}
