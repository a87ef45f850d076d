/**
 * Compares versions of a policy in a task thread (src/task-thread.ts) with a
 * deadline: parsing two versions of a large policy, the diff, and the
 * conflict detection of /impact take seconds that the server's event loop
 * must not give. A comparison past its deadline takes the worker with it; the
 * next starts a new one.
 */

import { TaskThread } from '../task-thread.js';
import { CompareAbortedError, CompareTimeoutError } from '../errors.js';
import type { CompareAnswer, CompareTask } from './compare-task.js';

export class CompareThread extends TaskThread<CompareTask, CompareAnswer> {
  constructor(deadlineMs: number) {
    super({
      from: import.meta.url,
      module: './compare-worker.js',
      work: 'comparing versions',
      closing: () => new CompareAbortedError('the server is shutting down; the versions were not compared. Try again once it is back.'),
      deadline: {
        ms: deadlineMs,
        error: () => new CompareTimeoutError(`comparing the two versions took longer than ${deadlineMs / 1000} s and was stopped; ask the operator to raise the deadline (STUDIO_NAMED_DEADLINE_MS), or compare with studio diff / studio impact`),
      },
    });
  }
}
