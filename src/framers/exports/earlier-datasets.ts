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
 * - With the texts, the lines of the items kept, copied as bytes into the
 *   new chat.jsonl, preference.jsonl and eval.jsonl (when the record vouches
 *   for chat.jsonl too, and the records open with the same system prompt):
 *   only the items rendered again are rendered. The files keep the order of
 *   the run's items, as a full run writes them. A rule's block spliced whole
 *   (generate.ts KeptBlock) has its lines copied as one run of each file's
 *   bytes, and its tests likewise, when the files hold them one after another.
 * - What the earlier graph holds (each item's activity, each template), when
 *   the record keeps it (generated-index.ts): then the graph is not asked.
 * - The promptfoo suite's test of each item (YAML is by far the costliest
 *   format to write). A test is copied only when the item's eval.jsonl
 *   record, which holds everything its test is made of (the conversation
 *   with the system prompt, the expectations, the checks, the template,
 *   label, attack and metadata), is the very line the earlier run wrote;
 *   every other test is rendered.
 *
 * So a folder another run wrote, or one edited by hand, gives the bytes a
 * full run gives. The files the record vouches for are read whole, as bytes,
 * when the run is planned (each line indexed by its item; an item's texts
 * parsed from its lines when asked); the suite is opened and unlinked before
 * the new one is created, so it stays readable while the new one is
 * written. No file becomes a string: only the lines whose texts are asked.
 */

import { createHash } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { DerivedGraph } from '../../store/graph-store.js';
import type { KeptBlock, KeptTexts } from '../generate.js';
import type { Message } from '../templates.js';
import { generationRecordOf } from './generation-record.js';
import { activitiesOf, ruleBlocksOf, type RecordedBlockItem } from '../generated-index.js';
import { readRecordedProvisionRows, type RecordedProvisionRows } from '../recorded-provisions.js';
import type { Expectation } from '../expectations.js';
import type { SpliceKeys } from '../generate.js';
import { eachFileLine } from '../../io/file-lines.js';
import { readShared, type SharedFile } from '../../io/shared-bytes.js';
import type { WrittenSkill } from './instructlab.js';

/** What the earlier generated graph holds, as the folder's record keeps it (generated-index.ts). */
export interface EarlierGraph {
  /** Each item, with the activity that made it. */
  readonly activities: Map<string, string>;
  /** Each template, by IRI, with its id and content hash. */
  readonly templates: Map<string, { id: string; contentHash: string }>;
  /** Each rule's own block of items and the splice keys of the run, when the record keeps them (generated-index.ts ruleBlocksOf). */
  readonly splice: { readonly keys: SpliceKeys; readonly blocks: ReadonlyMap<string, readonly RecordedBlockItem[]> } | undefined;
  /** The rows of the context's provision queries the run generated from, when the record keeps them (recorded-provisions.ts). */
  readonly provisions: RecordedProvisionRows | undefined;
}

/** Bytes of a file read at a time; also the window of the earlier suite tests are copied from (they come mostly in the order they were written). */
const WINDOW = 1 << 20;

const NEWLINE = 0x0a;

/** How the datasets' files are read line by line: a window at a time, the last line even without its newline. */
const LINES = { chunkBytes: WINDOW, unterminated: 'keep' } as const;

/** A file's lines by item IRI, as [start, end) of its bytes, the newline included. */
interface IndexedFile {
  readonly bytes: Buffer;
  readonly lines: ReadonlyMap<string, readonly [number, number]>;
}

export class EarlierDatasets {
  private window = { start: 0, bytes: Buffer.alloc(0) };
  /** The earlier suite, open, with each test's bytes [start, end) by item IRI. */
  private suite: { readonly handle: FileHandle; readonly tests: ReadonlyMap<string, readonly [number, number]> } | undefined;
  /** The items whose texts were taken (kept by the framer): their lines are copied. */
  private readonly taken = new Set<string>();

  private constructor(
    private readonly folder: string,
    /** When the files are the graph's: eval.jsonl, preference.jsonl and chat.jsonl as bytes, each line by its item (chat.jsonl only when the record vouches for it too). */
    private readonly files: { readonly eval: IndexedFile; readonly pairs: IndexedFile; readonly chat: IndexedFile | undefined } | undefined,
    /** Otherwise: by item IRI, a hash of its earlier eval.jsonl line, for the suite's tests. */
    private readonly evalHashes: ReadonlyMap<string, string>,
    /** The system prompt the records open with, by the folder's record. */
    private readonly systemPrompt: string,
    /** What the graph holds, when the files are the graph's and the record says it. */
    readonly held: EarlierGraph | undefined,
    /** The InstructLab files the earlier run wrote, when the files are the graph's and the record says it (instructlab.ts). */
    readonly skills: Readonly<Record<string, WrittenSkill>> | undefined,
  ) {}

