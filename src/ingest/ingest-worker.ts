/** The worker thread of one ingestion task (ingest-thread.ts): it runs the task in workerData and posts the answer. */

import { parentPort, workerData } from 'node:worker_threads';
import { runIngestTask, type IngestTask } from './ingest-task.js';

runIngestTask(workerData as IngestTask).then(
  (answer) => parentPort!.postMessage({ answer }),
  (error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) }),
);
