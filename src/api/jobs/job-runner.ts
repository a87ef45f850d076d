/**
 * The in-process registry of long jobs: it queues them, runs at most
 * `maxRunning` at once, keeps at most `maxKept` (evicting the oldest finished
 * ones; when every kept job is still unfinished, a new one is refused with
 * 429), cancels them through their AbortSignal, and tells listeners of each
 * job's progress and state changes. Jobs live as long as the server does.
 */

import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { GraphStore } from '../../store/graph-store.js';
import { HttpProblem, problemOf, type Problem } from '../problem.js';
import type { SerialQueue } from '../serial-queue.js';
import { FINISHED, type JobProgress, type JobState, type JobView } from './job.js';
import type { AnyJobKind } from './job-kind.js';
import { JobStore } from './job-store.js';

/** What a listener of a job hears: its progress, and each change of its state (the last one when it finishes). */
export type JobEvent = { readonly type: 'progress'; readonly progress: JobProgress } | { readonly type: 'state'; readonly job: JobView };

export interface JobLimits {
  /** Jobs kept, finished or not (default 100). */
  readonly maxKept?: number;
  /** Jobs running at once; the others wait, queued (default 2). */
  readonly maxRunning?: number;
}

/** Defaults of JobLimits. */
export const DEFAULT_MAX_KEPT = 100;
export const DEFAULT_MAX_RUNNING = 2;

/** The reason a cancelled job's signal carries. */
export class JobCancelledError extends Error {
  constructor(id: string) {
    super(`job ${id} was cancelled`);
    this.name = 'JobCancelledError';
  }
}

interface Job {
  readonly id: string;
  readonly kind: AnyJobKind;
  readonly params: Record<string, unknown>;
  readonly startedBy: string;
  readonly createdAt: string;
  readonly controller: AbortController;
  readonly listeners: Set<(event: JobEvent) => void>;
  state: JobState;
  progress: JobProgress;
  startedAt: string | null;
  finishedAt: string | null;
  result: Record<string, unknown> | null;
  problem: Problem | null;
  /** Settles when the job's run does. */
  settled?: Promise<void>;
}

/** The server's jobs: one runner per server, made in buildServer. */
export class JobRunner {
  private readonly jobs = new Map<string, Job>();
  private readonly waiting: Job[] = [];
  private running = 0;
  private readonly kinds: ReadonlyMap<string, AnyJobKind>;
  readonly maxKept: number;
  readonly maxRunning: number;

  constructor(
    kinds: readonly AnyJobKind[],
    private readonly store: GraphStore,
    private readonly writes: SerialQueue,
    limits: JobLimits = {},
    private readonly log?: FastifyBaseLogger,
  ) {
    this.kinds = new Map(kinds.map((k) => [k.kind, k]));
    if (this.kinds.size !== kinds.length) throw new Error('two job kinds have the same name');
    this.maxKept = limits.maxKept ?? DEFAULT_MAX_KEPT;
    this.maxRunning = limits.maxRunning ?? DEFAULT_MAX_RUNNING;
    if (!(this.maxKept >= 1 && this.maxRunning >= 1)) throw new Error('maxKept and maxRunning must be at least 1');
  }

  /** The registered kinds, in the order given. */
  kindList(): AnyJobKind[] {
    return [...this.kinds.values()];
  }

  kind(name: string): AnyJobKind | undefined {
    return this.kinds.get(name);
  }

  /** Queues a job of a registered kind; its params were validated by the route's schema and the kind's check. */
  submit(kind: AnyJobKind, params: Record<string, unknown>, startedBy: string): JobView {
    if (this.jobs.size >= this.maxKept && !this.evictOldestFinished()) {
      throw new HttpProblem(429, 'too-many-jobs', 'Too many unfinished jobs', `${this.jobs.size} jobs are queued or running, the most this server keeps; wait for one to finish, or cancel one.`);
    }
    const job: Job = {
      id: randomBytes(16).toString('base64url'),
      kind,
      params,
      startedBy,
      createdAt: new Date().toISOString(),
      controller: new AbortController(),
      listeners: new Set(),
      state: 'queued',
      progress: { phase: 'queued', done: 0, total: 0 },
      startedAt: null,
      finishedAt: null,
      result: null,
      problem: null,
    };
    this.jobs.set(job.id, job);
    this.waiting.push(job);
    this.startWaiting();
    return view(job);
  }

