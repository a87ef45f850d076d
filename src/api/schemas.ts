/**
 * JSON schemas shared by the routes. Each route's schema validates its
 * requests and is what @fastify/swagger turns into the OpenAPI document.
 */

/** A character an IRI may hold as it is. U+FFFD is let through: it is what a client sends for a lone surrogate, and such an IRI then names nothing (404, or no rows). */
const IRI_CHAR = '[^\\u0000-\\u0020\\u007F-\\u009F\\uE000-\\uF8FF\\uFDD0-\\uFDEF\\uFFF0-\\uFFFC\\uFFFE\\uFFFF\\s<>"{}|\\\\^`%]';

/**
 * An absolute IRI: the same rule as the named queries' iri parameters. No control characters, spaces, <, >, ", {, }, |, \, ^ or `,
 * no private-use or non-characters of the first plane, and % only as a percent-encoded octet.
 */
export const IRI_PATTERN = `^[A-Za-z][A-Za-z0-9+.-]*:(?:${IRI_CHAR}|%[0-9A-Fa-f]{2})*$`;
/**
 * An IRI in a path segment: the same, without percent-encoded octets. Clients
 * (schemathesis among them) decode a path parameter before they encode it, so
 * "a%20b" would arrive as "a b"; an IRI holding % is named in a query or body instead.
 */
export const PATH_IRI_PATTERN = `^[A-Za-z][A-Za-z0-9+.-]*:${IRI_CHAR}*$`;
/** Longest IRI accepted anywhere. */
const IRI_MAX = 2048;

export function iri(description: string): { type: 'string'; pattern: string; maxLength: number; description: string } {
  return { type: 'string', pattern: IRI_PATTERN, maxLength: IRI_MAX, description };
}

/** An IRI as a path parameter (see PATH_IRI_PATTERN). */
export function pathIri(description: string): { type: 'string'; pattern: string; maxLength: number; description: string } {
  return { type: 'string', pattern: PATH_IRI_PATTERN, maxLength: IRI_MAX, description };
}

/** Largest page any list returns. */
export const MAX_PAGE = 500;
export const DEFAULT_PAGE = 100;

export const limitParam = { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE, description: `items per page (at most ${MAX_PAGE})` } as const;
/** Largest offset a list takes: beyond any list the studio holds, and small enough to be echoed as an integer. */
export const MAX_OFFSET = 1_000_000_000;
export const offsetParam = { type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0, description: `items to skip (at most ${MAX_OFFSET})` } as const;

/** The querystring of a list paged by limit and offset. */
export const offsetPageQuery = { type: 'object', properties: { limit: limitParam, offset: offsetParam }, additionalProperties: false } as const;

/** The response of a list paged by limit and offset: one page of items, and how many there are in all. */
export function offsetPage(items: unknown): Record<string, unknown> {
  return {
    type: 'object',
    properties: { items: { type: 'array', items }, total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } },
    required: ['items', 'total', 'limit', 'offset'],
  };
}

/** One page of a list, as offsetPage describes it. */
export function pageOf<T>(all: readonly T[], limit: number, offset: number): { items: T[]; total: number; limit: number; offset: number } {
  return { items: all.slice(offset, offset + limit), total: all.length, limit, offset };
}

/** The path parameters of a route under /policies/{policy}. */
export const policyParams = {
  type: 'object',
  properties: { policy: pathIri('the policy IRI, URL-encoded') },
  required: ['policy'],
  additionalProperties: false,
} as const;

/** RFC 9457 problem details, with the studio's extension members. */
export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details (application/problem+json)',
  properties: {
    type: { type: 'string', description: 'IRI identifying the kind of problem' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string', description: 'what went wrong in this request, and what to do about it' },
    instance: { type: 'string', description: 'the request path' },
    violations: { type: 'array', items: { type: 'object', additionalProperties: true }, description: 'shape violations of a refused policy' },
    errors: { type: 'array', items: { type: 'object', additionalProperties: true }, description: 'schema errors of a refused request' },
    triples: {
      type: 'array',
      items: { type: 'object', properties: { triple: { type: 'string' }, owner: { type: 'string' } } },
      description: 'the first triples of a refused upload that describe resources of another policy (N-Triples, with the policy that owns the subject)',
    },
    total: { type: 'integer', description: 'how many triples of a refused upload describe resources of another policy' },
    limit: { type: 'string', description: 'the upload limit a refused upload is over, as the environment variable that sets it (STUDIO_MAX_UPLOAD_TRIPLES, STUDIO_MAX_LITERAL_LENGTH, STUDIO_MAX_NESTING_DEPTH)' },
    max: { type: 'integer', description: 'the value of that limit' },
    found: { type: 'integer', description: 'what the upload holds: its triples, the length of the literal, the depth of the nesting' },
  },
  required: ['type', 'title', 'status', 'detail', 'instance'],
  additionalProperties: true,
} as const;

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request',
  401: 'No token, or an unknown one',
  403: 'The token lacks a role the route needs, or the query writes',
  404: 'Not found',
  405: 'The route exists, but not for this method (see the Allow header)',
  409: 'A conflict with the current state: the policy is already loaded, changed while the request ran (try again), or the job has finished',
  412: 'If-Match does not name the current version',
  413: 'Body too large, or more triples than the server takes in one upload',
  414: 'A path segment or the URL is too long',
  415: 'Unsupported content type',
  422: 'The policy is invalid, declares another policy, describes resources of another loaded policy, or has a literal longer or blank nodes nested deeper than the server takes',
  428: 'If-Match is required',
  429: 'Too many unfinished jobs',
  431: 'The request headers are too large',
  500: 'The server failed (a defect); its log has the details',
  503: 'The store cannot be reached, or the server is shutting down',
  504: 'The query ran past its deadline and was stopped',
};

/** Response schemas for the problems a route may answer with. */
export function problems(...statuses: number[]): Record<number, unknown> {
  // Under the content type they are sent with, so that the OpenAPI document says application/problem+json.
  return Object.fromEntries(
    statuses.map((status) => [status, { description: DESCRIPTIONS[status] ?? 'Problem', content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } }]),
  );
}

/** The problems every authenticated route may answer with. */
export const AUTH_PROBLEMS = [400, 401, 403] as const;

/** The OpenAPI security requirement of authenticated routes. */
export const BEARER_SECURITY = [{ bearerAuth: [] }];

/** A row of a query answer: column name to value. */
export const rowSchema = {
  type: 'object',
  additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
} as const;
