/**
 * Runs tasks of one kind in a worker thread, so that heavy work (checking an
 * upload, ingesting a document, comparing two versions of a policy) never
 * holds the server's event loop. The worker module answers each message
 * `{id, task}` with `{id, answer}` or `{id, error}`. It starts on first use
 * and is kept (with whatever it prepared, a validator say) for the next task;
 * an idle worker does not keep the process alive. When the worker is lost,
 * every task it had fails. With a deadline, a task past it takes the worker
 * with it (a worker cannot be asked to stop one task), and any task it was
 * running at the same time: the next task starts a new one.
 */

import type { Transferable, Worker } from 'node:worker_threads';
import { startModuleWorker } from './worker-module.js';

export interface TaskThreadOptions {
  /** The worker's module, a path relative to `from` written with .js (see startModuleWorker). */
  readonly from: string;
  readonly module: string;
  /** What the work is called in errors: "checking the upload" gives "checking the upload failed: ...". */
  readonly work: string;
  /** The error of a task asked for, or still running, once the thread is closed. */
  readonly closing: () => Error;
  /** Milliseconds a task may run, and the error it then gets; without it a task runs to its end. */
  readonly deadline?: { readonly ms: number; readonly error: () => Error };
}

interface Pending<Answer> {
  readonly resolve: (answer: Answer) => void;
  readonly reject: (error: Error) => void;
  readonly timer?: NodeJS.Timeout;
}

export class TaskThread<Task, Answer> {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending<Answer>>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: TaskThreadOptions) {}

  /**
   * Runs one task; `transfer` lists buffers of the task that move to the
   * worker rather than being copied. Rejects when the task runs past the
   * deadline, fails in the worker, the worker is lost, or the thread is closed.
   */
  run(task: Task, transfer: readonly Transferable[] = []): Promise<Answer> {
    if (this.closed) return Promise.reject(this.options.closing());
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<Answer>((resolve, reject) => {
      const deadline = this.options.deadline;
      const timer = deadline ? setTimeout(() => this.stop(worker, deadline.error(), id), deadline.ms) : undefined;
      this.pending.set(id, { resolve, reject, ...(timer ? { timer } : {}) });
      worker.ref();
      worker.postMessage({ id, task }, [...transfer]);
    });
  }

  /** Stops the worker; tasks it had fail with the closing error, as do any asked later. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (worker) this.stop(worker, this.options.closing());
    await worker?.terminate();
  }

  private start(): Worker {
    const worker = startModuleWorker(this.options.from, this.options.module);
    worker.on('message', (message: { id: number; answer?: Answer; error?: string }) => {
      const pending = this.settle(message.id);
      if (!pending) return;
      if (this.pending.size === 0) worker.unref();
      if (message.error === undefined) pending.resolve(message.answer as Answer);
      else pending.reject(new Error(`${this.options.work} failed: ${message.error}`));
    });
    worker.on('error', (error) => this.stop(worker, error));
    worker.on('exit', (code) => this.stop(worker, new Error(`the thread for ${this.options.work} stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(id: number): Pending<Answer> | undefined {
    const pending = this.pending.get(id);
    if (pending) clearTimeout(pending.timer);
    this.pending.delete(id);
    return pending;
  }

  /** Drops the worker and fails every task it had: `first` (the one past its deadline) with `error`, the others as lost with it. */
  private stop(worker: Worker, error: Error, first?: number): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const id of [...this.pending.keys()]) {
      const pending = this.settle(id)!;
      pending.reject(first === undefined || id === first ? error : new Error(`the thread for ${this.options.work} was stopped while this task ran (another task ran past its deadline); try again`));
    }
    void worker.terminate();
  }
}
