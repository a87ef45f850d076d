/**
 * /v1/policies: upload a policy as Turtle (validated against the shapes
 * before anything is stored), list, read and delete policies. Uploads and
 * deletions go through the server's one write queue.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GraphStore, LoadedPolicy, PolicySource } from '../../store/graph-store.js';
import { TURTLE } from '../../rdf/turtle.js';
import { ANY_ROLE, POLICY_WRITERS } from '../auth.js';
import { HttpProblem } from '../problem.js';
import { checkIsolation } from '../../store/policy-isolation.js';
import type { CheckedPolicy, UploadLimits, UploadOutcome } from '../../validation/upload-check.js';
import type { UploadThread } from '../../validation/upload-thread.js';
import { PolicyDeclarationError, TurtleSyntaxError } from '../../errors.js';
import { AUTH_PROBLEMS, BEARER_SECURITY, pathIri, offsetPage, offsetPageQuery, problems } from '../schemas.js';
import type { SerialQueue } from '../serial-queue.js';

export interface PolicyRoutesOptions {
  readonly store: GraphStore;
  /** Where uploads are parsed, limited and validated: a worker thread. */
  readonly uploads: UploadThread;
  readonly limits: UploadLimits;
  /** Largest Turtle body accepted, in bytes. */
  readonly turtleBodyLimit: number;
  /** The server's one queue of store writes. */
  readonly writes: SerialQueue;
  /** Replaced versions kept per policy. */
  readonly keepVersions: number;
}

export const policySchema = {
  type: 'object',
  properties: {
    policy: { type: 'string', description: 'IRI of the studio:Policy' },
    title: { type: 'string' },
    source: { type: 'string', description: 'the file name it was loaded as' },
    sha256: { type: 'string', description: 'SHA-256 of the Turtle as loaded' },
    triples: { type: 'integer' },
    loadedAt: { type: 'string', format: 'date-time' },
    loadedBy: { type: 'string', description: 'who loaded it: the name of the API token, or the user the CLI ran as' },
    revisionOf: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the version it replaced (prov:wasRevisionOf); absent for a first load' },
  },
  required: ['policy', 'source', 'sha256', 'triples', 'loadedAt'],
} as const;

const policyParams = {
  type: 'object',
  properties: { policy: pathIri('the policy IRI, URL-encoded') },
  required: ['policy'],
  additionalProperties: false,
} as const;

const tags = ['policies'];

