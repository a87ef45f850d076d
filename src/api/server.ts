/**
 * The studio's HTTP API: a fastify server over one graph store. Public:
 * /health, /openapi.json and the docs page (/docs). Everything under /v1 needs
 * a bearer token whose roles the route permits (see auth.ts).
 */

import fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import { Ajv, type ValidateFunction } from 'ajv';
import swaggerUi from '@fastify/swagger-ui';
import type { GraphStore } from '../store/graph-store.js';
import type { LlmConfig } from '../llm/llm-config.js';
import { DEFAULT_UPLOAD_LIMITS, type UploadLimits } from '../validation/upload-check.js';
import { UploadThread } from '../validation/upload-thread.js';
import { authenticate, type TokenTable } from './auth.js';
import type { Duplex } from 'node:stream';
import { HttpProblem, PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, problemErrorHandler, sendProblem, toProblem } from './problem.js';
import { problemSchema, problems } from './schemas.js';
import { policyRoutes } from './routes/policies.js';
import { versionRoutes } from './routes/versions.js';
import { ruleRoutes } from './routes/rules.js';
import { graphRoutes } from './routes/graph.js';
import { queryRoutes } from './routes/queries.js';
import { adhocQueryRoutes } from './routes/adhoc-query.js';
import { conflictRoutes } from './routes/conflicts.js';
import { coverageRoutes } from './routes/coverage.js';
import { auditRoutes } from './routes/audits.js';
import { reportRoutes } from './routes/reports.js';
import { resolveConfig } from '../config.js';
import type { Principle } from '../conflicts/precedence.js';
import { CachingStore, type CacheLimits } from './answer-cache.js';
import { SerialQueue } from './serial-queue.js';
import { DeadlineStore, type QueryDeadlines } from './deadlines.js';
import { jobRoutes } from './routes/jobs.js';
import { ingestRoutes } from './routes/ingest.js';
import { sessionRoutes } from './routes/session.js';
import { playgroundRoutes, type PlaygroundOptions } from './routes/playground.js';
import { JobRunner, type JobLimits } from './jobs/job-runner.js';
import type { AnyJobKind } from './jobs/job-kind.js';
import { generationJob } from './jobs/generation-job.js';
import { auditJob, type AuditJobOptions } from './jobs/audit-job.js';
import { DEFAULT_HEARTBEAT_MS } from './jobs/job-events.js';
import { studioWeb } from './studio-web.js';

export interface ApiOptions {
  readonly store: GraphStore;
  readonly tokens: TokenTable;
  /** Largest Turtle upload, in bytes (default 10 MB). */
  readonly turtleBodyLimit?: number;
  /** Largest JSON body, in bytes (default 1 MB). */
  readonly jsonBodyLimit?: number;
  /** Most triples, longest literal and deepest nesting an upload may have (defaults: DEFAULT_UPLOAD_LIMITS). */
  readonly uploadLimits?: UploadLimits;
  readonly logger?: FastifyServerOptions['logger'];
  /** Remember named-query answers until the next write (embedded store only; default true, within the default limits). */
  readonly cache?: boolean | CacheLimits;
  /** The order of precedence principles for conflict routes when a request names none (default: the configured order, see config.ts). */
  readonly precedence?: readonly Principle[];
  /** The queue every write through the server takes its turn in; reused when given (tests hold it to pause writes). */
  readonly writes?: SerialQueue;
  readonly jobs?: JobOptions;
  /** Where audit jobs find the model under audit and keep their runs; without it audit jobs are refused with 409. */
  readonly audit?: AuditJobOptions;
  /** The models the playground asks side by side (the model under audit and the baseline); without them asking is refused with 409. */
  readonly playground?: PlaygroundOptions;
  /** How long queries may run (defaults: 10 s ad hoc, 30 s named and inside routes). */
  readonly deadlines?: QueryDeadlines;
  /** Replaced versions kept per policy when an upload changes it (default: the configured number, see config.ts). */
  readonly keepVersions?: number;
  /** Start the ingestion thread when the server is ready rather than at the first POST /v1/ingest (`studio serve` does). */
  readonly warmIngest?: boolean;
  /** Compile every route's body check once the server is ready, in the background (`studio serve`), rather than on each route's first request. */
  readonly warmBodyChecks?: boolean;
  /** The studio's helper model (`llm` of the configuration): POST /v1/ingest?llm=true asks it. */
  readonly llm?: LlmConfig;
}

