/**
 * What the job runner needs to know of a kind of job: who may start (and
 * cancel) it, the JSON schema of its parameters and of its result, an
 * optional check made before it is queued, and the work itself. Adding a
 * kind is one more of these handed to the server (ApiOptions.jobs.kinds).
 */

import type { GraphStore } from '../../store/graph-store.js';
import type { Role } from '../auth.js';
import type { JobProgress } from './job.js';

/** What a running job is given. */
export interface JobContext {
  /** Aborted when the job is cancelled (or the server closes): stop, and reject with its reason. */
  readonly signal: AbortSignal;
  /** Reports progress; the runner sends it to every listener of the job's events. */
  progress(progress: JobProgress): void;
  /**
   * The server's store. Its writes take their turn in the server's one write
   * queue, are refused once the job is cancelled, and a derived graph is
   * refused when its policy changed since the job read it (409). Make one
   * write, at the end, so that a job is all or nothing.
   */
  readonly store: GraphStore;
}

export interface JobKind<P extends object = Record<string, unknown>, R extends object = Record<string, unknown>> {
  /** The `kind` of the POST /v1/jobs body. */
  readonly kind: string;
  /** One line for the OpenAPI document. */
  readonly description: string;
  /** The roles that may start it and cancel it (name admin too). */
  readonly roles: readonly Role[];
  /** JSON schema properties of its parameters (beside `kind`), and which are required. */
  readonly params: Readonly<Record<string, object>>;
  readonly required: readonly string[];
  /** JSON schema of its result summary. */
  readonly result: object;
  /** Checked before the job is queued; throw an HttpProblem (say, 404 for an unknown policy) to refuse it. */
  check?(params: P, store: GraphStore): Promise<void>;
  /** The work: resolves with the result summary. */
  run(params: P, context: JobContext): Promise<R>;
}

/** A kind of any parameters, as the runner holds them. */
export type AnyJobKind = JobKind<any, any>;