export async function policyRoutes(app: FastifyInstance, options: PolicyRoutesOptions): Promise<void> {
  const { store, uploads, limits, writes } = options;

  // Only Turtle is accepted here: any other content type is a 415. The body stays bytes: the upload's worker
  // decodes it (joining and decoding a 44 MB body into one string held the server's thread for 275 ms).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(TURTLE, { parseAs: 'buffer', bodyLimit: options.turtleBodyLimit }, (_request, body, done) => done(null, body));

  const filenameQuery = {
    type: 'object',
    properties: { filename: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,200}$', default: 'upload.ttl', description: 'the name errors and the policy record use' } },
    additionalProperties: false,
  } as const;
  // What the OpenAPI document says of the body. fastify's validation cannot check bytes against a string's
  // schema, so the routes check it themselves (checkTurtleBody) and show it to @fastify/swagger only.
  const turtleBody = {
    type: 'string',
    // Not minLength: it counts the characters of a 44 MB upload one by one; a pattern stops at the first.
    pattern: TURTLE_BODY_PATTERN,
    description:
      `the policy as Turtle, not only white space (one studio:Policy per document); at most ${options.turtleBodyLimit} bytes (413 body-too-large), ${limits.maxTriples} triples (413 too-many-triples), ` +
      `${limits.maxLiteralLength} characters in a literal (422 literal-too-long) and ${limits.maxNestingDepth} levels of nested blank nodes or lists (422 nesting-too-deep)`,
  } as const;

  /**
   * Checks an upload in the worker (parsed once: limits, shapes, the policy it declares), then,
   * in the write queue, hands the checked triples to `load`.
   */
  const takeUpload = async (filename: string, body: Buffer, loadedBy: string | undefined, load: (upload: Upload) => Promise<LoadedPolicy>): Promise<LoadedPolicy> => {
    const source = { file: filename, baseIri: `file:///upload/${filename}` };
    const checked = refuseUnless(await uploads.check(source, body, limits), source.file);
    return writes.run(() => load({ source, checked, ...(loadedBy ? { loadedBy } : {}) }));
  };

  // The version replaced is kept (GET /v1/policies/{policy}/versions), with the token's name as who loaded the new one.
  const isolatedLoad = async ({ source, checked, loadedBy }: Upload): Promise<LoadedPolicy> => {
    await checkIsolation(store, source.file, checked);
    return store.loadPolicy(source, undefined, checked, { keepVersions: options.keepVersions, ...(loadedBy ? { loadedBy } : {}) });
  };

  const documented = { swaggerTransform: ({ schema, url }: { schema: object; url: string }) => ({ schema: { ...schema, body: turtleBody }, url }) };

  app.post<{ Querystring: { filename: string }; Body: Buffer }>(
    '/policies',
    {
      config: { roles: POLICY_WRITERS, ...documented },
      preHandler: checkTurtleBody,
      schema: {
        tags,
        summary: 'Upload a new policy',
        description:
          'Validates the Turtle against the shapes, then loads it. Nothing is stored when it does not parse (400), is over a limit (413 for its size or triples, 422 for a literal\'s length or the nesting of blank nodes; see the body), is invalid (422, with the violations), ' +
          'asserts triples about resources of another loaded policy (422, naming the first triples), or declares a policy that is already loaded (409: replace it with PUT /v1/policies/{policy}).',
        security: BEARER_SECURITY,
        consumes: [TURTLE],
        querystring: filenameQuery,
        response: {
          201: { description: 'Loaded a new policy', ...policySchema },
          ...problems(...AUTH_PROBLEMS, 409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const loaded = await takeUpload(request.query.filename, request.body, request.principal?.name, async (upload) => {
        if ((await store.listPolicies()).some((p) => p.policy === upload.checked.policy)) {
          throw new HttpProblem(
            409,
            'policy-exists',
            'The policy is already loaded',
            `${upload.source.file}: policy ${upload.checked.policy} is already loaded. To replace it, PUT the Turtle to /v1/policies/${encodeURIComponent(upload.checked.policy)} with If-Match: its current SHA-256 (GET it for the ETag). Nothing was stored.`,
          );
        }
        return isolatedLoad(upload);
      });
      reply.header('location', `/v1/policies/${encodeURIComponent(loaded.policy)}`);
      reply.header('etag', etagOf(loaded));
      return reply.status(201).send(loaded);
    },
  );

  app.put<{ Params: { policy: string }; Querystring: { filename: string }; Body: Buffer }>(
    '/policies/:policy',
    {
      config: { roles: POLICY_WRITERS, ...documented },
      preHandler: checkTurtleBody,
      // Before the schemas: a missing If-Match is a 428 (RFC 6585), not a malformed request.
      preValidation: async (request) => {
        const ifMatch = request.headers['if-match'];
        if (ifMatch === undefined || ifMatch.trim() === '') throw preconditionRequired((request.params as { policy: string }).policy);
      },
      schema: {
        tags,
        summary: 'Replace a loaded policy',
        description:
          'Replaces a loaded policy by a new version of its Turtle, which must declare the same studio:Policy. Needs If-Match with the SHA-256 of the version loaded now (its ETag): ' +
          'without it 428, with another 412. Validated and checked like an upload; nothing is stored on any error. The version replaced, when it differs, is kept ' +
          '(GET /v1/policies/{policy}/versions), and the new one records it as revisionOf.',
        security: BEARER_SECURITY,
        consumes: [TURTLE],
        params: policyParams,
        querystring: filenameQuery,
        headers: {
          type: 'object',
          properties: { 'if-match': { type: 'string', maxLength: 1000, description: 'the current SHA-256 of the policy (its ETag), quoted or not; without it 428' } },
          required: ['if-match'],
        },
        response: {
          200: { description: 'Replaced the policy', ...policySchema },
          ...problems(...AUTH_PROBLEMS, 404, 412, 413, 415, 422, 428),
        },
      },
    },
    async (request, reply) => {
      const iri = request.params.policy;
      const ifMatch = request.headers['if-match'];
      if (ifMatch === undefined || ifMatch.trim() === '') throw preconditionRequired(iri);
      const loaded = await takeUpload(request.query.filename, request.body, request.principal?.name, async (upload) => {
        const current = await findPolicy(store, iri);
        if (!matches(ifMatch, current.sha256)) {
          throw new HttpProblem(412, 'precondition-failed', 'The policy is not the version named', `If-Match names ${ifMatch.trim()}, but policy ${iri} is loaded now at SHA-256 ${current.sha256}: it changed since you read it. Nothing was stored.`);
        }
        if (upload.checked.policy !== iri) {
          throw new HttpProblem(422, 'policy-mismatch', 'The Turtle declares another policy', `${upload.source.file}: declares policy ${upload.checked.policy}, not ${iri} named in the path. Nothing was stored.`);
        }
        return isolatedLoad(upload);
      });
      reply.header('etag', etagOf(loaded));
      return reply.status(200).send(loaded);
    },
  );

  app.get<{ Querystring: { limit: number; offset: number } }>(
    '/policies',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags,
        summary: 'List the loaded policies',
        security: BEARER_SECURITY,
        querystring: offsetPageQuery,
        response: {
          200: offsetPage(policySchema),
          ...problems(...AUTH_PROBLEMS),
        },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      const all = await store.listPolicies();
      return { items: all.slice(offset, offset + limit), total: all.length, limit, offset };
    },
  );

  app.get<{ Params: { policy: string } }>(
    '/policies/:policy',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags,
        summary: 'One loaded policy',
        security: BEARER_SECURITY,
        params: policyParams,
        response: {
          200: { ...policySchema, properties: { ...policySchema.properties, rules: { type: 'integer', description: 'rules the policy states' } } },
          ...problems(...AUTH_PROBLEMS, 404),
        },
      },
    },
    async (request, reply) => {
      const policy = await findPolicy(store, request.params.policy);
      reply.header('etag', etagOf(policy));
      const [count] = await store.namedQuery('rules-count', { byKind: '', bySection: '', byBearer: '', byPolicy: policy.policy });
      return { ...policy, rules: Number(count?.rules ?? 0) };
    },
  );

  app.delete<{ Params: { policy: string } }>(
    '/policies/:policy',
    {
      config: { roles: POLICY_WRITERS },
      schema: {
        tags,
        summary: 'Remove a policy',
        security: BEARER_SECURITY,
        params: policyParams,
        response: { 204: { description: 'Removed', type: 'null' }, ...problems(...AUTH_PROBLEMS, 404) },
      },
    },
    async (request, reply) => {
      const removed = await writes.run(() => store.removePolicy(request.params.policy));
      if (!removed) throw notLoaded(request.params.policy);
      return reply.status(204).send();
    },
  );
}

