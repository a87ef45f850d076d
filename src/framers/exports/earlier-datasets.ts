/**
 * What an earlier run wrote in a dataset folder, for `studio generate
 * --changed` to take rather than read from the graph or render again:
 *
 * - The texts of the items it keeps (their turns, reference and rejected
 *   answers), from eval.jsonl and preference.jsonl, when the folder's record
 *   (generation-record.ts) names the generated graph the store holds now and
 *   both files are the very bytes it vouches for. Otherwise none: the texts
 *   are then read from the graph. An item whose lines do not read as the
 *   datasets write them gets no texts here, and is rendered again.
 * - The promptfoo suite's test of each item (YAML is by far the costliest
 *   format to write). A test is copied only when the item's eval.jsonl
 *   record, which holds everything its test is made of (the conversation
 *   with the system prompt, the expectations, the checks, the template,
 *   label, attack and metadata), is the very line the earlier run wrote;
 *   every other test is rendered.
 *
 * So a folder another run wrote, or one edited by hand, gives the bytes a
 * full run gives. eval.jsonl and preference.jsonl are read when the run is
 * planned (their lines kept, an item's texts parsed from them when asked);
 * the suite is opened and unlinked before the new one is created, so it
 * stays readable while the new one is written. Files are scanned as bytes:
 * only the lines kept become strings.
 */

import { createHash, type Hash } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { DerivedGraph } from '../../store/graph-store.js';
import type { KeptTexts } from '../generate.js';
import type { Message } from '../templates.js';
import { generationRecordOf } from './generation-record.js';
import { activitiesOf } from '../generated-index.js';

/** What the earlier generated graph holds, as the folder's record keeps it (generated-index.ts). */
export interface EarlierGraph {
  /** Each item, with the activity that made it. */
  readonly activities: Map<string, string>;
  /** Each template, by IRI, with its id and content hash. */
  readonly templates: Map<string, { id: string; contentHash: string }>;
}

/** Bytes of a file read at a time; also the window of the earlier suite tests are copied from (they come mostly in the order they were written). */
const WINDOW = 1 << 20;

const NEWLINE = 0x0a;

export class EarlierDatasets {
  private window = { start: 0, bytes: Buffer.alloc(0) };
  private suite: { readonly handle: FileHandle; readonly tests: ReadonlyMap<string, readonly [number, number]> } | undefined;

  private constructor(
    private readonly folder: string,
    /** By item IRI: its earlier eval.jsonl line when the files are the graph's (its texts are parsed from it when asked), else a hash of the line. */
    private readonly evalLines: ReadonlyMap<string, string>,
    /** By item IRI: its earlier preference.jsonl line; only when the files are the graph's. */
    private readonly pairs: ReadonlyMap<string, string> | undefined,
    /** The system prompt the records open with, by the folder's record. */
    private readonly systemPrompt: string,
    /** What the graph holds, when the files are the graph's and the record says it. */
    readonly held: EarlierGraph | undefined,
  ) {}

  /**
   * Reads the eval.jsonl of a folder, and with `texts`, its preference.jsonl
   * when the folder's record names `graph` and both files match it;
   * undefined when the folder has no eval.jsonl.
   */
  static async read(folder: string, graph: DerivedGraph, options: { readonly texts: boolean }): Promise<EarlierDatasets | undefined> {
    const record = options.texts ? await generationRecordOf(folder, graph) : undefined;
    const evalLines = new Map<string, string>();
    const digest = createHash('sha256');
    const found = await eachLine(path.join(folder, 'eval.jsonl'), digest, (line) => {
      if (!line.startsWith('{"id":"')) return;
      const iri = line.slice(7, line.indexOf('"', 7));
      if (!iri.includes('\\') && !evalLines.has(iri)) evalLines.set(iri, record ? line : lineHash(line));
    });
    if (!found) return undefined;
    let pairs: Map<string, string> | undefined;
    if (record && digest.digest('hex') === record.files['eval.jsonl']) {
      pairs = new Map();
      const kept = pairs;
      const digest = createHash('sha256');
      const found = await eachLine(path.join(folder, 'preference.jsonl'), digest, (line) => {
        const at = line.lastIndexOf(PAIR_ITEM);
        const item = at < 0 ? undefined : line.slice(at + PAIR_ITEM.length, line.indexOf('"', at + PAIR_ITEM.length));
        if (item !== undefined && !kept.has(item)) kept.set(item, line);
      });
      if (!found || digest.digest('hex') !== record.files['preference.jsonl']) pairs = undefined;
    }
    // Not the graph's: only a hash of each line is kept, for the suite's tests.
    if (record && !pairs) for (const [iri, line] of evalLines) evalLines.set(iri, lineHash(line));
    const activities = pairs && record?.generated ? activitiesOf(record.generated, [...evalLines.keys()]) : undefined;
    const held = activities ? { activities, templates: new Map(record!.generated!.templates.map((t) => [t.plan, { id: t.template, contentHash: t.contentHash }])) } : undefined;
    return new EarlierDatasets(folder, evalLines, pairs, record?.systemPrompt ?? '', held);
  }

  /** Whether the files are those the graph's version was written with: then `texts` gives what they hold (and `held`, when the record keeps it, what the graph holds). */
  get graphs(): boolean {
    return this.pairs !== undefined;
  }

