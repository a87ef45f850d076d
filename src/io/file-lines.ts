/**
 * The lines of a file, read in chunks so that memory holds one chunk however
 * long the file: each line's bytes (newline left out) and the offset it
 * starts at. A last line without its newline is left out by default, for an
 * append-only file where it is a write torn by a kill (the reading twin of
 * src/auditors/line-appender.ts: the results journal and the answer cache);
 * `unterminated: 'keep'` gives it too, for a file written whole (the datasets
 * an earlier run wrote). Two forms of the one reading: `fileLines`, a
 * generator of lines, and `eachFileLine`, which hands each line to a function
 * as a range of the chunk (no copy, no object per line: for files of millions
 * of lines).
 */

import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

export interface FileLine {
  readonly bytes: Buffer;
  /** Byte offset of the line's first byte in the file. */
  readonly offset: number;
}

export interface FileLinesOptions {
  /** A last line without its newline: left out ('drop', the default) or given ('keep'). */
  readonly unterminated?: 'drop' | 'keep';
  /** Bytes read at a time (default 64 KiB). */
  readonly chunkBytes?: number;
}

/** Takes a line: the bytes [start, end) of `bytes`, which start at `offset` in the file. */
export type LineTaker = (bytes: Buffer, start: number, end: number, offset: number) => void;

const NEWLINE = 0x0a;

/** The lines of a file, by its path or an open handle (read from its start, and left open). */
export async function* fileLines(file: string | FileHandle, options: FileLinesOptions = {}): AsyncGenerator<FileLine> {
  for await (const window of windows(file, options)) {
    const lines: FileLine[] = [];
    linesIn(window, (bytes, start, end, offset) => lines.push({ bytes: bytes.subarray(start, end), offset }));
    for (const line of lines) yield line;
  }
}

/** Each line of a file, by its path or an open handle (read from its start, and left open), handed to `take`. */
export async function eachFileLine(file: string | FileHandle, take: LineTaker, options: FileLinesOptions = {}): Promise<void> {
  for await (const window of windows(file, options)) linesIn(window, take);
}

/** Whole lines of the file a chunk at a time: bytes ending with a newline, but for a last line kept without one. */
async function* windows(file: string | FileHandle, options: FileLinesOptions): AsyncGenerator<FileLine> {
  const highWaterMark = options.chunkBytes ?? 1 << 16;
  const chunks = typeof file === 'string' ? createReadStream(file, { highWaterMark }) : file.createReadStream({ start: 0, autoClose: false, highWaterMark });
  let pending: Buffer = Buffer.alloc(0);
  /** File offset of pending's first byte. */
  let offset = 0;
  for await (const chunk of chunks as AsyncIterable<Buffer>) {
    // Only the line that straddles the chunks is copied; the chunk's other whole lines are given as they were read.
    let start = 0;
    if (pending.length > 0) {
      const end = chunk.indexOf(NEWLINE) + 1;
      if (end === 0) {
        pending = Buffer.concat([pending, chunk]);
        continue;
      }
      yield { bytes: Buffer.concat([pending, chunk.subarray(0, end)]), offset };
      offset += pending.length + end;
      start = end;
    }
    const cut = Math.max(chunk.lastIndexOf(NEWLINE) + 1, start);
    if (cut > start) yield { bytes: chunk.subarray(start, cut), offset };
    offset += cut - start;
    pending = chunk.subarray(cut);
  }
  if (options.unterminated === 'keep' && pending.length > 0) yield { bytes: pending, offset };
}

function linesIn({ bytes, offset }: FileLine, take: LineTaker): void {
  let start = 0;
  for (let end = bytes.indexOf(NEWLINE); end >= 0; end = bytes.indexOf(NEWLINE, start)) {
    take(bytes, start, end, offset + start);
    start = end + 1;
  }
  if (start < bytes.length) take(bytes, start, bytes.length, offset + start);
}
