/** JsonlWriter (src/framers/exports/jsonl.ts): records rendered and lines copied from an earlier file, in order, with the file's SHA-256. */

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonlWriter } from '../../src/framers/exports/jsonl.js';
import { tempFolder } from '../helpers/temp-dir.js';

const folder = tempFolder('jsonl-writer-');

describe('JsonlWriter', () => {
  it('writes rendered records and copied runs of lines (one of several megabytes, adjacent ones gathered) in order, counting them, with the digest of its bytes', async () => {
    // An earlier file in shared memory, as the earlier datasets are read: 40,000 lines, about 3.5 MB.
    const lines = Array.from({ length: 40_000 }, (_, i) => `${JSON.stringify({ item: i, text: `line ${i} `.repeat(8) })}\n`);
    const earlier = Buffer.from(new SharedArrayBuffer(Buffer.byteLength(lines.join(''))));
    earlier.write(lines.join(''));
    const at = (line: number) => Buffer.byteLength(lines.slice(0, line).join(''));
    const file = path.join(folder(), 'out.jsonl');
    const writer = new JsonlWriter(file, { digest: true });
    await writer.write([{ first: true }]);
    // Lines 0 to 39,000 as one run, then the rest line by line (gathered again), then a record, then line 5 again.
    await writer.writeBytes(earlier.subarray(0, at(39_000)), 39_000);
    for (let i = 39_000; i < 40_000; i++) await writer.writeBytes(earlier.subarray(at(i), at(i + 1)));
    await writer.writeLine('{"last":true}');
    await writer.writeBytes(earlier.subarray(at(5), at(6)));
    expect(await writer.close()).toBe(1 + 40_000 + 1 + 1);
    const expected = Buffer.from(`{"first":true}\n${lines.join('')}{"last":true}\n${lines[5]}`);
    const written = await readFile(file);
    expect(written.length).toBe(expected.length);
    expect(written.equals(expected)).toBe(true);
    expect(await writer.digest()).toBe(createHash('sha256').update(expected).digest('hex'));
  });
});