  /** An item's texts as the earlier datasets hold them; undefined when they are not the graph's, lack the item, or its lines do not read as written. */
  texts(iri: string): KeptTexts | undefined {
    const line = this.pairs && this.evalLines.get(iri);
    if (!line) return undefined;
    const own = evalTexts(line, this.systemPrompt);
    const pair = this.pairs!.get(iri);
    if (!own || pair === undefined) return own;
    const rejected = rejectedOf(pair);
    return rejected === undefined ? undefined : { ...own, rejected };
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
    if (!at || this.evalLines.get(iri) !== (this.pairs ? evalLine : lineHash(evalLine))) return undefined;
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

function lineHash(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

/** Where a preference pair names its item: its metadata, the record's last key, opens with it. */
const PAIR_ITEM = ',"metadata":{"item":"';

/**
 * An item's own turns and reference answer from its eval.jsonl line (keys in
 * the order eval-suite.ts writes them: id, messages, expectations, checks,
 * reference, metadata; a key in quotes cannot occur inside a JSON string,
 * whose quotes are escaped), the turns without the system prompt the line
 * opens with (metadata.ts promptMessages, undone); undefined for a line that
 * does not read so.
 */
function evalTexts(line: string, systemPrompt: string): { messages: readonly Message[]; reference: string } | undefined {
  const messagesAt = line.indexOf('","messages":');
  const expectationsAt = line.indexOf(',"expectations":', messagesAt);
  const metadataAt = line.lastIndexOf(',"metadata":');
  const referenceAt = line.lastIndexOf(',"reference":', metadataAt);
  if (messagesAt < 0 || expectationsAt < 0 || metadataAt < 0 || referenceAt < expectationsAt) return undefined;
  let messages: unknown;
  let reference: unknown;
  try {
    messages = JSON.parse(line.slice(messagesAt + '","messages":'.length, expectationsAt));
    reference = JSON.parse(line.slice(referenceAt + ',"reference":'.length, metadataAt));
  } catch {
    return undefined;
  }
  if (!Array.isArray(messages) || typeof reference !== 'string') return undefined;
  const turns = messages as Message[];
  if (!systemPrompt) return { messages: turns, reference };
  const [first, ...rest] = turns;
  if (first?.role !== 'system' || typeof first.content !== 'string') return undefined;
  if (first.content === systemPrompt) return { messages: rest, reference };
  if (!first.content.startsWith(`${systemPrompt}\n\n`)) return undefined;
  return { messages: [{ role: 'system', content: first.content.slice(systemPrompt.length + 2) }, ...rest], reference };
}

const REJECTED = ',"rejected":[{"role":"assistant","content":';

/** A preference pair's rejected answer (preference-jsonl.ts: prompt, chosen, rejected, metadata); undefined for a line that does not read so. */
function rejectedOf(line: string): string | undefined {
  const at = line.lastIndexOf(REJECTED);
  const end = line.lastIndexOf(`}]${PAIR_ITEM}`);
  if (at < 0 || end < at) return undefined;
  try {
    const rejected: unknown = JSON.parse(line.slice(at + REJECTED.length, end));
    return typeof rejected === 'string' ? rejected : undefined;
  } catch {
    return undefined;
  }
}

/** Each line of a file (split at "\n") as a string, every byte read going to `digest`; false when the file cannot be opened. */
async function eachLine(file: string, digest: Hash, take: (line: string) => void): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    await eachLineOf(handle, (bytes, start, end) => take(bytes.toString('utf8', start, end)), digest);
  } finally {
    await handle.close();
  }
  return true;
}

/** Each line of a file as the bytes [start, end) of a buffer, with the line's offset in the file; no line becomes a string unless `take` makes it one. */
async function eachLineOf(handle: FileHandle, take: (bytes: Buffer, start: number, end: number, offset: number) => void, digest?: Hash): Promise<void> {
  let rest: Buffer = Buffer.alloc(0);
  let base = 0;
  for await (const chunk of handle.createReadStream({ start: 0, autoClose: false, highWaterMark: WINDOW }) as AsyncIterable<Buffer>) {
    digest?.update(chunk);
    const bytes = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let end = bytes.indexOf(NEWLINE); end >= 0; end = bytes.indexOf(NEWLINE, start)) {
      take(bytes, start, end, base + start);
      start = end + 1;
    }
    rest = bytes.subarray(start);
    base += start;
  }
  if (rest.length > 0) take(rest, 0, rest.length, base);
}

const [DASH, SPACE] = [0x2d, 0x20];

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
  const is = (bytes: Buffer, from: number, to: number, text: string) => to - from >= text.length && bytes.toString('latin1', from, from + text.length) === text;
  let last = 0;
  await eachLineOf(suite, (bytes, from, to, offset) => {
    last = offset + (to - from) + 1;
    if (!inTests) {
      inTests = to - from === 6 && is(bytes, from, to, 'tests:');
      return;
    }
    if (bytes[from] === DASH && bytes[from + 1] === SPACE) {
      end(offset);
      start = offset;
    } else if (bytes[from] !== SPACE) {
      end(offset);
      inTests = false;
    } else if (to - from === 11 && is(bytes, from, to, '  metadata:')) {
      afterMetadata = true;
    } else if (afterMetadata) {
      if (is(bytes, from, to, '    item: ')) iri = bytes.toString('utf8', from + 10, to);
      afterMetadata = false;
    }
  });
  end(last);
  return tests;
}
