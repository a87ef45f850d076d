/** The worker thread of ingestion tasks (ingest-thread.ts): a task thread's worker running runIngestTask. */

import { serveTasks } from '../task-worker.js';
import { runIngestTask } from './ingest-task.js';

serveTasks(runIngestTask);
