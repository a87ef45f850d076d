/**
 * /v1/policies: upload a policy as Turtle (validated against the shapes
 * before anything is stored), list, read and delete policies. Uploads and
 * deletions go through the server's one write queue.
 */

import type { FastifyInstance } from 'fastify';
import type { GraphStore, LoadedPolicy } from '../../store/graph-store.js';
import type { PolicyValidator } from '../../validation/validator.js';
import type { TurtleSource } from '../../rdf/turtle.js';
import { TURTLE } from '../../rdf/turtle.js';
import { ANY_ROLE, POLICY_WRITERS } from '../auth.js';
import { HttpProblem } from '../problem.js';
import { AUTH_PROBLEMS, BEARER_SECURITY, iri, offsetPage, offsetPageQuery, problems } from '../schemas.js';
import type { SerialQueue } from '../serial-queue.js';

export interface PolicyRoutesOptions {
  readonly store: GraphStore;
  readonly validator: PolicyValidator;
  /** Largest Turtle body accepted, in bytes. */
  readonly turtleBodyLimit: number;
  /** The server's one queue of store writes. */
  readonly writes: SerialQueue;
}

const policySchema = {
  type: 'object',
  properties: {
    policy: { type: 'string', description: 'IRI of the studio:Policy' },
    title: { type: 'string' },
    source: { type: 'string', description: 'the file name it was loaded as' },
    sha256: { type: 'string', description: 'SHA-256 of the Turtle as loaded' },
    triples: { type: 'integer' },
    loadedAt: { type: 'string', format: 'date-time' },
  },
  required: ['policy', 'source', 'sha256', 'triples', 'loadedAt'],
} as const;

const policyParams = {
  type: 'object',
  properties: { policy: iri('the policy IRI, URL-encoded') },
  required: ['policy'],
  additionalProperties: false,
} as const;

const tags = ['policies'];

export async function policyRoutes(app: FastifyInstance, options: PolicyRoutesOptions): Promise<void> {
  const { store, validator, writes } = options;

  // Only Turtle is accepted here: any other content type is a 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(TURTLE, { parseAs: 'string', bodyLimit: options.turtleBodyLimit }, (_request, body, done) => done(null, body));

  app.post<{ Querystring: { filename: string }; Body: string }>(
    '/policies',
    {
      config: { roles: POLICY_WRITERS },
      schema: {
        tags,
        summary: 'Upload a policy',
        description:
          'Validates the Turtle against the shapes, then loads it, replacing an earlier load of the same studio:Policy. Nothing is stored when it does not parse (400) or is invalid (422, with the violations).',
        security: BEARER_SECURITY,
        consumes: [TURTLE],
        querystring: {
          type: 'object',
          properties: { filename: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,200}$', default: 'upload.ttl', description: 'the name errors and the policy record use' } },
          additionalProperties: false,
        },
        body: { type: 'string', minLength: 1, description: 'the policy as Turtle (one studio:Policy per document)' },
        response: {
          200: { description: 'Replaced an earlier load of the same policy', ...policySchema },
          201: { description: 'Loaded a new policy', ...policySchema },
          ...problems(...AUTH_PROBLEMS, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const source: TurtleSource = { file: request.query.filename, text: request.body, baseIri: `file:///upload/${request.query.filename}` };
      const loaded = await writes.run(async () => {
        const report = await validator.validateSources([source]);
        const syntaxError = report.syntaxErrors[0];
        if (syntaxError) throw syntaxError;
        if (!report.conforms) {
          throw new HttpProblem(
            422,
            'policy-invalid',
            'The policy violates the shapes',
            `${source.file}: ${report.violations.length} shape violation(s), first: ${describeViolation(report.violations[0]!)}. Nothing was stored.`,
            { violations: report.violations },
          );
        }
        const existed = (await store.listPolicies()).map((p) => p.policy);
        const policy = await store.loadPolicy(source);
        return { policy, replaced: existed.includes(policy.policy) };
      });
      reply.header('location', `/v1/policies/${encodeURIComponent(loaded.policy.policy)}`);
      return reply.status(loaded.replaced ? 200 : 201).send(loaded.policy);
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
    async (request) => {
      const policy = await findPolicy(store, request.params.policy);
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
