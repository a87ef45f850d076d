/** The worker thread of compare-thread.ts: a task thread's worker running runCompareTask. */

import { serveTasks } from '../task-worker.js';
import { runCompareTask } from './compare-task.js';

serveTasks(runCompareTask);
