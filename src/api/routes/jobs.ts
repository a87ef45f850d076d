/**
 * /v1/jobs: long work run in the background (see jobs/). POST starts a job
 * of a registered kind and answers 202 with it and its Location; GET lists
 * and reads jobs; /events streams one job's progress; /cancel cancels it.
 * Reading is for every role; starting and cancelling a job are for the roles
 * of its kind.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GraphStore } from '../../store/graph-store.js';
import { ANY_ROLE, type Role } from '../auth.js';
import { HttpProblem } from '../problem.js';
import { AUTH_PROBLEMS, BEARER_SECURITY, limitParam, offsetPage, offsetParam, pageOf, problems } from '../schemas.js';
import { JOB_STATES, FINISHED, jobIdParams, jobSchema, type JobState } from '../jobs/job.js';
import type { AnyJobKind } from '../jobs/job-kind.js';
import type { JobRunner } from '../jobs/job-runner.js';
import { jobEventStream } from '../jobs/job-events.js';

/** What the job routes need: the store (for a kind's check), the server's runner, and the heartbeat interval. */
export interface JobRoutesOptions {
  readonly store: GraphStore;
  readonly runner: JobRunner;
  /** Milliseconds between heartbeat comments on an event stream. */
  readonly heartbeatMs: number;
}

const tags = ['jobs'];

