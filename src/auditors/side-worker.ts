/** The worker thread of side-thread.ts: a task thread's worker running runSideTask. */

import { serveTasks } from '../task-worker.js';
import { runSideTask } from './side-task.js';

serveTasks(runSideTask);
