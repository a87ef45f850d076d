/** The lines of a file (src/io/file-lines.ts): whole lines with their offsets, across chunks, a last line without its newline dropped or kept; the generator and the callback give the same. */

import { mkdtemp, open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eachFileLine, fileLines, type FileLinesOptions } from '../../src/io/file-lines.js';

async function fileOf(text: string): Promise<string> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'studio-lines-')), 'lines.txt');
  await writeFile(file, text);
  return file;
}

async function linesOf(file: Parameters<typeof fileLines>[0], options?: FileLinesOptions): Promise<[string, number][]> {
  const lines: [string, number][] = [];
  for await (const { bytes, offset } of fileLines(file, options)) lines.push([bytes.toString('utf8'), offset]);
  // The callback form gives the same lines.
  const taken: [string, number][] = [];
  await eachFileLine(file, (bytes, start, end, offset) => taken.push([bytes.toString('utf8', start, end), offset]), options);
  expect(taken).toEqual(lines);
  return lines;
}

const TEXT = 'first\n\nthird é line\n{"x":"€"}\ntorn';
const WHOLE: [string, number][] = [['first', 0], ['', 6], ['third é line', 7], ['{"x":"€"}', 21]];

describe('file lines', () => {
  it('gives each whole line without its newline and the offset it starts at, leaving out a last line without its newline', async () => {
    expect(await linesOf(await fileOf(TEXT))).toEqual(WHOLE);
    expect(await linesOf(await fileOf('a\nb\n'))).toEqual([['a', 0], ['b', 2]]);
    expect(await linesOf(await fileOf(''))).toEqual([]);
    expect(await linesOf(await fileOf('no newline'))).toEqual([]);
  });

  it("keeps the last line without its newline when told to ('keep')", async () => {
    expect(await linesOf(await fileOf(TEXT), { unterminated: 'keep' })).toEqual([...WHOLE, ['torn', 33]]);
    expect(await linesOf(await fileOf('a\nb\n'), { unterminated: 'keep' })).toEqual([['a', 0], ['b', 2]]);
  });

  it('gives the same lines whatever the chunk size, lines and characters cut between chunks included', async () => {
    const file = await fileOf(TEXT);
    for (const chunkBytes of [1, 2, 3, 5, 7, 64]) {
      expect(await linesOf(file, { chunkBytes }), `chunks of ${chunkBytes}`).toEqual(WHOLE);
      expect(await linesOf(file, { chunkBytes, unterminated: 'keep' }), `chunks of ${chunkBytes}`).toEqual([...WHOLE, ['torn', 33]]);
    }
  });

  it('reads an open handle from its start, whatever its position, and leaves it open', async () => {
    const handle = await open(await fileOf(TEXT), 'r');
    try {
      await handle.read(Buffer.alloc(4), 0, 4, null);
      expect(await linesOf(handle, { chunkBytes: 4 })).toEqual(WHOLE);
      expect(await linesOf(handle, { unterminated: 'keep' })).toEqual([...WHOLE, ['torn', 33]]);
    } finally {
      await handle.close();
    }
  });

  it('fails on a file that is not there', async () => {
    const missing = path.join(tmpdir(), 'studio-lines-missing', 'none.txt');
    await expect(linesOf(missing)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(eachFileLine(missing, () => undefined)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
