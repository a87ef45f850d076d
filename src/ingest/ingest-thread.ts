/**
 * Runs ingestion tasks (ingest-task.ts) in a worker thread, so that a
 * 50-page PDF read by pdf.js, the outline and the shape validation never hold
 * the server's event loop. The worker starts on first use and is kept, with
 * its validator, for the next task. A task past its deadline takes the worker
 * with it (and any task it was running at the same time): the next task
 * starts a new one.
 */

import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../worker-module.js';
import { IngestAbortedError, IngestTimeoutError } from '../errors.js';
import type { IngestAnswer, IngestTask } from './ingest-task.js';

interface Pending {
  readonly resolve: (answer: IngestAnswer) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class IngestThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly deadlineMs: number) {}

  /** Runs one task; rejects when it runs past the deadline, the worker fails, or the thread is closed. */
  run(task: IngestTask): Promise<IngestAnswer> {
    if (this.closed) return Promise.reject(new IngestAbortedError('the server is shutting down; nothing was ingested. Try again once it is back.'));
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // The worker cannot be asked to stop one task: it goes, with whatever else it was doing.
        this.stop(worker, new IngestTimeoutError(`ingestion took longer than ${this.deadlineMs} ms and was stopped; split the document into parts`), id);
      }, this.deadlineMs);
      this.pending.set(id, { resolve, reject, timer });
      worker.ref();
      worker.postMessage({ id, task });
    });
  }

  /** Starts the worker and its validator ahead of the first task; a failure here is left to that task to meet. */
  warm(): void {
    this.run({ kind: 'warm' }).catch(() => undefined);
  }

  /** Stops the worker; running tasks fail. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (worker) this.stop(worker, new IngestAbortedError('the server is shutting down; nothing was ingested. Try again once it is back.'));
    await worker?.terminate();
  }

  private start(): Worker {
    const worker = startModuleWorker(import.meta.url, './ingest-worker.js');
    worker.on('message', (message: { id: number; answer?: IngestAnswer; error?: string }) => {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.settle(message.id);
      if (this.pending.size === 0) worker.unref();
      if (message.answer) pending.resolve(message.answer);
      else pending.reject(new Error(`ingestion failed: ${message.error}`));
    });
    worker.on('error', (error) => this.stop(worker, error));
    worker.on('exit', (code) => this.stop(worker, new Error(`the ingestion thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    if (pending) clearTimeout(pending.timer);
    this.pending.delete(id);
    return pending;
  }

  /** Drops the worker and fails every task it had: `first` (the one past its deadline) with `error`, the others as lost. */
  private stop(worker: Worker, error: Error, first?: number): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const id of [...this.pending.keys()]) {
      const pending = this.settle(id)!;
      pending.reject(first === undefined || id === first ? error : new Error('the ingestion thread was stopped while this task ran (another task ran past its deadline); try again'));
    }
    void worker.terminate();
  }
}
