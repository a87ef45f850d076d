/**
 * The model's answers, kept on disk by what was asked: the endpoint, the
 * model, the messages and the parameters. A rerun, a resumed run or a run
 * with another grader asks the endpoint only what it has not answered yet.
 * One file per answer under <dataDir>/audits/cache/<2 hex>/<hash>.json.
 * A process killed mid-write can leave a file cut short; no prefix of a JSON
 * object is JSON, so such an entry reads as absent and is asked again (the
 * cache is on the hot path of every request: a write and a rename per answer
 * cost a tenth of a run's CPU, and nothing depends on an entry being there).
 */

import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChatMessage } from '../llm/client.js';

/** What the cache keeps of an answer. */
export interface CachedReply {
  readonly text: string;
  readonly servedModel: string;
  readonly finishReason: string | null;
}

/** The cache key of a request: SHA-256 over endpoint, model, messages and parameters (keys sorted). */
export function requestKey(endpoint: string, model: string, messages: readonly ChatMessage[], parameters: Readonly<Record<string, unknown>>): string {
  const sorted = Object.fromEntries(Object.entries(parameters).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify([endpoint, model, messages.map((m) => [m.role, m.content]), sorted])).digest('hex');
}

/** SHA-256 of the messages alone, as results record it. */
export function promptHash(messages: readonly ChatMessage[]): string {
  return createHash('sha256').update(JSON.stringify(messages.map((m) => ({ role: m.role, content: m.content })))).digest('hex');
}

export class ResponseCache {
  /** Shard folders known to exist, so a put costs a write and a rename, not a mkdir too. */
  private readonly made = new Set<string>();

  constructor(readonly folder: string) {}

  private file(key: string): string {
    return path.join(this.folder, key.slice(0, 2), `${key}.json`);
  }

  /** The cached answer, or undefined (an unreadable entry counts as absent and is rewritten by the next put). */
  async get(key: string): Promise<CachedReply | undefined> {
    try {
      const entry = JSON.parse(await readFile(this.file(key), 'utf8')) as CachedReply;
      return typeof entry.text === 'string' ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  async put(key: string, reply: CachedReply): Promise<void> {
    const file = this.file(key);
    const shard = path.dirname(file);
    if (!this.made.has(shard)) {
      await mkdir(shard, { recursive: true });
      this.made.add(shard);
    }
    await writeFile(file, JSON.stringify({ text: reply.text, servedModel: reply.servedModel, finishReason: reply.finishReason }));
  }
}