/** The upload body's schema pattern: not only white space. */
const TURTLE_BODY_PATTERN = '\\S';
const NOT_ONLY_SPACE = new RegExp(TURTLE_BODY_PATTERN, 'u');

/**
 * Checks the upload body as its schema (turtleBody) says, with the problem
 * fastify's validation gives: a string (a body was sent) that is not only
 * white space. Reads no further than the first character that is not.
 */
async function checkTurtleBody(request: FastifyRequest): Promise<void> {
  const body = request.body;
  const refuse = (message: string) =>
    new HttpProblem(400, 'invalid-request', 'The request does not match the schema', `body ${message}`, { errors: [{ in: 'body', path: '', message }] });
  if (!(body instanceof Uint8Array)) throw refuse('must be string');
  if (!hasNonSpace(body)) throw refuse(`must match pattern "${TURTLE_BODY_PATTERN}"`);
}

/** True when UTF-8 bytes hold a character that is not white space (as /\S/u): ASCII byte by byte, the rest decoded 64 KB at a time. */
export function hasNonSpace(bytes: Uint8Array): boolean {
  let i = 0;
  for (; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte >= 0x80) break;
    if (byte !== 0x20 && (byte < 0x09 || byte > 0x0d)) return true;
  }
  const decoder = new TextDecoder();
  for (let start = i; start < bytes.length; start += 1 << 16) {
    const end = Math.min(start + (1 << 16), bytes.length);
    if (NOT_ONLY_SPACE.test(decoder.decode(bytes.subarray(start, end), { stream: end < bytes.length }))) return true;
  }
  return false;
}

