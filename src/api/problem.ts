/**
 * Errors as RFC 9457 problem details (application/problem+json): one handler
 * maps the studio's error kinds, fastify's own errors and schema validation
 * failures to a status, a stable type IRI and a detail the caller can act on.
 */

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  ConfigError,
  DataFolderError,
  InvalidOptionError,
  PolicyDeclarationError,
  PolicyInvalidError,
  PolicyIsolationError,
  PolicyNotLoadedError,
  VersionNotFoundError,
  AuditRunError,
  ReportError,
  BrowserMissingError,
  QueryError,
  QueryAbortedError,
  QueryBusyError,
  QueryTimeoutError,
  IngestTimeoutError,
  IngestAbortedError,
  CompareTimeoutError,
  CompareAbortedError,
  ReadOnlyQueryError,
  StoreConnectionError,
  StudioError,
  TurtleSyntaxError,
  UnknownQueryError,
} from '../errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://w3id.org/alignment-studio/problems/';
const TYPE_BASE = PROBLEM_TYPE_BASE;

/** A problem details object, with the extension members the studio uses. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  /** Shape violations of a refused policy. */
  readonly violations?: readonly object[];
  /** Schema validation errors of a refused request. */
  readonly errors?: readonly object[];
}

/** An HTTP problem a route raises on purpose (not found, conflict...). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

interface Mapping {
  readonly status: number;
  readonly slug: string;
  readonly title: string;
}

// Order matters: subclasses before StudioError.
const STUDIO_ERRORS: readonly [new (...args: never[]) => StudioError, Mapping][] = [
  [TurtleSyntaxError, { status: 400, slug: 'turtle-syntax', title: 'The Turtle does not parse' }],
  [PolicyInvalidError, { status: 422, slug: 'policy-invalid', title: 'The policy violates the shapes' }],
  [PolicyIsolationError, { status: 422, slug: 'policy-isolation', title: 'The policy describes resources of another policy' }],
  [PolicyDeclarationError, { status: 422, slug: 'policy-declaration', title: 'The file must declare exactly one studio:Policy' }],
  [ReadOnlyQueryError, { status: 403, slug: 'read-only-query', title: 'Ad-hoc queries are read-only' }],
  [UnknownQueryError, { status: 404, slug: 'unknown-query', title: 'No such named query' }],
  [PolicyNotLoadedError, { status: 404, slug: 'not-found', title: 'No such policy' }],
  [VersionNotFoundError, { status: 404, slug: 'version-not-found', title: 'No such version of the policy' }],
  [AuditRunError, { status: 404, slug: 'not-found', title: 'No such audit run' }],
  [ReportError, { status: 409, slug: 'report', title: 'The report cannot be made' }],
  [BrowserMissingError, { status: 501, slug: 'browser-missing', title: 'No browser to print PDF with' }],
  [QueryTimeoutError, { status: 504, slug: 'query-deadline', title: 'The query ran past its deadline and was stopped' }],
  [QueryAbortedError, { status: 503, slug: 'shutting-down', title: 'The server is shutting down' }],
  [QueryBusyError, { status: 503, slug: 'busy', title: 'The server is too busy to start the query' }],
  [IngestTimeoutError, { status: 504, slug: 'ingest-deadline', title: 'The ingestion ran past its deadline and was stopped' }],
  [IngestAbortedError, { status: 503, slug: 'shutting-down', title: 'The server is shutting down' }],
  [CompareTimeoutError, { status: 504, slug: 'compare-deadline', title: 'The comparison ran past its deadline and was stopped' }],
  [CompareAbortedError, { status: 503, slug: 'shutting-down', title: 'The server is shutting down' }],
  [QueryError, { status: 400, slug: 'query', title: 'The query was refused or failed' }],
  [InvalidOptionError, { status: 400, slug: 'invalid-request', title: 'The request makes no sense' }],
  [StoreConnectionError, { status: 503, slug: 'store-unavailable', title: 'The graph store cannot be reached' }],
  [ConfigError, { status: 500, slug: 'configuration', title: 'The server is misconfigured' }],
  [DataFolderError, { status: 500, slug: 'data-folder', title: 'The data folder cannot be read' }],
];

// Fastify's own errors that reach the handler, by code.
const FASTIFY_ERRORS: Record<string, Mapping> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, slug: 'body-too-large', title: 'The request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, slug: 'unsupported-media-type', title: 'Unsupported content type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, slug: 'invalid-content-length', title: 'Invalid Content-Length' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, slug: 'invalid-request', title: 'The request body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, slug: 'invalid-request', title: 'The request body is not valid JSON' },
};

/** Builds the problem for any error a request ended with. */
export function toProblem(error: unknown, request: FastifyRequest): Problem {
  return problemOf(error, request.url);
}

