/**
 * Runs ingestion tasks (ingest-task.ts) in a task thread (src/task-thread.ts)
 * with a deadline, so that a 50-page PDF read by pdf.js, the outline and the
 * shape validation never hold the server's event loop. The worker
 * (ingest-worker.ts) keeps its validator for the next task. A task past its
 * deadline takes the worker with it: the next task starts a new one.
 */

import { TaskThread } from '../task-thread.js';
import { IngestAbortedError, IngestTimeoutError } from '../errors.js';
import type { IngestAnswer, IngestTask } from './ingest-task.js';

export class IngestThread extends TaskThread<IngestTask, IngestAnswer> {
  constructor(deadlineMs: number) {
    super({
      from: import.meta.url,
      module: './ingest-worker.js',
      work: 'ingestion',
      closing: () => new IngestAbortedError('the server is shutting down; nothing was ingested. Try again once it is back.'),
      deadline: { ms: deadlineMs, error: () => new IngestTimeoutError(`ingestion took longer than ${deadlineMs} ms and was stopped; split the document into parts`) },
    });
  }

  /** Starts the worker and its validator ahead of the first task; a failure here is left to that task to meet. */
  warm(): void {
    this.run({ kind: 'warm' }).catch(() => undefined);
  }
}