/** How the server runs jobs (/v1/jobs). */
export interface JobOptions extends JobLimits {
  /** Kinds beside generation, e.g. audits: each is one JobKind. */
  readonly kinds?: readonly AnyJobKind[];
  /** The template folder generation jobs use (default: the package's templates/). */
  readonly templates?: string;
  /** Milliseconds between heartbeats on a job's event stream (default 15 s). */
  readonly heartbeatMs?: number;
}

/** Longest path segment the router takes, encoded (longer: 414). */
const MAX_PATH_SEGMENT = 24 * 1024;
/** Largest request head (request line and headers) Node takes (larger: 431). */
const MAX_HEADER_BYTES = 128 * 1024;
export const DEFAULT_TURTLE_BODY_LIMIT = 10 * 1024 * 1024;
export const DEFAULT_JSON_BODY_LIMIT = 1024 * 1024;
const VERSION = '0.1.0';

/** The problem for an error the router raises before any route runs. */
function routerProblem(error: { code?: string; statusCode?: number }): unknown {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return new HttpProblem(414, 'uri-too-long', 'A path segment is too long', `A path segment is longer than ${MAX_PATH_SEGMENT} characters, URL-encoded; an IRI may have at most 2048 characters.`);
  }
  if (error.code === 'FST_ERR_BAD_URL') return new HttpProblem(400, 'invalid-request', 'Malformed URL', 'The path is not valid percent-encoding.');
  return error;
}