/**
 * An absolute file system path: a Unix path of two or more segments that does
 * not continue an IRI or a word ("https://host/x" is left alone) nor name one
 * of the API's own routes (/v1/...), a Windows
 * path, or a file: URL other than the upload base the policy routes use.
 */
const FILE_PATH = /file:\/\/(?!\/upload\/)[^\s"'<>()]*|(?<![\w:/.~-])\/(?!v1\/|docs\/)(?:[\w.@%+~-]+\/)+[\w.@%+~-]*|\b[A-Za-z]:\\(?:[^\\\s"'<>]+\\)*[^\\\s"'<>]*/g;

/** The text with every file system path of the server cut to its last name ("…/audits"): responses never show where the server keeps its files. */
export function hidePaths(text: string): string {
  return text.replace(FILE_PATH, (found) => {
    const name = found.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? '';
    return `…/${name}`;
  });
}

/** Hides paths in every string of a problem's members, except where it points (type, instance). */
function hideAll<T>(value: T): T {
  if (typeof value === 'string') return hidePaths(value) as T;
  if (Array.isArray(value)) return value.map(hideAll) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hideAll(v)])) as T;
  return value;
}

/** Builds the problem for any error, about the resource `instance` (a request path, or a job's); file system paths are hidden. */
export function problemOf(error: unknown, instance: string): Problem {
  const { type, instance: at, ...rest } = rawProblemOf(error, instance);
  return { type, ...hideAll(rest), instance: at } as Problem;
}

function rawProblemOf(error: unknown, instance: string): Problem {
  if (error instanceof HttpProblem) {
    return { type: TYPE_BASE + error.slug, title: error.title, status: error.status, detail: error.detail, instance, ...error.extensions };
  }
  if (error instanceof StudioError) {
    const mapping = STUDIO_ERRORS.find(([kind]) => error instanceof kind)?.[1];
    // A refused isolation names the triples, so that a client need not parse the detail.
    const extensions = error instanceof PolicyIsolationError ? { triples: error.triples, total: error.total } : {};
    if (mapping) return { type: TYPE_BASE + mapping.slug, title: mapping.title, status: mapping.status, detail: error.message, instance, ...extensions };
  }
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    return {
      type: TYPE_BASE + 'invalid-request',
      title: 'The request does not match the schema',
      status: 400,
      detail: fastifyError.message ?? 'invalid request',
      instance,
      errors: fastifyError.validation.map((v) => ({ in: fastifyError.validationContext ?? 'request', path: v.instancePath, message: v.message ?? '' })),
    };
  }
  const known = fastifyError.code ? FASTIFY_ERRORS[fastifyError.code] : undefined;
  if (known) return { type: TYPE_BASE + known.slug, title: known.title, status: known.status, detail: fastifyError.message ?? known.title, instance };
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return { type: 'about:blank', title: fastifyError.name ?? 'Bad request', status, detail: fastifyError.message ?? '', instance };
  }
  // Anything else is a defect: say so without leaking internals; the log has the stack.
  return { type: TYPE_BASE + 'internal', title: 'Internal server error', status: 500, detail: 'The server failed; its log has the details.', instance };
}

/** Sends a problem with its content type. */
export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

/** The fastify error handler: every error becomes a problem. */
export function problemErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem = toProblem(error, request);
  if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
  return sendProblem(reply, problem);
}
