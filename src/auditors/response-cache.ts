/**
 * The model's answers, kept on disk by what was asked: the endpoint, the
 * model, the messages and the parameters. A rerun, a resumed run or a run
 * with another grader asks the endpoint only what it has not answered yet.
 *
 * One append-only file, <dataDir>/audits/cache/answers.jsonl, one answer a
 * line, each line carrying its key. Opening it reads the keys and where
 * their lines are (about 150 bytes of memory per answer kept); a lookup is
 * then a map lookup and, on a hit, one read; a put is one appended line. The
 * answers themselves stay on disk. A line cut short by a kill, or written by
 * another process since this one opened the file, is simply not found: every
 * line read back must parse and name its key, or it counts as absent.
 * (One file per answer cost an open, a write and a close per request, a
 * fifth of an audit's CPU.)
 */

import { createHash } from 'node:crypto';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { ChatMessage } from '../llm/client.js';
import { LineAppender } from './line-appender.js';
import { fileLines } from '../io/file-lines.js';

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

const FILE = 'answers.jsonl';

export class ResponseCache {
  private readonly index = new Map<string, { readonly offset: number; readonly length: number }>();
  private handle: FileHandle | undefined;
  private appender: LineAppender | undefined;
  private opening: Promise<void> | undefined;
  /** Where this process's next line starts. */
  private end = 0;

  constructor(readonly folder: string) {}

  get file(): string {
    return path.join(this.folder, FILE);
  }

  /** The cached answer, or undefined. */
  async get(key: string): Promise<CachedReply | undefined> {
    await this.open();
    const at = this.index.get(key);
    if (!at) return undefined;
    const buffer = Buffer.alloc(at.length);
    const { bytesRead } = await this.handle!.read(buffer, 0, at.length, at.offset);
    try {
      const entry = JSON.parse(buffer.subarray(0, bytesRead).toString('utf8')) as CachedReply & { key?: string };
      return entry.key === key && typeof entry.text === 'string' ? { text: entry.text, servedModel: entry.servedModel, finishReason: entry.finishReason } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Keeps an answer: one line appended. */
  async put(key: string, reply: CachedReply): Promise<void> {
    await this.open();
    const line = Buffer.from(`${JSON.stringify({ key, text: reply.text, servedModel: reply.servedModel, finishReason: reply.finishReason })}\n`, 'utf8');
    const offset = this.end;
    this.end += line.length;
    await this.appender!.append(line);
    this.index.set(key, { offset, length: line.length - 1 });
  }

  async close(): Promise<void> {
    await this.opening?.catch(() => undefined);
    await this.appender?.settled();
    await this.handle?.close();
    this.handle = undefined;
    this.appender = undefined;
    this.opening = undefined;
  }

  private open(): Promise<void> {
    this.opening ??= (async () => {
      await mkdir(this.folder, { recursive: true });
      this.handle = await open(this.file, 'a+');
      let whole = 0;
      for await (const { bytes, offset } of fileLines(this.file)) {
        // The key is the line's first field: {"key":"<64 hex>", ...
        const key = bytes.toString('latin1', 8, 72);
        if (bytes.toString('latin1', 0, 8) === '{"key":"' && /^[0-9a-f]{64}$/.test(key)) this.index.set(key, { offset, length: bytes.length });
        whole = offset + bytes.length + 1;
      }
      // A torn last line (no newline) is left out; the next append starts after it.
      this.end = (await this.handle.stat()).size;
      if (this.end > whole) {
        this.end += 1;
        await this.handle.write('\n');
      }
      this.appender = new LineAppender(this.handle);
    })();
    return this.opening;
  }
}
