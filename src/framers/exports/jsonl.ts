/** Writes records as JSON Lines through a stream, so a million records never become one string. */

import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { StudioError } from '../../errors.js';
import { ByteRuns } from './byte-runs.js';
import { OffThreadHash } from '../../io/shared-bytes.js';

/** Writes one JSON object per line; resolves with the number written. */
export async function writeJsonl(file: string, records: Iterable<unknown>): Promise<number> {
  const out = createWriteStream(file);
  let count = 0;
  for (const record of records) {
    if (!out.write(JSON.stringify(record) + '\n')) await once(out, 'drain');
    count++;
  }
  out.end();
  await once(out, 'finish');
  return count;
}

/** The most bytes given to one write. */
const WRITE_PIECE = 1 << 20;

/** A JSON Lines file written a batch of records at a time; with `digest`, keeping the SHA-256 of what it wrote. */
export class JsonlWriter {
  private readonly out: WriteStream;
  private readonly hash: OffThreadHash | undefined;
  private count = 0;
  /** Copied lines not yet written: adjacent ones go as one piece. */
  private readonly copied = new ByteRuns();

  constructor(file: string, options: { readonly digest?: boolean } = {}) {
    this.out = createWriteStream(file);
    this.hash = options.digest ? new OffThreadHash() : undefined;
  }

  async write(records: Iterable<unknown>): Promise<void> {
    for (const record of records) await this.writeLine(JSON.stringify(record));
  }

  /** Writes one record already as JSON (without its newline). */
  async writeLine(json: string): Promise<void> {
    await this.flush(this.copied.take());
    // Encoded once, for the hash and the file alike.
    const line = this.hash ? Buffer.from(json + '\n') : json + '\n';
    if (typeof line !== 'string') this.hash?.update(line);
    if (!this.out.write(line)) await once(this.out, 'drain');
    this.count++;
  }

  /** Writes records as the bytes of their lines, each newline included (copied from an earlier file): one line unless `records` says how many. */
  async writeBytes(lines: Uint8Array, records = 1): Promise<void> {
    await this.flush(this.copied.add(lines));
    this.count += records;
  }

  private async flush(bytes: Uint8Array | undefined): Promise<void> {
    if (!bytes) return;
    this.hash?.update(bytes);
    // A run of copied lines can be a whole file (nothing changed): written in one call, the kernel took about 2 s of
    // system time to copy 326 MB into the page cache, where pieces of a megabyte take a tenth of it.
    for (let start = 0; start < bytes.byteLength; start += WRITE_PIECE) {
      if (!this.out.write(bytes.subarray(start, Math.min(bytes.byteLength, start + WRITE_PIECE)))) await once(this.out, 'drain');
    }
  }

  /** Ends the file; resolves with the number of records written. */
  async close(): Promise<number> {
    await this.flush(this.copied.take());
    this.out.end();
    await once(this.out, 'finish');
    return this.count;
  }

  /** SHA-256 (hex) of the file's bytes, once closed, computed off the thread (io/shared-bytes.ts); for a writer made with `digest`. */
  digest(): Promise<string> {
    if (!this.hash) throw new StudioError('JsonlWriter: made without digest');
    return this.hash.digest();
  }
}
