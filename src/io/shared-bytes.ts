/**
 * SHA-256 off the calling thread, over shared memory. `studio generate
 * --changed` reads the earlier datasets (hundreds of megabytes) into shared
 * memory while it plans and takes them once their digest, computed by a worker
 * over that very memory, is the one the folder's record vouches for; the new
 * datasets' digests are computed the same way as they are written, most of
 * their bytes being runs of the earlier files. Hashing them on the main
 * thread was a tenth of the run. (WebCrypto's digest, the other way off the
 * thread, copies the bytes on the caller's thread first.)
 */

import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';

/** A file's bytes in shared memory, with their SHA-256 (hex) being computed off the thread. */
export interface SharedFile {
  readonly bytes: Buffer;
  readonly sha256: Promise<string>;
}

/** Reads a file whole into shared memory and begins hashing it; undefined when it cannot be read. */
export async function readShared(file: string): Promise<SharedFile | undefined> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const { size } = await handle.stat();
    const bytes = Buffer.from(new SharedArrayBuffer(size));
    let read = 0;
    while (read < size) {
      const { bytesRead } = await handle.read(bytes, read, size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    // A file that shrank while it was read is taken as far as it went; one that grew, as long as it was.
    const taken = read < size ? bytes.subarray(0, read) : bytes;
    const hash = new OffThreadHash();
    hash.update(taken);
    // Should the worker fail, the digest is computed here after all.
    return { bytes: taken, sha256: hash.digest().catch(() => createHash('sha256').update(taken).digest('hex')) };
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/** Bytes not in shared memory are gathered into shared pieces of this size before they go to the worker. */
const GATHER = 1 << 20;

/**
 * A SHA-256 of bytes given a piece at a time, computed by the hashing worker:
 * a piece in shared memory goes as it is (it must not change afterwards),
 * others are copied into shared memory, gathered, so that a line is not a
 * message. The digest rejects should the worker be lost meanwhile.
 */
export class OffThreadHash {
  private readonly id = HASHER.open();
  private gathered: Buffer | undefined;
  private used = 0;
  private result: Promise<string> | undefined;

  update(piece: Uint8Array): void {
    if (this.result) throw new Error('OffThreadHash: updated after its digest');
    if (piece.byteLength === 0) return;
    if (piece.buffer instanceof SharedArrayBuffer && piece.byteLength >= GATHER / 4) {
      this.flush();
      HASHER.update(this.id, piece);
      return;
    }
    if (this.gathered && this.used + piece.byteLength > this.gathered.length) this.flush();
    if (!this.gathered) [this.gathered, this.used] = [Buffer.from(new SharedArrayBuffer(Math.max(GATHER, piece.byteLength))), 0];
    this.gathered.set(piece, this.used);
    this.used += piece.byteLength;
  }

  /** The SHA-256 (hex) of every piece given, in order; once asked, the hash takes no more. */
  digest(): Promise<string> {
    if (!this.result) {
      this.flush();
      this.result = HASHER.digest(this.id);
    }
    return this.result;
  }

  private flush(): void {
    if (!this.gathered || this.used === 0) return;
    HASHER.update(this.id, this.gathered.subarray(0, this.used));
    this.gathered = undefined;
    this.used = 0;
  }
}

/** The worker's code: a hash for each id, updated with views of shared memory, digested when asked. */
const HASHER_CODE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', ({ op, id, buffer, offset, length }) => {
  try {
    if (op === 'update') {
      let hash = hashes.get(id);
      if (!hash) hashes.set(id, (hash = createHash('sha256')));
      hash.update(new Uint8Array(buffer, offset, length));
    } else {
      const hash = hashes.get(id) ?? createHash('sha256');
      hashes.delete(id);
      parentPort.postMessage({ id, digest: hash.digest('hex') });
    }
  } catch (error) {
    hashes.delete(id);
    parentPort.postMessage({ id, error: String(error) });
  }
});
`;

/** The hashing worker, started on first use; it keeps the process alive only while a digest is awaited. */
class Hasher {
  private worker: Worker | undefined;
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (digest: string) => void; reject: (error: Error) => void }>();
  /** Ids whose updates went to a worker lost since. */
  private readonly lost = new Set<number>();
  /** Ids with updates sent and no digest asked yet. */
  private readonly sending = new Set<number>();

  open(): number {
    return this.next++;
  }

  update(id: number, piece: Uint8Array): void {
    if (this.lost.has(id)) return;
    this.sending.add(id);
    this.started().postMessage({ op: 'update', id, buffer: piece.buffer, offset: piece.byteOffset, length: piece.byteLength });
  }

  digest(id: number): Promise<string> {
    this.sending.delete(id);
    if (this.lost.delete(id)) return Promise.reject(lostError());
    const worker = this.started();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ op: 'digest', id });
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(HASHER_CODE, { eval: true });
    worker.unref();
    worker.on('message', ({ id, digest, error }: { id: number; digest?: string; error?: string }) => {
      const waiting = this.waiting.get(id);
      this.waiting.delete(id);
      if (this.waiting.size === 0) worker.unref();
      if (digest !== undefined) waiting?.resolve(digest);
      else waiting?.reject(new Error(`hashing off the thread: ${error}`));
    });
    const lose = () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const id of this.sending) this.lost.add(id);
      this.sending.clear();
      for (const { reject } of this.waiting.values()) reject(lostError());
      this.waiting.clear();
    };
    worker.on('error', lose);
    worker.on('exit', lose);
    this.worker = worker;
    return worker;
  }
}

function lostError(): Error {
  return new Error('hashing off the thread: the hashing worker stopped');
}

const HASHER = new Hasher();
