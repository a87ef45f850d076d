/**
 * A promptfoo test suite: a config whose one prompt sends each test's
 * messages as a chat (promptfoo parses a prompt that renders to a JSON array
 * of messages as a conversation), and one test per item with its messages
 * as vars, its checks as asserts and its metadata. promptfoo refuses a
 * config without a provider, so the suite names one: an OpenAI chat
 * provider whose model is a placeholder the user replaces (or overrides with
 * `--providers`); it reads OPENAI_BASE_URL and OPENAI_API_KEY like the
 * studio's own client, so any OpenAI-compatible endpoint works.
 */

import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { stringify } from 'yaml';
import type { Item } from '../item.js';
import { checksOf } from './checks.js';
import { metadataOf, promptMessages } from './metadata.js';
import { ByteRuns } from './byte-runs.js';

export function promptfooTest(item: Item, systemPrompt?: string): object {
  const last = item.messages.at(-1)?.content ?? '';
  return {
    description: `${item.template.id}${item.label ? ` ${item.label}` : ''}${item.attack ? ` ${item.attack}` : ''}: ${last.length > 80 ? `${last.slice(0, 77)}...` : last}`,
    vars: { messages: promptMessages(item, systemPrompt) },
    assert: checksOf(item.expectations).map((c) => ({ type: c.type, ...(c.value !== undefined ? { value: c.value } : {}), metric: c.expectation })),
    metadata: metadataOf(item),
  };
}

/** The model name a user replaces with the model under audit. */
export const PROMPTFOO_MODEL_PLACEHOLDER = 'replace-with-your-model';

/** The provider the suite names: OpenAI's chat API (or any compatible endpoint) with the placeholder model. */
export const PROMPTFOO_PROVIDER = { id: `openai:chat:${PROMPTFOO_MODEL_PLACEHOLDER}`, label: 'model under audit' } as const;

const HEADER =
  `# Written by 'studio generate --out'. Replace ${PROMPTFOO_MODEL_PLACEHOLDER} with the model under audit, or run\n` +
  `# promptfoo eval -c promptfooconfig.yaml --providers openai:chat:<model>; OPENAI_BASE_URL and OPENAI_API_KEY choose the endpoint.\n`;

function head(title: string): object {
  return { description: `Alignment Studio suite for ${title}`, providers: [PROMPTFOO_PROVIDER], prompts: ['{{ messages | dump }}'] };
}

/** The whole suite as YAML text. */
export function promptfooConfig(items: readonly Item[], title: string, systemPrompt?: string): string {
  return HEADER + stringify({ ...head(title), tests: items.map((item) => promptfooTest(item, systemPrompt)) }, { lineWidth: 0 });
}

/**
 * The suite written a batch of items at a time: the head first, then each
 * test as an entry of the tests sequence, so a million tests never become
 * one YAML document in memory.
 */
export class PromptfooWriter {
  private readonly out: WriteStream;
  private count = 0;
  /** Tests copied and not yet written: adjacent ones go as one piece. */
  private readonly copied = new ByteRuns();

  constructor(
    file: string,
    title: string,
    private readonly systemPrompt?: string,
  ) {
    this.out = createWriteStream(file);
    this.out.write(HEADER + stringify(head(title), { lineWidth: 0 }));
  }

  /** Writes each item's test; `written` gives the test of an item as an earlier run wrote it, to copy rather than render (earlier-datasets.ts). */
  async write(items: readonly Item[], written?: (item: Item, index: number) => Promise<Buffer | undefined>): Promise<void> {
    for (const [index, item] of items.entries()) {
      if (this.count === 0) this.out.write('tests:\n');
      const copied = await written?.(item, index);
      if (copied) await this.put(this.copied.add(copied));
      else {
        await this.put(this.copied.take());
        await this.put(stringify([promptfooTest(item, this.systemPrompt)], { lineWidth: 0 }));
      }
      this.count++;
    }
  }

  /** Writes tests as an earlier run wrote them, one after another (`tests` of them). */
  async writeCopied(bytes: Buffer, tests: number): Promise<void> {
    if (tests === 0) return;
    if (this.count === 0) this.out.write('tests:\n');
    await this.put(this.copied.add(bytes));
    this.count += tests;
  }

  private async put(text: string | Uint8Array | undefined): Promise<void> {
    if (text !== undefined && !this.out.write(text)) await once(this.out, 'drain');
  }

  /** Ends the file; resolves with the number of tests. */
  async close(): Promise<number> {
    await this.put(this.copied.take());
    this.out.end(this.count === 0 ? 'tests: []\n' : '');
    await once(this.out, 'finish');
    return this.count;
  }
}
