/**
 * Files written whole or not at all: each goes to a temporary name beside its
 * final one, is flushed, and is renamed into place only when every file of
 * the set is complete. A run that fails or is killed leaves the old files.
 */

import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeDurably } from '../store/data-folder.js';

/** One JSON Lines file being written: records stream out, the digest is kept as they go. */
export class JsonlSink {
  count = 0;
  private readonly hash = createHash('sha256');
  private readonly out: WriteStream;
  readonly temp: string;

  constructor(readonly file: string) {
    this.temp = `${file}.tmp-${process.pid}`;
    this.out = createWriteStream(this.temp);
  }

  async write(record: unknown): Promise<void> {
    const line = JSON.stringify(record) + '\n';
    this.hash.update(line);
    this.count++;
    if (!this.out.write(line)) await once(this.out, 'drain');
  }

  /** Ends the stream and flushes it to disk; resolves with the file's SHA-256. */
  async finish(): Promise<string> {
    this.out.end();
    await once(this.out, 'finish');
    await fsync(this.temp);
    return this.hash.digest('hex');
  }

  async discard(): Promise<void> {
    this.out.destroy();
    await rm(this.temp, { force: true });
  }
}

/** Writes a small file whole or not at all, making its folder first. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeDurably(file, text);
}

/** Renames every finished sink into place. */
export async function commitSinks(sinks: readonly JsonlSink[]): Promise<void> {
  for (const sink of sinks) await rename(sink.temp, sink.file);
}

async function fsync(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
