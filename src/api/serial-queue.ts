/**
 * Runs tasks one at a time, in the order they arrive. The server makes one
 * and hands it to every route and job that writes to the store (policy
 * uploads and deletions, conflict recording, generation), so writes never
 * interleave.
 */

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  /** Tasks queued or running. */
  get pending(): number {
    return this.waiting;
  }

  /** Runs the task after every task queued before it; its result or error is the caller's. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.waiting += 1;
    const result = this.tail.then(task, task).finally(() => {
      this.waiting -= 1;
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}
