import { describe, expect, it } from 'vitest';
import N3 from 'n3';
import { PIECE_LINES, ntriplesPieces, parseNTriplesPieces } from '../../src/rdf/ntriples.js';

const EX = 'http://example.org/';

/** N-Triples of `lines` triples; the blank node _:shared is the object of the first triple and the subject of the last. */
function document(lines: number): string {
  const rows = [`<${EX}first> <${EX}p> _:shared .`];
  for (let i = 1; i < lines - 1; i++) rows.push(`<${EX}s${i}> <${EX}p> "${i}" .`);
  rows.push(`_:shared <${EX}p> "last" .`);
  return `${rows.join('\n')}\n`;
}

describe('ntriplesPieces', () => {
  it('cuts bytes into pieces of whole lines that join back to the text', () => {
    const text = document(PIECE_LINES * 2 + 7);
    const pieces = [...ntriplesPieces(new TextEncoder().encode(text))];
    expect(pieces).toHaveLength(3);
    expect(pieces.every((piece) => piece.endsWith('\n'))).toBe(true);
    expect(pieces.join('')).toBe(text);
  });

  it('keeps the last line when it has no newline', () => {
    expect([...ntriplesPieces(new TextEncoder().encode(`<${EX}a> <${EX}p> "x" .`))]).toEqual([`<${EX}a> <${EX}p> "x" .`]);
  });
});

describe('parseNTriplesPieces', () => {
  it('gives the quads n3 reads in one go, and a blank node met in two pieces stays one node', async () => {
    const text = document(PIECE_LINES + 10);
    const quads = await parseNTriplesPieces(new TextEncoder().encode(text));
    const whole = new N3.Parser({ format: 'application/n-triples' }).parse(text);
    expect(quads).toHaveLength(whole.length);
    const first = quads[0]!.object;
    const last = quads.at(-1)!.subject;
    expect(first.termType).toBe('BlankNode');
    expect(last.equals(first)).toBe(true);
    expect(quads.slice(1, -1).map((q) => q.object.value)).toEqual(whole.slice(1, -1).map((q) => q.object.value));
  });
});
