/**
 * Checks uploads off the event loop: decoding, parsing, limits and shape
 * validation of a large policy take seconds, during which a server doing them
 * in its own thread answers nothing, /health included. An UploadThread is a
 * task thread (src/task-thread.ts) running upload-worker.ts, which keeps its
 * validator for the next upload and hands back the outcome of checkUpload as
 * plain data.
 */

import { TaskThread } from '../task-thread.js';
import { VALIDATION_YOUNG_MB } from './validation-thread.js';
import type { TurtleSource } from '../rdf/turtle.js';
import type { UploadLimits, UploadOutcome } from './upload-check.js';
import { StudioError } from '../errors.js';

/** One upload to check: its name and base IRI, and the request body's bytes (UTF-8, decoded in the worker). */
export interface UploadTask {
  readonly source: Omit<TurtleSource, 'text'>;
  readonly bytes: Uint8Array;
  readonly limits: UploadLimits;
}

/**
 * Uploads a worker checks before a new one takes over. Revalidating new
 * versions of the same file (the worker keeps the last validation of a file
 * name) grew the worker's WebAssembly memory by 0.25 to 1 MB a version, up to
 * the whole of what it had reserved, 161 MB, which it never gives back: in
 * the 30-minute soak, about 1 MB a minute. A worker replaced after 50 stays
 * under about 60 MB (scripts/bench/upload-revalidation-memory.ts); a new
 * worker costs about 1.8 s of CPU from src (tsx), and the first upload after
 * it is validated whole.
 */
export const UPLOADS_PER_WORKER = 50;

export class UploadThread extends TaskThread<UploadTask, UploadOutcome> {
  /** `uploadsPerWorker`: see UPLOADS_PER_WORKER (Infinity: one worker for as long as it lives). */
  constructor(uploadsPerWorker = UPLOADS_PER_WORKER) {
    super({
      from: import.meta.url,
      module: './upload-worker.js',
      // The young generation validation does best with (validation-thread.ts).
      workerOptions: { resourceLimits: { maxYoungGenerationSizeMb: VALIDATION_YOUNG_MB } },
      work: 'checking the upload', closing: () => new StudioError('the server is closing; the upload was not stored'),
      recycleAfter: uploadsPerWorker });
  }

  /**
   * Checks one upload (see checkUpload); rejects only when the worker fails,
   * never for what is wrong with the upload. A body that owns its whole
   * buffer (any body over 4 KB: fastify copies the chunks into one) moves to
   * the worker and is no longer the caller's; a smaller one is copied. A
   * valid outcome brings the bytes back as its `turtle`.
   */
  check(source: Omit<TurtleSource, 'text'>, body: Uint8Array, limits: UploadLimits): Promise<UploadOutcome> {
    const owned = body.buffer instanceof ArrayBuffer && body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    const bytes = owned ? body : new Uint8Array(body);
    return this.run({ source: { file: source.file, baseIri: source.baseIri }, bytes, limits }, [bytes.buffer as ArrayBuffer]);
  }
}