  /**
   * Reads the eval.jsonl of a folder, and with `texts`, its preference.jsonl
   * and chat.jsonl when the folder's record names `graph` and the files
   * match it; undefined when the folder has no eval.jsonl.
   */
  static async read(folder: string, graph: DerivedGraph, options: { readonly texts: boolean; readonly prefetched?: PrefetchedFiles }): Promise<EarlierDatasets | undefined> {
    const record = options.texts ? await generationRecordOf(folder, graph) : undefined;
    const file = (name: VouchedFile) => ({ file: path.join(folder, name), bytes: options.prefetched?.get(name) });
    let files: { eval: IndexedFile; pairs: IndexedFile; chat: IndexedFile | undefined } | undefined;
    if (record) {
      const evalFile = await readVouched(file('eval.jsonl'), record.files['eval.jsonl'], evalItem);
      const pairs = evalFile && (await readVouched(file('preference.jsonl'), record.files['preference.jsonl'], metadataItem));
      const chat = pairs && record.files['chat.jsonl'] ? await readVouched(file('chat.jsonl'), record.files['chat.jsonl'], metadataItem) : undefined;
      if (evalFile && pairs) files = { eval: evalFile, pairs, chat };
    }
    const evalHashes = new Map<string, string>();
    if (!files) {
      // Not the graph's: only a hash of each line is kept, for the suite's tests.
      const found = await eachLine(file('eval.jsonl').file, (bytes, start, end) => {
        const iri = evalItem(bytes, start, end);
        if (iri !== undefined && !evalHashes.has(iri)) evalHashes.set(iri, lineHash(bytes.toString('utf8', start, end)));
      });
      if (!found) return undefined;
    }
    const items = files && record?.generated ? [...files.eval.lines.keys()] : [];
    const activities = files && record?.generated ? activitiesOf(record.generated, items) : undefined;
    const held = activities
      ? {
          activities,
          templates: new Map(record!.generated!.templates.map((t) => [t.plan, { id: t.template, contentHash: t.contentHash }])),
          splice: ruleBlocksOf(record!.generated!, items),
          provisions: readRecordedProvisionRows(record!.generated!.provisions),
        }
      : undefined;
    return new EarlierDatasets(folder, files, evalHashes, record?.systemPrompt ?? '', held, files ? record?.taxonomy : undefined);
  }

  /**
   * Begins reading the files `read` takes the texts and lines from, so that
   * the disk works while the caller does (selective.ts plans meanwhile); what
   * is read counts only once `read` finds the record vouching for it.
   */
  static prefetch(folder: string): PrefetchedFiles {
    return new Map(VOUCHED_FILES.map((name) => [name, readShared(path.join(folder, name))]));
  }

  /** Whether the files are those the graph's version was written with: then `texts` gives what they hold (and `held`, when the record keeps it, what the graph holds). */
  get graphs(): boolean {
    return this.files !== undefined;
  }

  /** An item's texts as the earlier datasets hold them; undefined when they are not the graph's, lack the item, or its lines do not read as written. */
  texts(iri: string): KeptTexts | undefined {
    const line = this.files && lineOf(this.files.eval, iri);
    if (!line) return undefined;
    const own = evalTexts(line, this.systemPrompt);
    const pair = lineOf(this.files!.pairs, iri);
    let texts: KeptTexts | undefined = own;
    if (own && pair) {
      const rejected = rejectedOf(pair);
      texts = rejected === undefined ? undefined : { ...own, rejected };
    }
    if (texts) this.taken.add(iri);
    return texts;
  }

  /**
   * Takes an item whole, for the framer to splice it (generate.ts Splice): its
   * lines are copied, and its texts read only if asked (`read`, `rejected`).
   * False when the files are not the graph's or lack the item.
   */
  take(iri: string): boolean {
    if (!this.files?.eval.lines.has(iri)) return false;
    this.taken.add(iri);
    return true;
  }