/** Registers the /jobs routes for the runner's kinds. */
export async function jobRoutes(app: FastifyInstance, options: JobRoutesOptions): Promise<void> {
  const { runner, store } = options;
  const kinds = runner.kindList();
  const names = kinds.map((k) => k.kind);
  const job = jobSchema(names, kinds.map((k) => k.result));
  // The route admits every role that may start some kind; the handler then checks the kind's own.
  const starters: readonly Role[] = [...new Set(kinds.flatMap((k) => k.roles))];
  const location = (id: string) => `/v1/jobs/${id}`;

  app.post<{ Body: { kind: string } & Record<string, unknown> }>(
    '/jobs',
    {
      config: { roles: starters },
      schema: {
        tags,
        summary: 'Start a job',
        description: `Queues a job and answers 202 with it; its Location is /v1/jobs/{id}. Kinds: ${kinds.map((k) => `${k.kind} (${k.roles.join(', ')}): ${k.description}`).join(' ')}`,
        security: BEARER_SECURITY,
        body: {
          type: 'object',
          description: 'the kind of job and its parameters',
          discriminator: { propertyName: 'kind' },
          properties: { kind: { type: 'string', enum: names, description: 'the kind of job' } },
          required: ['kind'],
          oneOf: kinds.map(bodySchema),
        },
        response: { 202: { description: 'Queued', ...job }, ...problems(...AUTH_PROBLEMS, 404, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const { kind: name, ...params } = request.body;
      const kind = runner.kind(name)!;
      mayHandle(request, kind, 'Starting');
      await kind.check?.(params, store);
      const started = runner.submit(kind, params, request.principal!.name);
      return reply.status(202).header('location', location(started.id)).send(started);
    },
  );

  app.get<{ Querystring: { kind?: string; state?: JobState; limit: number; offset: number } }>(
    '/jobs',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags,
        summary: 'List jobs, newest first',
        description: `The jobs the server keeps (at most ${runner.maxKept}; the oldest finished ones go first), filtered by kind and state.`,
        security: BEARER_SECURITY,
        querystring: {
          type: 'object',
          properties: { kind: { type: 'string', enum: names }, state: { type: 'string', enum: JOB_STATES }, limit: limitParam, offset: offsetParam },
          additionalProperties: false,
        },
        response: { 200: offsetPage(job), ...problems(...AUTH_PROBLEMS) },
      },
    },
    async (request) => {
      const { kind, state, limit, offset } = request.query;
      return pageOf(runner.list({ ...(kind ? { kind } : {}), ...(state ? { state } : {}) }), limit, offset);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/jobs/:id',
    {
      config: { roles: ANY_ROLE },
      schema: { tags, summary: 'One job', security: BEARER_SECURITY, params: jobIdParams, response: { 200: job, ...problems(...AUTH_PROBLEMS, 404) } },
    },
    async (request) => runner.get(request.params.id) ?? notFound(request.params.id),
  );

  app.get<{ Params: { id: string } }>(
    '/jobs/:id/events',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags,
        summary: "A job's progress as server-sent events",
        description:
          'text/event-stream. First a `state` event with the job as it is now; then `progress` events ({phase, done, total}) and a `state` event at each change of state. The stream ends after the state event of a finished job (at once if it had finished already). Comment lines are heartbeats.',
        security: BEARER_SECURITY,
        params: jobIdParams,
        response: {
          200: {
            description: 'The event stream',
            content: {
              'text/event-stream': {
                // Each event, as a client reads it off the stream: its name, and its data as JSON text.
                schema: {
                  type: 'object',
                  properties: {
                    event: { type: 'string', enum: ['state', 'progress'] },
                    data: { type: 'string', description: 'JSON: the job (state events) or {phase, done, total} (progress events)' },
                    id: { type: 'string' },
                    retry: { type: 'integer' },
                  },
                  required: ['data'],
                },
              },
            },
          },
          ...problems(...AUTH_PROBLEMS, 404),
        },
      },
    },
    async (request, reply) => {
      const events = jobEventStream(runner, request.params.id, options.heartbeatMs) ?? notFound(request.params.id);
      // The client going away ends the stream and its subscription.
      reply.raw.on('close', events.stop);
      return reply.header('content-type', 'text/event-stream; charset=utf-8').header('cache-control', 'no-cache').header('x-accel-buffering', 'no').send(events.stream);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/jobs/:id/cancel',
    {
      config: { roles: starters },
      schema: {
        tags,
        summary: 'Cancel a job',
        description:
          "A queued job is cancelled at once (200). A running one is asked to stop (202): it ends cancelled, leaving the store as it was, unless it had already begun its final write, in which case it ends succeeded; follow /events or GET the job. A finished job is a 409. Needs a role that may start the job's kind.",
        security: BEARER_SECURITY,
        params: jobIdParams,
        response: { 200: { description: 'Cancelled', ...job }, 202: { description: 'Asked to stop', ...job }, ...problems(...AUTH_PROBLEMS, 404, 409) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const current = runner.get(id) ?? notFound(id);
      mayHandle(request, runner.kind(current.kind)!, 'Cancelling');
      if (FINISHED.has(current.state)) {
        throw new HttpProblem(409, 'job-finished', 'The job has finished', `Job ${id} ended ${current.state} at ${current.finishedAt}; there is nothing to cancel.`);
      }
      const cancelled = runner.cancel(id)!;
      return reply.status(cancelled.state === 'cancelled' ? 200 : 202).send(cancelled);
    },
  );
}

/** The body schema of one kind: its tag and its parameters, nothing else. */
function bodySchema(kind: AnyJobKind): object {
  return {
    type: 'object',
    title: kind.kind,
    description: kind.description,
    properties: { kind: { type: 'string', enum: [kind.kind] }, ...kind.params },
    required: ['kind', ...kind.required],
    additionalProperties: false,
  };
}

/** A 403 unless the token has a role of the kind. */
function mayHandle(request: FastifyRequest, kind: AnyJobKind, verb: 'Starting' | 'Cancelling'): void {
  const roles = request.principal!.roles;
  if (!roles.some((role) => kind.roles.includes(role))) {
    throw new HttpProblem(403, 'forbidden', 'Forbidden', `${verb} a ${kind.kind} job needs one of the roles ${kind.roles.join(', ')}; this token has ${roles.join(', ')}.`);
  }
}

function notFound(id: string): never {
  throw new HttpProblem(404, 'not-found', 'No such job', `No job ${id} is kept; GET /v1/jobs lists those that are (finished jobs are forgotten, oldest first, once the server keeps too many).`);
}
