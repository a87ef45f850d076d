/** A task thread's worker for tests/task-thread.test.ts: a task holds the thread busy for `ms` milliseconds, then answers `answer` (the answer 'thread' is the worker's thread id). */

import { threadId } from 'node:worker_threads';
import { serveTasks } from '../../src/task-worker.js';

serveTasks(async ({ ms, answer }: { ms: number; answer: string }) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy, as a parse or a diff is: the worker cannot be asked to stop.
  }
  return answer === 'thread' ? String(threadId) : answer;
});