  /** A taken item's own turns, reference answer and expectations; a line that does not read as the datasets write it (never, in files the record vouches for) is an error naming it. */
  read(iri: string): { readonly messages: readonly Message[]; readonly reference: string; readonly expectations: readonly Expectation[] } {
    const line = this.taken.has(iri) ? lineOf(this.files!.eval, iri) : undefined;
    const texts = line && evalTexts(line, this.systemPrompt);
    const expectations = line && expectationsOf(line);
    if (!texts || !expectations) throw new Error(`${path.join(this.folder, 'eval.jsonl')}: the line of ${iri} does not read as the datasets write it`);
    return { ...texts, expectations };
  }

  /** A taken item's rejected answer, if it has a preference pair; a pair that does not read so is an error naming it. */
  rejected(iri: string): string | undefined {
    const pair = this.taken.has(iri) ? lineOf(this.files!.pairs, iri) : undefined;
    if (!pair) return undefined;
    const rejected = rejectedOf(pair);
    if (rejected === undefined) throw new Error(`${path.join(this.folder, 'preference.jsonl')}: the line of ${iri} does not read as the datasets write it`);
    return rejected;
  }

  /** Whether a taken item has a preference pair (then `rejected` gives its answer), its line not read. */
  paired(iri: string): boolean {
    return this.taken.has(iri) && this.files!.pairs.lines.has(iri);
  }

  /**
   * The earlier lines of an item whose texts were taken, to copy: a kept item
   * is the earlier run's in all its records say (its IRI hashes its template,
   * provisions, terms and seed; selective.ts keeps none whose rules, terms,
   * sections or template changed, as the patch keeps its triples), when the
   * records open with the same system prompt. Undefined otherwise: rendered.
   */
  lines(iri: string, systemPrompt: string): { readonly chat: Buffer; readonly eval: Buffer; readonly pair: Buffer | undefined } | undefined {
    if (!this.files?.chat || systemPrompt !== this.systemPrompt || !this.taken.has(iri)) return undefined;
    const [chat, evalLine] = [lineOf(this.files.chat, iri), lineOf(this.files.eval, iri)];
    return chat && evalLine ? { chat, eval: evalLine, pair: lineOf(this.files.pairs, iri) } : undefined;
  }

  /**
   * The earlier lines of a rule's block kept whole (generate.ts KeptBlock),
   * each file's as one run of bytes: the block's items were taken, the
   * records open with the same system prompt, and each file holds their
   * lines one after another, in the block's order (as the run that wrote
   * them went); the preference pairs of those items that have one likewise.
   * Undefined otherwise: the block's items are then written one by one.
   */
  blockLines(block: KeptBlock, systemPrompt: string): { readonly chat: Buffer; readonly eval: Buffer; readonly pairs: { readonly bytes: Buffer; readonly count: number } | undefined } | undefined {
    const files = this.files;
    if (!files?.chat || systemPrompt !== this.systemPrompt || !block.earlier.every((item) => this.taken.has(item.iri))) return undefined;
    const [chat, evalRun] = [runOf(files.chat, block.earlier, true), runOf(files.eval, block.earlier, true)];
    const pairs = runOf(files.pairs, block.earlier, false);
    if (!chat || !evalRun || !pairs) return undefined;
    return { chat: chat.bytes, eval: evalRun.bytes, pairs: pairs.count > 0 ? pairs : undefined };
  }

