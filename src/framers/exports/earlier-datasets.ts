/**
 * What an earlier run wrote in a dataset folder, for `studio generate
 * --changed` to take rather than read from the graph or render again:
 *
 * - The texts of the items it keeps (their turns, reference and rejected
 *   answers), from eval.jsonl and preference.jsonl, when the folder's record
 *   (generation-record.ts) names the generated graph the store holds now and
 *   both files are the very bytes it vouches for. Otherwise none: the texts
 *   are then read from the graph.
 * - The promptfoo suite's test of each item (YAML is by far the costliest
 *   format to write). A test is copied only when the item's eval.jsonl
 *   record, which holds everything its test is made of (the conversation
 *   with the system prompt, the expectations, the checks, the template,
 *   label, attack and metadata), is the very line the earlier run wrote;
 *   every other test is rendered.
 *
 * So a folder another run wrote, or one edited by hand, gives the bytes a
 * full run gives. eval.jsonl and preference.jsonl are read whole when the
 * run is planned; the suite is opened and unlinked before the new one is
 * created, so it stays readable while the new one is written.
 */

import { createHash, type Hash } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { DerivedGraph } from '../../store/graph-store.js';
import type { KeptTexts } from '../generate.js';
import type { Message } from '../templates.js';
import { generationRecordOf } from './generation-record.js';

/** Bytes of the earlier suite read at a time: the tests come mostly in the order they were written, so most are copied from the window already read. */
const WINDOW = 1 << 20;

export class EarlierDatasets {
  private window = { start: 0, bytes: Buffer.alloc(0) };
  private suite: { readonly handle: FileHandle; readonly tests: ReadonlyMap<string, readonly [number, number]> } | undefined;

  private constructor(
    private readonly folder: string,
    /** The earlier eval.jsonl's lines, hashed, by item IRI. */
    private readonly evalLines: ReadonlyMap<string, string>,
    /** Each item's texts, by IRI, when the files are those the folder's record vouches for. */
    readonly texts: ReadonlyMap<string, KeptTexts> | undefined,
  ) {}

