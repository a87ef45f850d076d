/** SHA-256 off the thread (src/io/shared-bytes.ts): a file read into shared memory with its digest, and pieces hashed in order by the worker as one hash of them all would. */

import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OffThreadHash, readShared } from '../../src/io/shared-bytes.js';
import { tempFolder } from '../helpers/temp-dir.js';

const sha256 = (...pieces: Uint8Array[]) => {
  const hash = createHash('sha256');
  for (const piece of pieces) hash.update(piece);
  return hash.digest('hex');
};

/** Bytes in shared memory, as readShared gives them. */
const shared = (bytes: Uint8Array) => {
  const out = Buffer.from(new SharedArrayBuffer(bytes.byteLength));
  out.set(bytes);
  return out;
};

const folder = tempFolder('shared-bytes-');

describe('SHA-256 off the thread', () => {
  it('reads a file into shared memory with the digest of its bytes; none for a file that is not there', async () => {
    const bytes = randomBytes(3 << 20);
    const file = path.join(folder(), 'three-megabytes');
    await writeFile(file, bytes);
    const read = (await readShared(file))!;
    expect(read.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(read.bytes.equals(bytes)).toBe(true);
    expect(await read.sha256).toBe(sha256(bytes));
    const empty = path.join(folder(), 'empty');
    await writeFile(empty, '');
    expect(await (await readShared(empty))!.sha256).toBe(sha256(Buffer.alloc(0)));
    expect(await readShared(path.join(folder(), 'missing'))).toBeUndefined();
  });

  it('hashes pieces in order whether they are in shared memory or not, small or large, as one hash of them all would', async () => {
    const large = shared(randomBytes(700_000));
    const pieces = [Buffer.from('a line\n'), large.subarray(0, 300_000), Buffer.from('é, and more\n'), randomBytes(2 << 20), large.subarray(300_000), shared(Buffer.from('small but shared\n')), Buffer.alloc(0)];
    // Many small pieces too: a line is not a message of its own, and a gathered piece is not overwritten by the next.
    const lines = Array.from({ length: 5000 }, (_, i) => Buffer.from(`{"line":${i}}\n`));
    const hash = new OffThreadHash();
    for (const piece of [...pieces, ...lines]) hash.update(piece);
    const twice = [hash.digest(), hash.digest()];
    expect(await twice[0]).toBe(sha256(...pieces, ...lines));
    expect(await twice[1]).toBe(await twice[0]);
    expect(() => hash.update(Buffer.from('late'))).toThrow(/after its digest/);
    // Hashes at once keep apart.
    const [a, b] = [new OffThreadHash(), new OffThreadHash()];
    a.update(large);
    b.update(Buffer.from('b'));
    a.update(Buffer.from('a'));
    expect(await Promise.all([a.digest(), b.digest(), new OffThreadHash().digest()])).toEqual([sha256(large, Buffer.from('a')), sha256(Buffer.from('b')), sha256()]);
  });
});
