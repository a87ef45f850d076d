/**
 * Runs tasks of one kind in a worker thread, so that heavy work (checking an
 * upload, ingesting a document, comparing two versions of a policy) never
 * holds the server's event loop. The worker module serves the tasks with
 * serveTasks (src/task-worker.ts), one at a time. It starts on first use and
 * is kept (with whatever it prepared, a validator say) for the next task; an
 * idle worker does not keep the process alive. When the worker is lost,
 * every task it had fails. With a deadline, counted from when the worker
 * starts the task (not while it waits behind others), a task past it takes
 * the worker with it (a worker cannot be asked to stop one task): the tasks
 * still waiting go to a new worker.
 */

import type { Transferable, Worker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';
import { startModuleWorker } from './worker-module.js';

export interface TaskThreadOptions {
  /** The worker's module, a path relative to `from` written with .js (see startModuleWorker). */
  readonly from: string;
  readonly module: string;
  /** Options of the worker (resource limits, say). */
  readonly workerOptions?: WorkerOptions;
  /** What the work is called in errors: "checking the upload" gives "checking the upload failed: ...". */
  readonly work: string;
  /** The error of a task asked for, or still running, once the thread is closed. */
  readonly closing: () => Error;
  /** Milliseconds a task may run, and the error it then gets; without it a task runs to its end. */
  readonly deadline?: { readonly ms: number; readonly error: () => Error };
  /**
   * Tasks a worker serves before it is replaced: once it has answered this
   * many and has nothing else to do, it is stopped, and the next task starts
   * a new one. For a worker whose memory creeps up with each task (oxigraph's
   * WebAssembly memory never shrinks, and what its allocator frees is not all
   * reused), so that its memory stays bounded; none: a worker serves for as
   * long as it lives.
   */
  readonly recycleAfter?: number;
}

interface Pending<Task, Answer> {
  readonly task: Task;
  readonly transfer: readonly Transferable[];
  readonly resolve: (answer: Answer) => void;
  readonly reject: (error: Error) => void;
  /** Set when the worker starts the task: its deadline's clock. */
  timer?: NodeJS.Timeout;
  started?: boolean;
}

export class TaskThread<Task, Answer> {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending<Task, Answer>>();
  private nextId = 1;
  private closed = false;
  /** Tasks the current worker has answered. */
  private served = 0;
  /** Workers replaced after `recycleAfter` tasks so far. */
  recycled = 0;

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
      this.pending.set(id, { task, transfer, resolve, reject });
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
    const worker = startModuleWorker(this.options.from, this.options.module, this.options.workerOptions);
    worker.on('message', (message: { id: number; started?: boolean; answer?: Answer; ms?: number; error?: string }) => {
      if (message.started) {
        const pending = this.pending.get(message.id);
        const deadline = this.options.deadline;
        if (!pending || this.worker !== worker) return;
        pending.started = true;
        if (deadline) pending.timer = setTimeout(() => this.stop(worker, deadline.error(), message.id), deadline.ms);
        return;
      }
      const pending = this.settle(message.id);
      if (!pending) return;
      if (this.pending.size === 0) worker.unref();
      if (this.worker === worker && ++this.served >= (this.options.recycleAfter ?? Infinity) && this.pending.size === 0) this.retire(worker);
      // An answer that came with its start (the server's thread was busy meanwhile) may still have run past the deadline.
      const deadline = this.options.deadline;
      if (deadline && message.ms !== undefined && message.ms > deadline.ms) pending.reject(deadline.error());
      else if (message.error === undefined) pending.resolve(message.answer as Answer);
      else pending.reject(new Error(`${this.options.work} failed: ${message.error}`));
    });
    worker.on('error', (error) => this.stop(worker, error));
    worker.on('exit', (code) => this.stop(worker, new Error(`the thread for ${this.options.work} stopped (exit code ${code})`)));
    this.worker = worker;
    this.served = 0;
    return worker;
  }

  /** Lets an idle worker go after its `recycleAfter` tasks: the next task starts a new one (its exit fails nothing: it is no longer the thread's). */
  private retire(worker: Worker): void {
    this.worker = undefined;
    this.recycled++;
    void worker.terminate();
  }

  private settle(id: number): Pending<Task, Answer> | undefined {
    const pending = this.pending.get(id);
    if (pending) clearTimeout(pending.timer);
    this.pending.delete(id);
    return pending;
  }

  /**
   * Drops the worker. Lost or closed, every task it had fails with `error`.
   * Stopped for `first` (past its deadline), that task fails with `error`,
   * and those still waiting go to a new worker (but one whose buffers moved
   * to the old worker: it fails as lost).
   */
  private stop(worker: Worker, error: Error, first?: number): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const again: [number, Pending<Task, Answer>][] = [];
    for (const [id, pending] of [...this.pending]) {
      if (first !== undefined && id !== first && !pending.started && pending.transfer.length === 0 && !this.closed) {
        again.push([id, pending]);
        continue;
      }
      this.settle(id);
      pending.reject(first === undefined || id === first ? error : new Error(`the thread for ${this.options.work} was stopped while this task waited (another task ran past its deadline); try again`));
    }
    void worker.terminate();
    if (again.length === 0) return;
    const next = this.start();
    next.ref();
    for (const [id, pending] of again) next.postMessage({ id, task: pending.task });
  }
}
