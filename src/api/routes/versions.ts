/**
 * /v1/policies/{policy}/versions, /diff and /impact: the versions of a
 * policy the store keeps (the one loaded now and those a changed upload or
 * load replaced), and what changed between two of them and what that
 * touches, as `studio versions`, `studio diff` and `studio impact` give them.
 * A version is named by its SHA-256 (or its first digits) or `current`.
 * The versions are read here; parsing and comparing them runs in a worker
 * thread (src/evolution/compare-thread.ts), with a deadline (504 past it).
 */

import type { FastifyInstance } from 'fastify';
import type { GraphStore } from '../../store/graph-store.js';
import { CompareThread } from '../../evolution/compare-thread.js';
import { policyVersions, readStoredVersion } from '../../evolution/stored-versions.js';
import { PRINCIPLES, type Principle } from '../../conflicts/precedence.js';
import { ANY_ROLE } from '../auth.js';
import { AUTH_PROBLEMS, BEARER_SECURITY, offsetPage, offsetPageQuery, pageOf, policyParams, problems } from '../schemas.js';
import { policySchema } from './policies.js';

export interface VersionRoutesOptions {
  readonly store: GraphStore;
  /** The order of precedence principles conflict detection applies for /impact. */
  readonly precedence: readonly Principle[];
  /** Longest a diff or an impact may run, in milliseconds (the deadline of a route's queries). */
  readonly deadlineMs: number;
}

const SHA = '^[0-9a-f]{64}$';

const versionSchema = {
  ...policySchema,
  properties: {
    ...policySchema.properties,
    sha256: { type: 'string', pattern: SHA, description: 'SHA-256 of the Turtle as loaded: the version\'s name' },
    current: { type: 'boolean', description: 'true for the version loaded now' },
  },
  required: [...policySchema.required, 'current'],
} as const;

const ref = (which: string) =>
  ({ type: 'string', pattern: '^(current|[0-9a-f]{4,64})$', description: `${which}: 'current', or a version's SHA-256 or its first digits (at least 4)` }) as const;

const versionPairQuery = {
  type: 'object',
  properties: { from: ref('the old version'), to: { ...ref('the new version'), default: 'current' } },
  required: ['from'],
  additionalProperties: false,
} as const;

const strings = { type: 'array', items: { type: 'string' } } as const;

const fieldChange = {
  type: 'object',
  description: 'a field that differs: its values before and after (sorted), and which came and went',
  properties: { field: { type: 'string' }, before: strings, after: strings, added: strings, removed: strings },
  required: ['field', 'before', 'after', 'added', 'removed'],
} as const;

const entityChanges = {
  type: 'object',
  properties: {
    added: strings,
    removed: strings,
    renamed: {
      type: 'array',
      description: 'found under a new IRI: one change, with whatever else changed with it',
      items: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' }, changes: { type: 'array', items: fieldChange } }, required: ['from', 'to', 'changes'] },
    },
    changed: {
      type: 'array',
      items: { type: 'object', properties: { iri: { type: 'string' }, changes: { type: 'array', items: fieldChange } }, required: ['iri', 'changes'] },
    },
  },
  required: ['added', 'removed', 'renamed', 'changed'],
} as const;

const side = {
  type: 'object',
  properties: { policy: { type: ['string', 'null'] }, provisions: { type: 'integer' }, sections: { type: 'integer' }, terms: { type: 'integer' } },
  required: ['policy', 'provisions', 'sections', 'terms'],
} as const;

const diffSchema = {
  type: 'object',
  description: 'the semantic diff, as `studio diff --format json` writes it',
  properties: {
    old: side,
    new: side,
    policy: { type: 'array', items: fieldChange, description: "the policy's own title and version" },
    rules: { ...entityChanges, description: 'rules, exceptions and definitions' },
    sections: entityChanges,
    terms: entityChanges,
  },
  required: ['old', 'new', 'policy', 'rules', 'sections', 'terms'],
} as const;

const conflictState = {
  type: ['object', 'null'],
  properties: {
    certainty: { type: 'string', enum: ['definite', 'possible'] },
    principle: { type: ['string', 'null'], enum: [...PRINCIPLES, null] },
    winner: { type: ['string', 'null'] },
  },
  required: ['certainty', 'principle', 'winner'],
} as const;

