/** The worker thread of ingestion tasks (ingest-thread.ts): it runs each task it is sent and posts the answer under the task's id. */

import { parentPort } from 'node:worker_threads';
import { runIngestTask, type IngestTask } from './ingest-task.js';

parentPort!.on('message', ({ id, task }: { id: number; task: IngestTask }) => {
  runIngestTask(task).then(
    (answer) => parentPort!.postMessage({ id, answer }),
    (error: unknown) => parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) }),
  );
});
