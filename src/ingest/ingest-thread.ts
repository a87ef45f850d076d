/**
 * Runs an ingestion task (ingest-task.ts) in a worker thread of its own, so a
 * 50-page PDF read by pdf.js, the outline and the shape validation never hold
 * the server's event loop. The worker ends with its task; past the deadline
 * it is terminated and the caller gets an IngestTimeoutError.
 */

import { startModuleWorker } from '../worker-module.js';
import { IngestAbortedError, IngestTimeoutError } from '../errors.js';
import type { IngestAnswer, IngestTask } from './ingest-task.js';

/** Runs one task in a new worker thread, stopped after `deadlineMs` or when `signal` aborts (the server closing). */
export function runInThread(task: IngestTask, deadlineMs: number, signal?: AbortSignal): Promise<IngestAnswer> {
  if (signal?.aborted) return Promise.reject(new IngestAbortedError('the server is shutting down; nothing was ingested. Try again once it is back.'));
  const worker = startModuleWorker(import.meta.url, './ingest-worker.js', { workerData: task });
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      void worker.terminate();
    };
    const timer = setTimeout(() => settle(() => reject(new IngestTimeoutError(`ingestion took longer than ${deadlineMs} ms and was stopped; split the document into parts`))), deadlineMs);
    signal?.addEventListener('abort', () => settle(() => reject(new IngestAbortedError('the server is shutting down; nothing was ingested. Try again once it is back.'))), { once: true });
    worker.on('message', (message: { answer?: IngestAnswer; error?: string }) =>
      settle(() => (message.answer ? resolve(message.answer) : reject(new Error(`ingestion failed: ${message.error}`)))));
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the ingestion thread stopped (exit code ${code})`))));
  });
}
