/**
 * Lines appended to an open file in as few writes as the disk allows: a line
 * appended while a write is under way goes out with the next write, together
 * with every other line that arrived meanwhile, in the order appended. At
 * concurrency 32 an audit finishes a scenario every few hundred
 * microseconds, and one write per line cost it more than a tenth of its
 * throughput (scripts/bench/audit.ts).
 *
 * A kill at any moment leaves the lines of finished writes whole and at most
 * one torn line at the end, as one write per line did; lines whose write had
 * not started are lost, and each append's promise says whether its line is
 * on disk.
 */

import type { FileHandle } from 'node:fs/promises';

export class LineAppender {
  /** Lines waiting for the next write; undefined when none is waiting. */
  private waiting: { lines: Buffer[]; written: Promise<void> } | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly handle: FileHandle) {}

  /** Appends one line (newline included); resolves once it is written. */
  append(line: Buffer): Promise<void> {
    if (this.waiting) {
      this.waiting.lines.push(line);
      return this.waiting.written;
    }
    const batch = { lines: [line] } as { lines: Buffer[]; written: Promise<void> };
    batch.written = this.tail.then(async () => {
      // From here on, new lines wait for the write after this one.
      if (this.waiting === batch) this.waiting = undefined;
      const bytes = batch.lines.length === 1 ? batch.lines[0]! : Buffer.concat(batch.lines);
      let offset = 0;
      while (offset < bytes.length) offset += (await this.handle.write(bytes, offset)).bytesWritten;
    });
    this.waiting = batch;
    this.tail = batch.written.catch(() => undefined);
    return batch.written;
  }

  /** Resolves once every line appended so far is written (or its write failed). */
  async settled(): Promise<void> {
    await this.tail;
  }
}
