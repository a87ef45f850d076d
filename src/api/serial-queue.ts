/** Runs tasks one at a time, in the order they arrive: the API's policy writes never interleave. */

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs the task after every task queued before it; its result or error is the caller's. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