  /** The earlier suite's tests of a block whose lines were copied (blockLines), as one run of bytes; undefined unless the suite holds each, one after another, in the block's order. */
  async blockTests(block: KeptBlock): Promise<Buffer | undefined> {
    const run = this.suite && rangesRun(this.suite.tests, block.earlier, true);
    return run && run.count > 0 ? this.suiteBytes(run.start, run.end - run.start) : undefined;
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

  /** The earlier suite's test of an item, as bytes, when its eval record is unchanged (`evalLine`, without its newline; undefined when the record itself was copied). */
  async test(iri: string, evalLine: string | undefined): Promise<Buffer | undefined> {
    const at = this.suite?.tests.get(iri);
    if (!at || (evalLine !== undefined && !this.sameEvalLine(iri, evalLine))) return undefined;
    return this.suiteBytes(at[0], at[1] - at[0]);
  }

  /** Bytes of the earlier suite, through a window of it (the tests are mostly asked in the order they were written); undefined past its end. */
  private async suiteBytes(start: number, length: number): Promise<Buffer | undefined> {
    if (start < this.window.start || start + length > this.window.start + this.window.bytes.length) {
      const bytes = Buffer.alloc(Math.max(WINDOW, length));
      const { bytesRead } = await this.suite!.handle.read(bytes, 0, bytes.length, start);
      this.window = { start, bytes: bytes.subarray(0, bytesRead) };
      if (bytesRead < length) return undefined;
    }
    return this.window.bytes.subarray(start - this.window.start, start - this.window.start + length);
  }

  private sameEvalLine(iri: string, evalLine: string): boolean {
    if (!this.files) return this.evalHashes.get(iri) === lineHash(evalLine);
    const line = lineOf(this.files.eval, iri);
    return line !== undefined && line.length === Buffer.byteLength(evalLine) + 1 && line.toString('utf8', 0, line.length - 1) === evalLine;
  }

  async close(): Promise<void> {
    await this.suite?.handle.close();
    this.suite = undefined;
  }
}

function lineHash(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

/** Where a preference pair or chat record names its item: its metadata, the record's last key, opens with it. */
const PAIR_ITEM = ',"metadata":{"item":"';
const METADATA_ITEM = Buffer.from(PAIR_ITEM);

/**
 * An item's own turns and reference answer from its eval.jsonl line (keys in
 * the order eval-suite.ts writes them: id, messages, expectations, checks,
 * reference, metadata; a key in quotes cannot occur inside a JSON string,
 * whose quotes are escaped), the turns without the system prompt the line
 * opens with (metadata.ts promptMessages, undone); undefined for a line that
 * does not read so.
 */
function evalTexts(line: Buffer, systemPrompt: string): { messages: readonly Message[]; reference: string } | undefined {
  // Found in the line's bytes, and only the two pieces decoded: the expectations, checks and metadata are most of the line.
  const messagesAt = line.indexOf(MESSAGES);
  const expectationsAt = messagesAt < 0 ? -1 : line.indexOf(EXPECTATIONS, messagesAt);
  const metadataAt = line.lastIndexOf(METADATA);
  const referenceAt = metadataAt < 0 ? -1 : line.lastIndexOf(REFERENCE, metadataAt);
  if (messagesAt < 0 || expectationsAt < 0 || metadataAt < 0 || referenceAt < expectationsAt) return undefined;
  let messages: unknown;
  let reference: unknown;
  try {
    messages = JSON.parse(line.toString('utf8', messagesAt + MESSAGES.length, expectationsAt));
    reference = JSON.parse(line.toString('utf8', referenceAt + REFERENCE.length, metadataAt));
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

/** An item's expectations from its eval.jsonl line (the key after them is the checks'); undefined for a line that does not read so. */
function expectationsOf(line: Buffer): Expectation[] | undefined {
  const at = line.indexOf(EXPECTATIONS);
  const end = at < 0 ? -1 : line.indexOf(CHECKS, at);
  if (end < 0) return undefined;
  try {
    const expectations: unknown = JSON.parse(line.toString('utf8', at + EXPECTATIONS.length, end));
    return Array.isArray(expectations) ? (expectations as Expectation[]) : undefined;
  } catch {
    return undefined;
  }
}

const MESSAGES = Buffer.from('","messages":');
const CHECKS = Buffer.from(',"checks":');
const EXPECTATIONS = Buffer.from(',"expectations":');
const METADATA = Buffer.from(',"metadata":');
const REFERENCE = Buffer.from(',"reference":');
const REJECTED = Buffer.from(',"rejected":[{"role":"assistant","content":');
const REJECTED_END = Buffer.from(`}]${PAIR_ITEM}`);

/** A preference pair's rejected answer (preference-jsonl.ts: prompt, chosen, rejected, metadata); undefined for a line that does not read so. */
function rejectedOf(line: Buffer): string | undefined {
  const at = line.lastIndexOf(REJECTED);
  const end = line.lastIndexOf(REJECTED_END);
  if (at < 0 || end < at) return undefined;
  try {
    const rejected: unknown = JSON.parse(line.toString('utf8', at + REJECTED.length, end));
    return typeof rejected === 'string' ? rejected : undefined;
  } catch {
    return undefined;
  }
}

/** Each line of a file (split at "\n") as the bytes [start, end) of a buffer; false when the file cannot be opened. */
async function eachLine(file: string, take: (bytes: Buffer, start: number, end: number) => void): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return false;
  try {
    await eachFileLine(handle, take, LINES);
  } finally {
    await handle.close();
  }
  return true;
}

/** The files whose lines `--changed` copies, when the folder's record vouches for them. */
const VOUCHED_FILES = ['eval.jsonl', 'preference.jsonl', 'chat.jsonl'] as const;
type VouchedFile = (typeof VOUCHED_FILES)[number];

/** The bytes of the vouched files, being read and hashed (undefined for a file that cannot be read). */
export type PrefetchedFiles = ReadonlyMap<VouchedFile, Promise<SharedFile | undefined>>;

/**
 * A file whose SHA-256 is `sha256`, read whole, each line indexed by the item `itemOf` finds in it (the first line of
 * an item wins); undefined when it cannot be read or its digest differs. The digest is computed off the thread
 * (io/shared-bytes.ts) while the lines are indexed here.
 */
async function readVouched(source: { readonly file: string; readonly bytes: Promise<SharedFile | undefined> | undefined }, sha256: string, itemOf: (bytes: Buffer, start: number, end: number) => string | undefined): Promise<IndexedFile | undefined> {
  const shared = await (source.bytes ?? readShared(source.file));
  if (!shared) return undefined;
  const bytes = shared.bytes;
  const lines = new Map<string, readonly [number, number]>();
  let start = 0;
  for (let end = bytes.indexOf(NEWLINE); end >= 0; start = end + 1, end = bytes.indexOf(NEWLINE, start)) {
    const iri = itemOf(bytes, start, end);
    if (iri !== undefined && !lines.has(iri)) lines.set(iri, [start, end + 1]);
  }
  return (await shared.sha256) === sha256 ? { bytes, lines } : undefined;
}

/**
 * The lines of some items in a file as one run of bytes, with how many: each
 * item's line where the one before it ends. With `every`, an item without a
 * line makes it undefined; without, such an item is passed over (a
 * preference pair only some items have).
 */
function runOf(file: IndexedFile, items: readonly { readonly iri: string }[], every: boolean): { bytes: Buffer; count: number } | undefined {
  const run = rangesRun(file.lines, items, every);
  return run && { bytes: file.bytes.subarray(run.start, run.end), count: run.count };
}

/**
 * The byte ranges [start, end) of some items, by IRI, as one range, with how
 * many: each item's range where the one before it ends (the empty range at 0
 * for none). With `every`, an item without a range makes it undefined;
 * without, such an item is passed over.
 */
function rangesRun(ranges: ReadonlyMap<string, readonly [number, number]>, items: readonly { readonly iri: string }[], every: boolean): { start: number; end: number; count: number } | undefined {
  let [start, end, count] = [0, 0, 0];
  for (const { iri } of items) {
    const at = ranges.get(iri);
    if (!at) {
      if (every) return undefined;
      continue;
    }
    if (count > 0 && at[0] !== end) return undefined;
    if (count === 0) start = at[0];
    end = at[1];
    count++;
  }
  return { start, end, count };
}

function lineOf(file: IndexedFile, iri: string): Buffer | undefined {
  const at = file.lines.get(iri);
  return at && file.bytes.subarray(at[0], at[1]);
}

const EVAL_HEAD = Buffer.from('{"id":"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The item an eval.jsonl line is of: its id, the record's first key (an IRI with an escape in it is left out). */
function evalItem(bytes: Buffer, start: number, end: number): string | undefined {
  if (end - start < EVAL_HEAD.length || bytes.compare(EVAL_HEAD, 0, EVAL_HEAD.length, start, start + EVAL_HEAD.length) !== 0) return undefined;
  return quoted(bytes, start + EVAL_HEAD.length, end);
}

/** The item a chat or preference line is of: its metadata, the record's last key, opens with it. */
function metadataItem(bytes: Buffer, start: number, end: number): string | undefined {
  const at = bytes.lastIndexOf(METADATA_ITEM, end);
  return at < start ? undefined : quoted(bytes, at + METADATA_ITEM.length, end);
}

function quoted(bytes: Buffer, from: number, end: number): string | undefined {
  const close = bytes.indexOf(QUOTE, from);
  if (close < 0 || close > end) return undefined;
  // Within the quotes only: a search of the rest of the file for each line would take time in its square.
  return bytes.subarray(from, close).includes(BACKSLASH) ? undefined : bytes.toString('utf8', from, close);
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
    if (start >= 0 && iri) tests.set(iri, [start, offset]);
    [start, iri, afterMetadata] = [-1, undefined, false];
  };
  const is = (bytes: Buffer, from: number, to: number, text: string) => to - from >= text.length && bytes.toString('latin1', from, from + text.length) === text;
  let last = 0;
  await eachFileLine(suite, (bytes, from, to, offset) => {
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
  }, LINES);
  end(last);
  return tests;
}
