/**
 * An audit run's results as they are made: one JSON line per scenario,
 * appended the moment it is complete (lines that complete during a write go
 * out together in the next, see line-appender.ts), in a file of the run's
 * own folder. A process killed at any moment (kill -9 included) leaves every
 * written result whole and at most one torn last line, which reopening cuts
 * off; the scenarios whose lines were not written run again. Each scenario
 * appears once: resuming skips those already written, and append refuses a
 * second one.
 *
 * Lines are chained: each carries `chain`, the SHA-256 of the previous line's
 * chain and its own content, so altering or removing a line breaks every
 * chain after it (verifyChain tells where).
 */

import { createHash } from 'node:crypto';
import { access, open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import { AuditRunError } from '../errors.js';
import { LineAppender } from './line-appender.js';
import { fileLines } from '../io/file-lines.js';

/** The chain value before the first line. */
export const CHAIN_START = '0'.repeat(64);

/** A journal line: the record and its link in the chain. */
export type Chained<T> = T & { readonly chain: string };

/** The chain value of a record written after `previous`. */
export function chainOf(previous: string, record: object): string {
  return chainOfJson(previous, JSON.stringify(record));
}

/** chainOf, for a record already written as JSON (given in pieces, hashed as one). */
function chainOfJson(previous: string, ...json: (string | Buffer)[]): string {
  const hash = createHash('sha256').update(previous).update('\n');
  for (const piece of json) hash.update(piece);
  return hash.digest('hex');
}

/** How every journal line ends: `,"chain":"<64 hex digits>"}`. */
const CHAIN_KEY = Buffer.from(',"chain":"');
const CHAIN_TAIL = CHAIN_KEY.length + 64 + 2;
const CLOSE = Buffer.from('}');

/** Bytes read at a time where a whole journal is read as bytes (fewer reads than fileLines' default). */
export const BULK_READ = 1 << 20;

/** A journal line's record as JSON without its closing brace (the line without its chain: a view, not a copy); undefined for a line that does not end with a chain. */
export function unchained(line: Buffer): Buffer | undefined {
  const body = line.length - CHAIN_TAIL;
  if (body < 2 || !line.subarray(body, body + CHAIN_KEY.length).equals(CHAIN_KEY) || line[line.length - 2] !== 0x22 || line[line.length - 1] !== 0x7d) return undefined;
  return line.subarray(0, body);
}

/**
 * A journal's records as their writer wrote them, without parsing: each
 * line's record as JSON without its closing brace (the line without its
 * chain; a view of the bytes read, not a copy), in order, each checked
 * against its chain on its bytes. A line whose chain holds on its bytes is,
 * byte for byte, the JSON its writer hashed, so it can be written again as
 * it is (Journal.appendJson). An AuditRunError names the first line that is
 * not a chained record or whose chain does not follow: a journal edited or
 * damaged since it was written. A torn last line is left out, as
 * journalRecords leaves it.
 */
export async function* writtenRecords(file: string): AsyncGenerator<{ readonly line: number; readonly open: Buffer }> {
  let previous = CHAIN_START;
  let line = 0;
  for await (const { bytes } of fileLines(file, { chunkBytes: BULK_READ })) {
    line++;
    const open = unchained(bytes);
    const chain = open && bytes.toString('latin1', open.length + CHAIN_KEY.length, bytes.length - 2);
    if (!open || chainOfJson(previous, open, CLOSE) !== chain) {
      throw new AuditRunError(`${file}:${line}: this line no longer follows the journal's hash chain: the journal was edited or the disk is damaged since it was written ('studio report verify' on a report of the run tells more)`);
    }
    previous = chain;
    yield { line, open };
  }
}

/** The journal line of a record: its JSON with the chain as the last key, as JSON.stringify({ ...record, chain }) writes it. */
function chainedLine(record: object, json: string, chain: string): string {
  if ('chain' in record || json === '{}') return JSON.stringify({ ...record, chain });
  return `${json.slice(0, -1)},"chain":${JSON.stringify(chain)}}`;
}

/**
 * Walks a journal's records in order: the chain value after each line, up
 * to the first line (1-based) that is not a record or whose chain does not
 * follow. The one check of the chain: runs, reports and verify all use it.
 */
export function walkChain(records: readonly (object | undefined)[]): { readonly brokenAt?: number; readonly heads: readonly string[] } {
  const heads: string[] = [];
  let previous = CHAIN_START;
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as Record<string, unknown> | undefined;
    if (!record || typeof record.chain !== 'string') return { brokenAt: i + 1, heads };
    const { chain, ...rest } = record;
    if (chainOf(previous, rest) !== chain) return { brokenAt: i + 1, heads };
    previous = chain;
    heads.push(chain);
  }
  return { heads };
}

/** Where a chain breaks: the first line (1-based) whose chain does not follow, or undefined when it holds; and the last chain value that held. */
export function verifyChain(records: readonly Chained<object>[]): { readonly brokenAt?: number; readonly head: string } {
  const { brokenAt, heads } = walkChain(records);
  const head = heads.at(-1) ?? CHAIN_START;
  return brokenAt === undefined ? { head } : { brokenAt, head };
}