const impactSchema = {
  type: 'object',
  description: 'what the change touches, as `studio impact --format json` writes it',
  properties: {
    diff: diffSchema,
    changedRules: { ...strings, description: 'rules added, removed, renamed (new IRI) or changed' },
    dependents: {
      type: 'array',
      description: 'rules the change touches without changing them, each with the rule it depends on and how',
      items: {
        type: 'object',
        properties: {
          rule: { type: 'string' },
          on: { type: 'string' },
          via: { type: 'string', enum: ['refersTo', 'exceptionTo', 'hasException', 'overrides', 'overriddenBy', 'notwithstanding', 'documentedConflict'] },
          depth: { type: 'integer', minimum: 1 },
        },
        required: ['rule', 'on', 'via', 'depth'],
      },
    },
    conflicts: {
      type: 'array',
      description: 'conflicts that appear, disappear or resolve otherwise (detection run on both versions)',
      items: {
        type: 'object',
        properties: {
          change: { type: 'string', enum: ['appeared', 'disappeared', 'changed'] },
          kind: { type: 'string', enum: ['conflict', 'exception'] },
          prohibition: { type: 'string' },
          permissive: { type: 'string' },
          before: conflictState,
          after: conflictState,
        },
        required: ['change', 'kind', 'prohibition', 'permissive', 'before', 'after'],
      },
    },
    counts: {
      type: 'object',
      properties: {
        changedRules: { type: 'integer' },
        dependents: { type: 'integer' },
        conflictsAppeared: { type: 'integer' },
        conflictsDisappeared: { type: 'integer' },
        conflictsChanged: { type: 'integer' },
      },
      required: ['changedRules', 'dependents', 'conflictsAppeared', 'conflictsDisappeared', 'conflictsChanged'],
    },
  },
  required: ['diff', 'changedRules', 'dependents', 'conflicts', 'counts'],
} as const;

/** What every comparison answers with besides its body: the policy, the two versions, whether anything changed. */
const comparison = (name: 'diff' | 'impact', body: object) =>
  ({
    type: 'object',
    properties: {
      policy: { type: 'string' },
      from: { type: 'string', pattern: SHA, description: 'SHA-256 of the old version' },
      to: { type: 'string', pattern: SHA, description: 'SHA-256 of the new version' },
      changed: { type: 'boolean', description: 'true when anything differs (what `studio diff` exits 1 on)' },
      [name]: body,
    },
    required: ['policy', 'from', 'to', 'changed', name],
  }) as const;

const tags = ['versions'];

export async function versionRoutes(app: FastifyInstance, options: VersionRoutesOptions): Promise<void> {
  const { store } = options;
  // One worker thread for every comparison, started on first use; stopped with the server.
  const compare = new CompareThread(options.deadlineMs);
  app.addHook('onClose', async () => compare.close());

  app.get<{ Params: { policy: string }; Querystring: { limit: number; offset: number } }>(
    '/policies/:policy/versions',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags,
        summary: 'The versions of a policy the store keeps',
        description:
          'The version loaded now first, then those a changed upload or load replaced, newest first: each with its SHA-256, when and by whom it was loaded, and the version it revised (prov:wasRevisionOf). ' +
          'How many are kept is configured ("versions": {"keep"}, STUDIO_KEEP_VERSIONS; default 10). Kept versions are history: no query, list or export reads them.',
        security: BEARER_SECURITY,
        params: policyParams,
        querystring: offsetPageQuery,
        response: { 200: offsetPage(versionSchema), ...problems(...AUTH_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const { current, kept } = await policyVersions(store, request.params.policy);
      const all = [{ ...current, current: true }, ...kept.map((v) => ({ ...v, current: false }))];
      return pageOf(all, request.query.limit, request.query.offset);
    },
  );

  /** Both versions a request names, read back, then compared in the worker. */
  const comparePair = async (kind: 'diff' | 'impact', policy: string, from: string, to: string) => {
    const before = await readStoredVersion(store, policy, from);
    const after = await readStoredVersion(store, policy, to);
    const answer = await compare.run({ kind, before: before.source, after: after.source, precedence: options.precedence });
    return { policy, from: before.version.sha256, to: after.version.sha256, ...answer };
  };

  app.get<{ Params: { policy: string }; Querystring: { from: string; to: string } }>(
    '/policies/:policy/diff',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags,
        summary: 'What changed between two versions of a policy',
        description:
          'Rules, sections and terms added, removed, renamed (same content, new IRI: one change) and changed field by field, between two versions the store keeps (GET /v1/policies/{policy}/versions lists them). 404 when the policy is not loaded or keeps no such version, or a prefix names several.',
        security: BEARER_SECURITY,
        params: policyParams,
        querystring: versionPairQuery,
        response: { 200: comparison('diff', diffSchema), ...problems(...AUTH_PROBLEMS, 404) },
      },
    },
    async (request) => comparePair('diff', request.params.policy, request.query.from, request.query.to),
  );

  app.get<{ Params: { policy: string }; Querystring: { from: string; to: string } }>(
    '/policies/:policy/impact',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags,
        summary: 'What a change between two versions of a policy touches',
        description:
          'The diff, the rules that depend on a changed rule (references, exceptions, overrides, notwithstanding, documented conflicts) and the conflicts that appear, disappear or resolve otherwise, detection run on both versions with the server\'s order of precedence. 404 as for /diff.',
        security: BEARER_SECURITY,
        params: policyParams,
        querystring: versionPairQuery,
        response: { 200: comparison('impact', impactSchema), ...problems(...AUTH_PROBLEMS, 404) },
      },
    },
    async (request) => comparePair('impact', request.params.policy, request.query.from, request.query.to),
  );
}
