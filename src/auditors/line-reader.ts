/**
 * The whole lines of an append-only file, read in chunks so that memory
 * holds one chunk however long the file: each line's bytes (newline left
 * out) and the offset it starts at. A last line without its newline, torn
 * by a kill in the middle of a write, is not yielded. The reading twin of
 * line-appender.ts, shared by the results journal and the answer cache.
 */

import { createReadStream } from 'node:fs';

export interface FileLine {
  readonly bytes: Buffer;
  /** Byte offset of the line's first byte in the file. */
  readonly offset: number;
}

export async function* wholeLines(file: string): AsyncGenerator<FileLine> {
  let pending: Buffer = Buffer.alloc(0);
  /** File offset of pending's first byte. */
  let offset = 0;
  for await (const chunk of createReadStream(file)) {
    pending = pending.length > 0 ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let end = pending.indexOf(0x0a); end >= 0; end = pending.indexOf(0x0a, start)) {
      yield { bytes: pending.subarray(start, end), offset: offset + start };
      start = end + 1;
    }
    offset += start;
    pending = pending.subarray(start);
  }
}
