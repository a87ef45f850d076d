/** The worker thread of setup-thread.ts: a task thread's worker running runSetupTask. */

import { serveTasks } from '../task-worker.js';
import { runSetupTask } from './setup-task.js';

serveTasks(runSetupTask);