/** An upload that passed the worker's checks, and the token that sent it. */
interface Upload {
  readonly source: PolicySource;
  readonly checked: CheckedPolicy;
  readonly loadedBy?: string;
}

/** How each upload limit is named and changed, for its problem. */
const LIMITS = {
  triples: { status: 413, slug: 'too-many-triples', title: 'The upload has too many triples', what: 'triples in one upload', env: 'STUDIO_MAX_UPLOAD_TRIPLES', key: 'maxTriples', fix: 'Split the policy, or raise the limit' },
  'literal-length': { status: 422, slug: 'literal-too-long', title: 'A literal is too long', what: 'characters in one literal', env: 'STUDIO_MAX_LITERAL_LENGTH', key: 'maxLiteralLength', fix: 'Shorten the text, or raise the limit' },
  'nesting-depth': { status: 422, slug: 'nesting-too-deep', title: 'Blank nodes nest too deep', what: 'levels of blank nodes and lists nested in one another', env: 'STUDIO_MAX_NESTING_DEPTH', key: 'maxNestingDepth', fix: 'Give the inner nodes IRIs, or raise the limit' },
} as const;

/** The checked policy of a valid upload; for any other outcome, the error that refuses it. */
function refuseUnless(outcome: UploadOutcome, file: string): CheckedPolicy {
  switch (outcome.kind) {
    case 'valid':
      return outcome;
    case 'syntax':
      throw new TurtleSyntaxError(outcome.file, outcome.line, outcome.column, outcome.detail);
    case 'declaration':
      throw new PolicyDeclarationError(outcome.file, outcome.found);
    case 'invalid':
      throw new HttpProblem(
        422,
        'policy-invalid',
        'The policy violates the shapes',
        `${file}: ${outcome.violations.length} shape violation(s), first: ${describeViolation(outcome.violations[0]!)}. Nothing was stored.`,
        { violations: outcome.violations },
      );
    case 'limit': {
      const limit = LIMITS[outcome.limit];
      throw new HttpProblem(
        limit.status,
        limit.slug,
        limit.title,
        `${outcome.where ? `${outcome.where}: ` : ''}${outcome.found} ${limit.what}; the server takes at most ${outcome.max}. ` +
          `${limit.fix} (${limit.env}, or "uploads": {"${limit.key}": …} in studio.config.json). Nothing was stored.`,
        { limit: limit.env, max: outcome.max, found: outcome.found },
      );
    }
  }
}

function preconditionRequired(iri: string): HttpProblem {
  return new HttpProblem(428, 'precondition-required', 'If-Match is required', `Replacing policy ${iri} needs If-Match: the SHA-256 of the version loaded now (GET /v1/policies/${encodeURIComponent(iri)} gives it as its ETag).`);
}

/** A policy's entity tag: its SHA-256, quoted. */
function etagOf(policy: LoadedPolicy): string {
  return `"${policy.sha256}"`;
}

/** True when an If-Match header names the SHA-256 (quoted or not, weak or strong, among others). */
function matches(ifMatch: string, sha256: string): boolean {
  return ifMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1') === sha256);
}

async function findPolicy(store: GraphStore, iri: string): Promise<LoadedPolicy> {
  const policy = (await store.listPolicies()).find((p) => p.policy === iri);
  if (!policy) throw notLoaded(iri);
  return policy;
}

function notLoaded(iri: string): HttpProblem {
  return new HttpProblem(404, 'not-found', 'No such policy', `No policy ${iri} is loaded; GET /v1/policies lists those that are.`);
}

function describeViolation(v: { file?: string; line?: number; focusNode: string; path?: string; message: string }): string {
  const place = v.file ? `${v.file}${v.line ? `:${v.line}` : ''}: ` : '';
  return `${place}${v.focusNode}${v.path ? ` ${v.path}` : ''}: ${v.message}`;
}
