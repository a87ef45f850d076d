/**
 * Checks uploads off the event loop: parsing, limits and shape validation of
 * a large policy take seconds, during which a server doing them in its own
 * thread answers nothing, /health included. An UploadThread starts a worker
 * (upload-worker.ts) on first use, keeps it and its validator for the next
 * upload, and hands back the outcome of checkUpload as plain data.
 */

import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../worker-module.js';
import { VALIDATION_YOUNG_MB } from './validation-thread.js';
import type { TurtleSource } from '../rdf/turtle.js';
import type { UploadLimits, UploadOutcome } from './upload-check.js';
import { StudioError } from '../errors.js';

interface Pending {
  readonly resolve: (outcome: UploadOutcome) => void;
  readonly reject: (error: Error) => void;
}

/** The worker: upload-worker.ts, from src or dist. */
function startWorker(): Worker {
  // The young generation validation does best with (validation-thread.ts).
  return startModuleWorker(import.meta.url, './upload-worker.js', { resourceLimits: { maxYoungGenerationSizeMb: VALIDATION_YOUNG_MB } });
}

export class UploadThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  /** Checks one upload (see checkUpload); rejects only when the worker fails, never for what is wrong with the upload. */
  check(source: TurtleSource, limits: UploadLimits): Promise<UploadOutcome> {
    if (this.closed) return Promise.reject(new StudioError('the upload checker is closed'));
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, source: { file: source.file, text: source.text, baseIri: source.baseIri }, limits });
    });
  }

  /** Stops the worker; uploads being checked fail. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new StudioError('the server is closing; the upload was not stored'));
    await worker?.terminate();
  }

  private start(): Worker {
    const worker = startWorker();
    worker.on('message', (message: { id: number; outcome?: UploadOutcome; error?: string }) => {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if (this.pending.size === 0) worker.unref();
      if (message.outcome) pending.resolve(message.outcome);
      else pending.reject(new Error(`checking the upload failed: ${message.error}`));
    });
    const lost = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(error);
    };
    worker.on('error', (error) => lost(error));
    worker.on('exit', (code) => lost(new Error(`the upload checker stopped (exit code ${code})`)));
    // An idle checker does not keep the process alive (check() holds it while it works).
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
