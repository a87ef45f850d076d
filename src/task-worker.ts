/**
 * The worker side of a task thread (src/task-thread.ts): runs the tasks it
 * is sent one at a time, in order. When a task's turn comes it says so
 * (`{id, started}`: its deadline counts from then, not from when it was
 * queued), then posts `{id, answer, ms}` or `{id, error}`, `ms` being how
 * long the task ran here.
 */

import { parentPort, type Transferable } from 'node:worker_threads';

/** Serves tasks with `run`; `transferOf` names buffers of an answer that move to the server's thread rather than being copied. */
export function serveTasks<Task, Answer>(run: (task: Task) => Promise<Answer>, transferOf: (answer: Answer) => Transferable[] = () => []): void {
  let turn: Promise<void> = Promise.resolve();
  parentPort!.on('message', ({ id, task }: { id: number; task: Task }) => {
    turn = turn.then(async () => {
      parentPort!.postMessage({ id, started: true });
      const started = performance.now();
      try {
        const answer = await run(task);
        parentPort!.postMessage({ id, answer, ms: performance.now() - started }, transferOf(answer));
      } catch (error) {
        parentPort!.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    });
  });
}