  get(id: string): JobView | undefined {
    const job = this.jobs.get(id);
    return job && view(job);
  }

  /** The kept jobs, newest first. */
  list(filter: { kind?: string; state?: JobState } = {}): JobView[] {
    return [...this.jobs.values()]
      .filter((job) => (filter.kind === undefined || job.kind.kind === filter.kind) && (filter.state === undefined || job.state === filter.state))
      .reverse()
      .map(view);
  }

  /**
   * Cancels a job: a queued one at once; a running one by aborting its
   * signal, after which it ends cancelled (or succeeded, if it was past its
   * last check). Undefined for an unknown id; a finished job is left alone.
   */
  cancel(id: string): JobView | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    if (FINISHED.has(job.state)) return view(job);
    job.controller.abort(new JobCancelledError(id));
    if (job.state === 'queued') {
      this.waiting.splice(this.waiting.indexOf(job), 1);
      this.finish(job, 'cancelled');
    }
    return view(job);
  }

  /** The job as it is now and, in the same turn, a subscription to what happens next; undefined for an unknown id. */
  subscribe(id: string, listener: (event: JobEvent) => void): { job: JobView; unsubscribe: () => void } | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    if (!FINISHED.has(job.state)) job.listeners.add(listener);
    return { job: view(job), unsubscribe: () => job.listeners.delete(listener) };
  }

  /** Cancels every unfinished job and waits until each has settled (the server is closing). */
  async close(): Promise<void> {
    const unfinished = [...this.jobs.values()].filter((job) => !FINISHED.has(job.state));
    for (const job of unfinished) this.cancel(job.id);
    await Promise.all(unfinished.map((job) => job.settled));
  }

  private evictOldestFinished(): boolean {
    let oldest: Job | undefined;
    for (const job of this.jobs.values()) {
      if (FINISHED.has(job.state) && (!oldest || job.finishedAt! < oldest.finishedAt!)) oldest = job;
    }
    if (oldest) this.jobs.delete(oldest.id);
    return oldest !== undefined;
  }

  private startWaiting(): void {
    while (this.running < this.maxRunning && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.running += 1;
      job.settled = this.run(job).finally(() => {
        this.running -= 1;
        this.startWaiting();
      });
    }
  }

  private async run(job: Job): Promise<void> {
    job.state = 'running';
    job.startedAt = new Date().toISOString();
    this.emit(job, { type: 'state', job: view(job) });
    const signal = job.controller.signal;
    const progress = (p: JobProgress) => {
      job.progress = { phase: p.phase, done: p.done, total: p.total };
      this.emit(job, { type: 'progress', progress: job.progress });
    };
    const store = new JobStore(this.store, this.writes, signal, (phase) => progress({ phase, done: 0, total: 1 }));
    try {
      const result = await job.kind.run(job.params, { signal, progress, store });
      job.result = result as Record<string, unknown>;
      this.finish(job, 'succeeded');
    } catch (error) {
      if (signal.aborted) {
        this.finish(job, 'cancelled');
      } else {
        job.problem = problemOf(error, `/v1/jobs/${job.id}`);
        if (job.problem.status >= 500) this.log?.error({ err: error, job: job.id }, 'job failed');
        this.finish(job, 'failed');
      }
    }
  }

  private finish(job: Job, state: 'succeeded' | 'failed' | 'cancelled'): void {
    job.state = state;
    job.finishedAt = new Date().toISOString();
    if (state === 'succeeded') job.progress = { phase: 'done', done: job.progress.total, total: job.progress.total };
    this.emit(job, { type: 'state', job: view(job) });
    job.listeners.clear();
  }

  private emit(job: Job, event: JobEvent): void {
    for (const listener of job.listeners) listener(event);
  }
}

function view(job: Job): JobView {
  return {
    id: job.id,
    kind: job.kind.kind,
    state: job.state,
    params: job.params,
    progress: job.progress,
    startedBy: job.startedBy,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    cancelRequested: job.controller.signal.aborted,
    result: job.result,
    problem: job.problem,
  };
}
