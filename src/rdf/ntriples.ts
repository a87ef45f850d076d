/**
 * N-Triples handed over as bytes (an upload checked in a worker thread,
 * src/validation/upload-check.ts), read in pieces of whole lines so that a
 * store takes them in with other requests served between pieces.
 */

import N3 from 'n3';
import type { Quad } from '@rdfjs/types';

/** Lines per piece: each piece holds the event loop for a few milliseconds (2,000 lines took up to 350 ms on a busy machine). */
export const PIECE_LINES = 500;
const NEWLINE = 10;

/** N-Triples bytes as text, in pieces of whole lines, each decoded when its turn comes. */
export function* ntriplesPieces(bytes: Uint8Array): Generator<string> {
  const decoder = new TextDecoder();
  let start = 0;
  while (start < bytes.length) {
    let end = start;
    for (let line = 0; line < PIECE_LINES && end < bytes.length; line++) {
      const newline = bytes.indexOf(NEWLINE, end);
      end = newline === -1 ? bytes.length : newline + 1;
    }
    yield decoder.decode(bytes.subarray(start, end));
    start = end;
  }
}

/** The quads of N-Triples bytes, parsed a piece at a time with a turn of the event loop between pieces; blank node labels are kept as written. */
export async function parseNTriplesPieces(bytes: Uint8Array): Promise<Quad[]> {
  const quads: Quad[] = [];
  for (const piece of ntriplesPieces(bytes)) {
    // An empty prefix keeps the labels, so that a blank node met in two pieces stays one node.
    for (const quad of new N3.Parser({ format: 'application/n-triples', blankNodePrefix: '' }).parse(piece)) quads.push(quad);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return quads;
}
