/**
 * Lines copied from an earlier file come mostly one after another in it: a
 * kept item's line follows the kept item's before it. Writing each as a call
 * of its own (and hashing it so) cost more than the bytes; a run of adjacent
 * pieces of one buffer is written, and hashed, as one piece instead.
 */

/** Pieces of buffers gathered into runs: a piece that starts where the run ends, in the same memory, extends it. */
export class ByteRuns {
  private run: Uint8Array | undefined;

  /** Adds a piece; returns the run it ends, if it cannot extend it (to be written before this piece). */
  add(piece: Uint8Array): Uint8Array | undefined {
    const run = this.run;
    if (run && run.buffer === piece.buffer && run.byteOffset + run.byteLength === piece.byteOffset) {
      this.run = new Uint8Array(run.buffer, run.byteOffset, run.byteLength + piece.byteLength);
      return undefined;
    }
    this.run = piece;
    return run;
  }

  /** The run gathered so far, if any, which is then done. */
  take(): Uint8Array | undefined {
    const run = this.run;
    this.run = undefined;
    return run;
  }
}