/** The lines already in the journal, and where the whole ones end. */
export interface JournalContents<T> {
  readonly records: T[];
  /** Byte length of the whole lines; anything after it is a torn write. */
  readonly wholeBytes: number;
  readonly tornBytes: number;
}

/** Reads a journal, tolerating a torn last line (reported, not parsed); a bad line before the last is corruption. */
export async function readJournal<T>(file: string): Promise<JournalContents<T>> {
  let buffer: Buffer;
  try {
    buffer = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], wholeBytes: 0, tornBytes: 0 };
    throw error;
  }
  const records: T[] = [];
  let start = 0;
  let line = 0;
  while (start < buffer.length) {
    const end = buffer.indexOf(0x0a, start);
    if (end < 0) break;
    records.push(parseLine<T>(buffer.subarray(start, end), file, ++line));
    start = end + 1;
  }
  return { records, wholeBytes: start, tornBytes: buffer.length - start };
}

/**
 * A journal's records one at a time, read in chunks, so that memory holds
 * one chunk however long the run: what readJournal gives, without a torn
 * last line, and with the same error for a bad line before it.
 */
export async function* journalRecords<T>(file: string): AsyncGenerator<T> {
  try {
    await access(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  let line = 0;
  for await (const { bytes } of fileLines(file)) yield parseLine<T>(bytes, file, ++line);
}

function parseLine<T>(bytes: Buffer, file: string, line: number): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    throw new AuditRunError(`${file}:${line}: not a whole result; the journal was edited or the disk is damaged. Move the file aside to start the run over.`);
  }
}

/** An open journal: appends whole lines, in order. */
export class Journal<T extends object> {
  private readonly appender: LineAppender;

  private constructor(
    private readonly file: string,
    private readonly handle: FileHandle,
    private readonly keys: Set<string>,
    private readonly keyOf: (record: T) => string,
    private head: string,
  ) {
    this.appender = new LineAppender(handle);
  }

  /**
   * Opens (or creates) a journal, cutting off a torn last line; returns it
   * with the records already written.
   */
  static async open<T extends object>(file: string, keyOf: (record: T) => string): Promise<{ journal: Journal<T>; records: Chained<T>[]; repairedBytes: number }> {
    const contents = await readJournal<Chained<T>>(file);
    if (contents.tornBytes > 0) await truncate(file, contents.wholeBytes);
    const keys = new Set(contents.records.map(keyOf));
    const handle = await open(file, 'a');
    const head = contents.records.at(-1)?.chain ?? CHAIN_START;
    return { journal: new Journal(file, handle, keys, keyOf, head), records: contents.records, repairedBytes: contents.tornBytes };
  }

  /** True when a record with this key is written. */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  get size(): number {
    return this.keys.size;
  }

  /** Appends one record as one line; resolves once it is written. A record whose key is written already is refused. */
  append(record: T): Promise<void> {
    const key = this.keyOf(record);
    if (this.keys.has(key)) return Promise.reject(new AuditRunError(`${this.file}: a result for ${key} is written already`));
    this.keys.add(key);
    // Chained in the order appended, which is the order written: writes go one after another. The record is
    // written as JSON once, for its chain value and its line.
    const json = JSON.stringify(record);
    this.head = chainOfJson(this.head, json);
    return this.appender.append(Buffer.from(`${chainedLine(record, json, this.head)}\n`, 'utf8'));
  }

  /**
   * Appends a record given as its JSON, exactly as JSON.stringify writes it
   * (a record of writtenRecords, with keys perhaps added at its end), without
   * parsing it: what append writes for that record. A record whose key is
   * written already is refused.
   */
  appendJson(key: string, json: Buffer): Promise<void> {
    return this.appendJsons([{ key, json }]);
  }

  /** appendJson for many records in one write (a kill leaves whole lines and at most one torn, as ever); none is written when one is refused. */
  appendJsons(records: readonly { readonly key: string; readonly json: Buffer }[]): Promise<void> {
    const keys = new Set<string>();
    for (const { key, json } of records) {
      if (this.keys.has(key) || keys.has(key)) return Promise.reject(new AuditRunError(`${this.file}: a result for ${key} is written already`));
      if (json.length < 3 || json[0] !== 0x7b || json[json.length - 1] !== 0x7d) return Promise.reject(new AuditRunError(`${this.file}: the record for ${key} is not a JSON object with keys`));
      keys.add(key);
    }
    const lines: Buffer[] = [];
    for (const { key, json } of records) {
      this.keys.add(key);
      this.head = chainOfJson(this.head, json);
      lines.push(json.subarray(0, -1), Buffer.from(`,"chain":"${this.head}"}\n`, 'latin1'));
    }
    return this.appender.append(Buffer.concat(lines));
  }

  /** Waits for pending writes, flushes to disk and closes. */
  async close(): Promise<void> {
    await this.appender.settled();
    await this.handle.sync().catch(() => undefined);
    await this.handle.close();
  }
}
