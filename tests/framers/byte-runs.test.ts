/**
 * Copied lines written as runs (src/framers/exports/byte-runs.ts): adjacent
 * pieces of one buffer join, anything else ends the run, and what is written
 * is exactly the pieces in order. The byte-for-byte equality of `generate
 * --changed`'s datasets with a full run's is checked in generate-changed.test.ts.
 */

import { describe, expect, it } from 'vitest';
import { ByteRuns } from '../../src/framers/exports/byte-runs.js';

/** Adds the pieces, and returns what a writer would write: each run given back, then the last. */
function written(pieces: readonly Uint8Array[]): { bytes: string; writes: number } {
  const runs = new ByteRuns();
  const out: Uint8Array[] = [];
  for (const piece of pieces) {
    const ended = runs.add(piece);
    if (ended) out.push(ended);
  }
  const last = runs.take();
  if (last) out.push(last);
  expect(runs.take()).toBeUndefined();
  return { bytes: Buffer.concat(out).toString('latin1'), writes: out.length };
}

describe('ByteRuns', () => {
  const file = Buffer.from('line a\nline b\nline c\nline d\n');
  const line = (n: number) => file.subarray(n * 7, n * 7 + 7);

  it('joins lines that follow each other in one buffer into one write', () => {
    expect(written([line(0), line(1), line(2), line(3)])).toEqual({ bytes: file.toString('latin1'), writes: 1 });
  });

  it('ends a run at a line that does not follow the one before, in order', () => {
    expect(written([line(0), line(2), line(3), line(1)])).toEqual({ bytes: 'line a\nline c\nline d\nline b\n', writes: 3 });
  });

  it('never joins pieces of different memory, even when their bytes would read on', () => {
    const other = Buffer.alloc(14, 'line a\nline b\n');
    expect(written([other.subarray(0, 7), line(1), other.subarray(7)])).toEqual({ bytes: 'line a\nline b\nline b\n', writes: 3 });
  });

  it('joins the same memory seen through a Uint8Array and a Buffer', () => {
    const view = new Uint8Array(file.buffer, file.byteOffset, 7);
    expect(written([view, line(1)])).toEqual({ bytes: 'line a\nline b\n', writes: 1 });
  });
});
