/**
 * A job as the API shows it: its kind and parameters, its state, its
 * progress, who started it and when, and how it ended (the kind's result
 * summary, or a problem). The schema is the one every job route answers with.
 */

import type { Problem } from '../problem.js';

/** A job's states, in the order a job goes through them; it ends in one of the last three. */
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States a job never leaves. */
export const FINISHED: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled']);

/** How far a job is: `done` of `total` units of its current phase. */
export interface JobProgress {
  readonly phase: string;
  readonly done: number;
  readonly total: number;
}

/** A job as the API answers with it (a copy: changing it changes nothing). */
export interface JobView {
  readonly id: string;
  readonly kind: string;
  readonly state: JobState;
  readonly params: Readonly<Record<string, unknown>>;
  readonly progress: JobProgress;
  /** The name of the token that started it. */
  readonly startedBy: string;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** A cancel was asked for; a running job ends cancelled unless it was already past its last check. */
  readonly cancelRequested: boolean;
  readonly result: Readonly<Record<string, unknown>> | null;
  readonly problem: Problem | null;
}

/** Job ids: 128 random bits, base64url. */
export const JOB_ID_PATTERN = '^[A-Za-z0-9_-]{22}$';

/** The path parameters of /v1/jobs/{id} routes. */
export const jobIdParams = {
  type: 'object',
  properties: { id: { type: 'string', pattern: JOB_ID_PATTERN, description: 'the job id' } },
  required: ['id'],
  additionalProperties: false,
} as const;

/** The schema of JobProgress. */
export const progressSchema = {
  type: 'object',
  properties: {
    phase: { type: 'string', description: "what the job is doing: queued, then the kind's phases (generation: reading, generating, waiting-to-write, writing), then done" },
    done: { type: 'integer' },
    total: { type: 'integer' },
  },
  required: ['phase', 'done', 'total'],
} as const;

/** The schema of a job; `results` are the result schemas of the registered kinds. */
export function jobSchema(kinds: readonly string[], results: readonly object[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      id: { type: 'string', pattern: JOB_ID_PATTERN },
      kind: { type: 'string', enum: kinds },
      state: { type: 'string', enum: JOB_STATES },
      params: { type: 'object', additionalProperties: true, description: 'the parameters it was started with, defaults filled in' },
      progress: progressSchema,
      startedBy: { type: 'string', description: 'the name of the token that started it' },
      createdAt: { type: 'string', format: 'date-time' },
      startedAt: { type: ['string', 'null'], format: 'date-time' },
      finishedAt: { type: ['string', 'null'], format: 'date-time' },
      cancelRequested: { type: 'boolean' },
      result: { anyOf: [...results, { type: 'null' }], description: "the kind's summary once succeeded; null before and otherwise" },
      problem: { anyOf: [{ $ref: 'Problem#' }, { type: 'null' }], description: 'why it failed; null otherwise' },
    },
    required: ['id', 'kind', 'state', 'params', 'progress', 'startedBy', 'createdAt', 'startedAt', 'finishedAt', 'cancelRequested', 'result', 'problem'],
  };
}