  /**
   * Reads the eval.jsonl of a folder, and with `texts`, the items' texts when
   * the folder's record names `graph` and eval.jsonl and preference.jsonl
   * match it; undefined when the folder has no eval.jsonl.
   */
  static async read(folder: string, graph: DerivedGraph, options: { readonly texts: boolean }): Promise<EarlierDatasets | undefined> {
    const record = options.texts ? await generationRecordOf(folder, graph) : undefined;
    const evals = await open(path.join(folder, 'eval.jsonl'), 'r').catch(() => undefined);
    if (!evals) return undefined;
    const evalLines = new Map<string, string>();
    let texts: Map<string, { messages: readonly Message[]; reference: string; rejected?: string }> | undefined = record ? new Map() : undefined;
    const digest = createHash('sha256');
    try {
      for await (const line of lines(evals, digest)) {
        const iri = /^\{"id":"([^"\\]+)"/.exec(line.text)?.[1];
        if (!iri) continue;
        evalLines.set(iri, hash(line.text));
        if (!texts || texts.has(iri)) continue;
        const own = evalTexts(line.text, record!.systemPrompt);
        if (own) texts.set(iri, own);
        else texts = undefined;
      }
    } finally {
      await evals.close();
    }
    if (texts && digest.digest('hex') !== record!.files['eval.jsonl']) texts = undefined;
    if (texts && !(await addRejected(path.join(folder, 'preference.jsonl'), texts, record!.files['preference.jsonl']))) texts = undefined;
    return new EarlierDatasets(folder, evalLines, texts);
  }

  /** Opens the earlier promptfoo suite, if there is one, and unlinks it: the new suite is written in its place while the earlier one is read. */
  async takeSuite(): Promise<void> {
    const file = path.join(this.folder, 'promptfooconfig.yaml');
    const handle = await open(file, 'r').catch(() => undefined);
    if (!handle) return;
    try {
      await unlink(file);
      this.suite = { handle, tests: await testsOf(handle) };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** The earlier suite's test of an item, as bytes, when its eval record is unchanged (`evalLine`, without its newline). */
  async test(iri: string, evalLine: string): Promise<Buffer | undefined> {
    const at = this.suite?.tests.get(iri);
    if (!at || this.evalLines.get(iri) !== hash(evalLine)) return undefined;
    const [start, length] = at;
    if (start < this.window.start || start + length > this.window.start + this.window.bytes.length) {
      const bytes = Buffer.alloc(Math.max(WINDOW, length));
      const { bytesRead } = await this.suite!.handle.read(bytes, 0, bytes.length, start);
      this.window = { start, bytes: bytes.subarray(0, bytesRead) };
      if (bytesRead < length) return undefined;
    }
    return this.window.bytes.subarray(start - this.window.start, start - this.window.start + length);
  }

  async close(): Promise<void> {
    await this.suite?.handle.close();
    this.suite = undefined;
  }
}

function hash(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

/**
 * An item's own turns and reference answer from its eval.jsonl line: the
 * turns without the system prompt the line opens with (exports/metadata.ts
 * promptMessages, undone); undefined for a line that does not open so.
 */
function evalTexts(line: string, systemPrompt: string): { messages: readonly Message[]; reference: string } | undefined {
  let record: { messages?: unknown; reference?: unknown };
  try {
    record = JSON.parse(line) as typeof record;
  } catch {
    return undefined;
  }
  if (!Array.isArray(record.messages) || typeof record.reference !== 'string') return undefined;
  const messages = record.messages as Message[];
  if (!systemPrompt) return { messages, reference: record.reference };
  const [first, ...rest] = messages;
  if (first?.role !== 'system' || typeof first.content !== 'string') return undefined;
  if (first.content === systemPrompt) return { messages: rest, reference: record.reference };
  if (!first.content.startsWith(`${systemPrompt}\n\n`)) return undefined;
  return { messages: [{ role: 'system', content: first.content.slice(systemPrompt.length + 2) }, ...rest], reference: record.reference };
}

/** Adds each pair's rejected answer from preference.jsonl to its item's texts; false when the file is missing, does not match its digest, or names an item eval.jsonl lacks. */
async function addRejected(file: string, texts: Map<string, { rejected?: string }>, expected: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return false;
  const digest = createHash('sha256');
  const rejected = new Map<string, string>();
  try {
    for await (const line of lines(handle, digest)) {
      if (line.text === '') continue;
      const pair = JSON.parse(line.text) as { rejected?: { content?: unknown }[]; metadata?: { item?: unknown } };
      const [item, answer] = [pair.metadata?.item, pair.rejected?.[0]?.content];
      if (typeof item !== 'string' || typeof answer !== 'string' || !texts.has(item)) return false;
      if (!rejected.has(item)) rejected.set(item, answer);
    }
  } catch {
    return false;
  } finally {
    await handle.close();
  }
  if (digest.digest('hex') !== expected) return false;
  for (const [item, answer] of rejected) texts.get(item)!.rejected = answer;
  return true;
}

/** A file's lines (split at "\n") with the byte offset each starts at; every byte read goes to `digest` too. */
async function* lines(handle: FileHandle, digest?: Hash): AsyncGenerator<{ text: string; offset: number }> {
  const decoder = new StringDecoder('utf8');
  let [offset, rest] = [0, ''];
  for await (const chunk of handle.createReadStream({ start: 0, autoClose: false, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    digest?.update(chunk);
    const text = rest + decoder.write(chunk);
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      const line = text.slice(start, end);
      yield { text: line, offset };
      offset += Buffer.byteLength(line, 'utf8') + 1;
      start = end + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest !== '') yield { text: rest, offset };
}

/**
 * Each test of a suite as PromptfooWriter writes it: an entry of the top-level
 * `tests:` sequence (a line opening with "- "), up to the next one, whose
 * metadata (the entry's last key, at two spaces) opens with the item's IRI.
 */
async function testsOf(suite: FileHandle): Promise<Map<string, [number, number]>> {
  const tests = new Map<string, [number, number]>();
  let inTests = false;
  let start = -1;
  let iri: string | undefined;
  let afterMetadata = false;
  const end = (offset: number) => {
    if (start >= 0 && iri) tests.set(iri, [start, offset - start]);
    [start, iri, afterMetadata] = [-1, undefined, false];
  };
  let last = 0;
  for await (const line of lines(suite)) {
    last = line.offset + Buffer.byteLength(line.text, 'utf8') + 1;
    if (!inTests) {
      inTests = line.text === 'tests:';
      continue;
    }
    if (line.text.startsWith('- ')) {
      end(line.offset);
      start = line.offset;
    } else if (!line.text.startsWith(' ')) {
      end(line.offset);
      inTests = false;
    } else if (line.text === '  metadata:') {
      afterMetadata = true;
    } else if (afterMetadata) {
      if (line.text.startsWith('    item: ')) iri = line.text.slice('    item: '.length);
      afterMetadata = false;
    }
  }
  end(last);
  return tests;
}