/** A route path as a regular expression over request paths: each :param is one path segment, a * the rest. */
function routePattern(url: string): RegExp {
  const escaped = url
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

/** Answers an error of Node's HTTP parser as a problem, then closes the connection. */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const problem = tooLarge
    ? { type: `${PROBLEM_TYPE_BASE}header-too-large`, title: 'Request header fields too large', status: 431, detail: `The request line and headers are larger than the server takes (${MAX_HEADER_BYTES / 1024} KB in all); send fewer or shorter headers, or a shorter URL.`, instance: '' }
    : { type: `${PROBLEM_TYPE_BASE}invalid-request`, title: 'Malformed HTTP request', status: 400, detail: 'The request is not valid HTTP/1.1.', instance: '' };
  const body = JSON.stringify(problem);
  socket.end(
    `HTTP/1.1 ${problem.status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Checks a JSON body against its route's schema as sent, before the route's
 * own validation. That one coerces (query-string text must become integers
 * and booleans), and with it a body's null, false or 42 would pass for a
 * string. Formats and defaults are left to the route's validation.
 */
const exactBodies = new Ajv({ coerceTypes: false, useDefaults: false, allowUnionTypes: true, discriminator: true, validateFormats: false, strict: false, allErrors: false });
const exactValidators = new WeakMap<object, ValidateFunction>();
function exactValidator(schema: object): ValidateFunction {
  let validate = exactValidators.get(schema);
  if (!validate) exactValidators.set(schema, (validate = exactBodies.compile(schema)));
  return validate;
}

/**
 * Compiles the body checks of the routes given, one per turn of the event
 * loop, once the server is ready: compiled on a route's first request
 * instead, the job route's (its body is one of several job kinds) held the
 * server's thread for 0.2–0.8 s. A request that comes first compiles its own.
 */
function compileBodyChecks(schemas: object[]): void {
  const next = () => {
    const schema = schemas.shift();
    if (!schema) return;
    exactValidator(schema);
    setImmediate(next);
  };
  setImmediate(next);
}

async function checkBodyAsSent(request: FastifyRequest): Promise<void> {
  const schema = request.routeOptions.schema?.body as object | undefined;
  if (!schema || request.body === undefined || typeof request.body === 'string') return;
  const validate = exactValidator(schema);
  if (validate(request.body)) return;
  const error = validate.errors?.[0];
  const where = `body${error?.instancePath ?? ''}`;
  throw new HttpProblem(400, 'invalid-request', 'The request does not match the schema', `${where} ${error?.message ?? 'does not match the schema'}`, {
    errors: (validate.errors ?? []).map((e) => ({ in: 'body', path: e.instancePath, message: e.message })),
  });
}

/** How long a job's query may run: a day, so in effect no deadline (a job is cancelled as a whole). */
const JOB_QUERY_MS = 24 * 60 * 60 * 1000;

/** Builds the server, ready to listen; the caller owns the store and closes it. */
export async function buildServer(options: ApiOptions): Promise<FastifyInstance> {
  const cache = options.cache ?? true;
  const cached = options.store.engine === 'embedded' && cache !== false ? new CachingStore(options.store, cache === true ? {} : cache) : options.store;
  // Outermost, so that every read of every route (cached or not) has its deadline.
  const store = new DeadlineStore(cached, options.deadlines);
  // Uploads are parsed and validated in a worker thread, started on the first upload.
  const uploads = new UploadThread();
  // Every write to the store through this server takes its turn here.
  const writes = options.writes ?? new SerialQueue();
  const jobs = options.jobs ?? {};
  const app = fastify({
    logger: options.logger ?? false,
    bodyLimit: options.jsonBodyLimit ?? DEFAULT_JSON_BODY_LIMIT,
    // Unknown query-string and body properties are refused, not silently dropped;
    // scalars are read from query-string text, but an array is never taken for a string.
    // discriminator: a job's body is one of its kinds' schemas, chosen by its kind.
    ajv: { customOptions: { removeAdditional: false, allowUnionTypes: true, coerceTypes: true, discriminator: true } },
    // A path segment may hold an IRI of 2048 characters once decoded, which encoded is up to 9 times as long:
    // the router takes that much, and the schemas refuse (400) what is longer once decoded.
    routerOptions: { maxParamLength: MAX_PATH_SEGMENT },
    // Room for a URL whose query holds a few such IRIs; beyond it Node answers 431.
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    // Errors Node's HTTP parser finds before fastify sees a request (headers too large, malformed requests) are problems too.
    clientErrorHandler: answerClientError,
    // The router's own refusals (a path segment over maxParamLength, bad percent-encoding)
    // come before any route or error handler: without this they are plain JSON, not problems.
    frameworkErrors: (error, request, reply) => sendProblem(reply, toProblem(routerProblem(error), request)),
  });
  const kinds = [generationJob(jobs.templates ? { templates: jobs.templates } : {}), auditJob(options.audit ?? {}), ...(jobs.kinds ?? [])];
  // Jobs are not requests: their queries have no route's deadline (a job has its own cancel), but they
  // too run in the store's query threads, where a large policy's queries do not hold up the server.
  const jobStore = new DeadlineStore(cached, { adhocMs: JOB_QUERY_MS, namedMs: JOB_QUERY_MS, queueMs: JOB_QUERY_MS });
  const runner = new JobRunner(kinds, jobStore, writes, jobs, app.log);
  // Before the server stops taking requests: unfinished jobs are cancelled, their event streams end, and no job outlives the store.
  app.addHook('preClose', async () => {
    // Queries still running are abandoned (their requests answer 503), so that closing waits for none of them.
    store.abandonQueries();
    jobStore.abandonQueries();
    await runner.close();
    await uploads.close();
  });
  // The methods each route path answers, to tell a wrong method (405, with Allow) from a path that does not exist (404).
  const routes: { pattern: RegExp; methods: Set<string> }[] = [];
  app.addHook('onRoute', (route) => {
    if (route.config?.fallback) return;
    const pattern = routePattern(route.url ?? route.path);
    let entry = routes.find((r) => r.pattern.source === pattern.source);
    if (!entry) routes.push((entry = { pattern, methods: new Set() }));
    for (const method of [route.method].flat()) entry.methods.add(method);
  });
  const notFound = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => [...r.methods]))].sort();
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(reply, toProblem(new HttpProblem(405, 'method-not-allowed', 'Method not allowed', `${path} answers ${allowed.join(', ')}, not ${request.method}.`), request));
    }
    return sendProblem(reply, toProblem(new HttpProblem(404, 'not-found', 'Not found', `No route ${request.method} ${path}; GET /openapi.json lists the routes.`), request));
  };
  app.setNotFoundHandler(notFound);
  // A request that matches no route can still fail before the not-found handler (a method with a body and no
  // Content-Type, such as QUERY): it is answered as one that matches no route, 405 or 404.
  app.setErrorHandler((error, request, reply) => (request.is404 ? notFound(request, reply) : problemErrorHandler(error, request, reply)));
  app.addSchema(problemSchema);
  // What any route under /v1 may answer besides its own statuses: a query past its deadline (504),
  // a server shutting down or a store out of reach (503), a defect (500).
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1') || !route.schema || route.schema.hide) return;
    route.schema = { ...route.schema, response: { ...problems(414, 431, 500, 503, 504), ...(route.schema.response as Record<string, unknown> | undefined) } };
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Alignment Studio API',
        version: VERSION,
        description: 'Policies, rules, conflicts, coverage, named queries and jobs (data generation) over the policy graph. Errors are RFC 9457 problem details. Send "Authorization: Bearer <token>" on /v1 routes.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
    // Shared schemas keep their $id as their name in components.schemas.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get(
    '/health',
    {
      schema: {
        tags: ['service'],
        summary: 'Liveness and store reachability (public)',
        response: {
          200: {
            type: 'object',
            properties: { status: { type: 'string', enum: ['ok'] }, store: { type: 'string' }, policies: { type: 'integer' } },
            required: ['status', 'store', 'policies'],
          },
          ...problems(503),
        },
      },
    },
    async () => ({ status: 'ok', store: store.engine, policies: (await store.listPolicies()).length }),
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(studioWeb);

  const bodySchemas: object[] = [];
  if (options.warmBodyChecks) app.addHook('onReady', async () => compileBodyChecks(bodySchemas));
  await app.register(
    async (api) => {
      api.addHook('onRequest', authenticate(options.tokens));
      api.addHook('preValidation', checkBodyAsSent);
      api.addHook('onRoute', (route) => {
        const body = route.schema?.body;
        if (body && typeof body === 'object') bodySchemas.push(body);
      });
      // JSON only under /v1, except the policy upload, which takes Turtle, and ingestion, which takes documents.
      api.removeContentTypeParser('text/plain');
      await api.register(policyRoutes, {
        store,
        uploads,
        limits: options.uploadLimits ?? DEFAULT_UPLOAD_LIMITS,
        writes,
        turtleBodyLimit: options.turtleBodyLimit ?? DEFAULT_TURTLE_BODY_LIMIT,
        keepVersions: options.keepVersions ?? resolveConfig().versions.keep,
      });
      await api.register(versionRoutes, { store, precedence: options.precedence ?? resolveConfig().precedence, deadlineMs: store.namedMs });
      await api.register(ruleRoutes, { store });
      await api.register(graphRoutes, { store });
      await api.register(queryRoutes, { store });
      await api.register(adhocQueryRoutes, { store });
      await api.register(conflictRoutes, { store, writes, precedence: options.precedence ?? resolveConfig().precedence });
      await api.register(coverageRoutes, { store });
      await api.register(auditRoutes, { store, writes, ...(options.audit?.dataDir ? { dataDir: options.audit.dataDir } : {}) });
      await api.register(reportRoutes, { store, ...(options.audit?.dataDir ? { dataDir: options.audit.dataDir } : {}) });
      await api.register(playgroundRoutes, { store, writes, ...(options.playground ?? {}) });
      await api.register(sessionRoutes);
      await api.register(ingestRoutes, { store, warm: options.warmIngest ?? false, ...(options.llm ? { llm: options.llm } : {}) });
      await api.register(jobRoutes, { store, runner, heartbeatMs: jobs.heartbeatMs ?? DEFAULT_HEARTBEAT_MS });
    },
    { prefix: '/v1' },
  );
  return app;
}
