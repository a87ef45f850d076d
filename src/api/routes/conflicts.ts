/**
 * /v1/policies/{policy}/conflicts: one policy's conflicting rules resolved by
 * precedence, its documented conflicts checked against them, and its
 * exception defects (GET, any role); and a detection run recorded in the
 * policy's derived conflicts graph (POST, engineers). Detection itself is
 * src/conflicts/; this file filters, pages and summarises its report.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DerivedGraph, GraphStore, LoadedPolicy } from '../../store/graph-store.js';
import { detectConflicts, failing, unresolved, DIMENSIONS, type Certainty, type Conflict, type ConflictReport } from '../../conflicts/detect.js';
import { CONFLICTS_KIND, writeConflicts } from '../../conflicts/conflict-graph.js';
import { PRINCIPLES, parsePrecedence, type Principle } from '../../conflicts/precedence.js';
import { DEFECT_KINDS } from '../../conflicts/defects.js';
import { PolicyNotLoadedError } from '../../errors.js';
import { ANY_ROLE, POLICY_WRITERS } from '../auth.js';
import { HttpProblem } from '../problem.js';
import { derivedGraphOf, derivedGraphSchema, findLoadedPolicy, notLoaded } from '../derived-graphs.js';
import type { SerialQueue } from '../serial-queue.js';
import { AUTH_PROBLEMS, BEARER_SECURITY, limitParam, offsetPage, offsetParam, pageOf, policyParams, problems } from '../schemas.js';

export interface ConflictRoutesOptions {
  readonly store: GraphStore;
  /** The order of principles used when a request names none: the configured one. */
  readonly precedence: readonly Principle[];
  /** The server's one queue of store writes. */
  readonly writes: SerialQueue;
}

/** A comma-separated order of principles, none named twice (the lookahead refuses a name that comes again). */
const PRINCIPLE_NAMES = `(?:${PRINCIPLES.join('|')})`;
const precedenceParam = {
  type: 'string',
  pattern: `^(?!.*\\b(\\w+)\\b.*\\b\\1\\b)${PRINCIPLE_NAMES}(?:,${PRINCIPLE_NAMES})*$`,
  maxLength: 200,
  description: `order of precedence principles, comma-separated, each at most once (${PRINCIPLES.join(', ')}); default: the server's configured order`,
} as const;

/** Before the schema's pattern: known principles with one named twice get parsePrecedence's own words, which say so. */
async function explainPrecedence(request: FastifyRequest): Promise<void> {
  const precedence = (request.query as { precedence?: unknown }).precedence;
  if (typeof precedence !== 'string') return;
  const names = precedence.split(',');
  if (names.every((name) => (PRINCIPLES as readonly string[]).includes(name)) && new Set(names).size !== names.length) parsePrecedence(precedence);
}

const nullableString = { type: ['string', 'null'] } as const;
const RELATIONS = ['same', 'narrower', 'broader', 'overlap', 'unknown'] as const;

const documentedSchema = {
  type: 'object',
  description: 'a conflict the policy documents (studio:DocumentedConflict), compared with what detection found',
  properties: {
    iri: { type: 'string' },
    label: nullableString,
    rules: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 },
    intendedWinner: nullableString,
    intendedPrinciple: { type: ['string', 'null'], enum: [...PRINCIPLES, null] },
    status: { type: 'string', enum: ['agrees', 'differs', 'missed'], description: 'agrees: found and resolved as documented; differs: resolved otherwise; missed: not found' },
  },
  required: ['iri', 'label', 'rules', 'intendedWinner', 'intendedPrinciple', 'status'],
} as const;

const conflictSchema = {
  type: 'object',
  properties: {
    iri: { type: 'string', description: 'content-addressed: the same pair in the same policy always has the same IRI' },
    policy: { type: 'string' },
    prohibition: { type: 'string' },
    permissive: { type: 'string', description: 'the obligation or permission' },
    certainty: { type: 'string', enum: ['definite', 'possible'], description: 'possible: the graph cannot tell whether both rules apply at once' },
    dimensions: {
      type: 'object',
      description: "how the prohibition's bearer, action, target, counterparty and conditions relate to the other rule's",
      properties: Object.fromEntries(DIMENSIONS.map((d) => [d, { type: 'string', enum: RELATIONS }])),
      required: DIMENSIONS,
    },
    principle: { type: ['string', 'null'], enum: [...PRINCIPLES, null], description: 'the principle that decided; null when none did' },
    winner: nullableString,
    reason: nullableString,
    documented: { ...documentedSchema, type: ['object', 'null'] },
  },
  required: ['iri', 'policy', 'prohibition', 'permissive', 'certainty', 'dimensions', 'principle', 'winner', 'reason', 'documented'],
} as const;

const defectSchema = {
  type: 'object',
  properties: {
    defect: { type: 'string', enum: DEFECT_KINDS },
    subject: { type: 'string', description: 'the exception or rule at fault' },
    related: nullableString,
    detail: nullableString,
    severity: { type: 'string', enum: ['error', 'notice'] },
  },
  required: ['defect', 'subject', 'related', 'detail', 'severity'],
} as const;

const summarySchema = {
  type: 'object',
  description: 'counts over the whole report, whatever the filters and page',
  properties: {
    conflicts: { type: 'integer' },
    definite: { type: 'integer' },
    possible: { type: 'integer' },
    unresolved: { type: 'integer' },
    resolvedBy: { type: 'object', properties: Object.fromEntries(PRINCIPLES.map((p) => [p, { type: 'integer' }])), required: PRINCIPLES },
    documented: { type: 'integer' },
    documentedAsIntended: { type: 'integer', description: 'documented conflicts found and resolved as documented' },
    defectErrors: { type: 'integer' },
    defectNotices: { type: 'integer' },
    failing: { type: 'boolean', description: 'true when `studio conflicts` would exit 1: an unresolved conflict, a documented one missed or resolved otherwise, or a defect that is an error' },
  },
  required: ['conflicts', 'definite', 'possible', 'unresolved', 'resolvedBy', 'documented', 'documentedAsIntended', 'defectErrors', 'defectNotices', 'failing'],
} as const;

const recordedSchema = {
  ...derivedGraphSchema,
  description: "the policy's derived conflicts graph, as the last POST wrote it",
} as const;

const timingsSchema = {
  type: 'object',
  properties: { queryMs: { type: 'integer' }, defectsMs: { type: 'integer' }, exceptionsMs: { type: 'integer' }, resolveMs: { type: 'integer' } },
  required: ['queryMs', 'defectsMs', 'exceptionsMs', 'resolveMs'],
} as const;

const tags = ['conflicts'];

interface ConflictsQuery {
  precedence?: string;
  certainty?: Certainty;
  unresolved?: boolean;
  limit: number;
  offset: number;
}

export async function conflictRoutes(app: FastifyInstance, options: ConflictRoutesOptions): Promise<void> {
  const { store } = options;
  const precedenceOf = (text: string | undefined): readonly Principle[] => (text === undefined ? options.precedence : parsePrecedence(text));

  app.get<{ Params: { policy: string }; Querystring: ConflictsQuery }>(
    '/policies/:policy/conflicts',
    {
      config: { roles: ANY_ROLE },
      preValidation: explainPrecedence,
      schema: {
        tags,
        summary: "A policy's conflicts, documented conflicts and exception defects",
        description:
          'Detects the conflicts now (prohibition against obligation or permission), resolves them by the order of principles given or configured, and checks the documented conflicts. Nothing is written: POST records the conflicts. certainty and unresolved filter the conflicts list; limit and offset page every list; the summary counts the whole report.',
        security: BEARER_SECURITY,
        params: policyParams,
        querystring: {
          type: 'object',
          properties: {
            precedence: precedenceParam,
            certainty: { type: 'string', enum: ['definite', 'possible'], description: 'only conflicts of this certainty' },
            unresolved: { type: 'boolean', description: 'true: only the conflicts no principle resolves; false: only resolved ones' },
            limit: limitParam,
            offset: offsetParam,
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              policy: { type: 'string' },
              precedence: { type: 'array', items: { type: 'string', enum: PRINCIPLES } },
              summary: summarySchema,
              conflicts: offsetPage(conflictSchema),
              documented: offsetPage(documentedSchema),
              defects: offsetPage(defectSchema),
              recorded: { ...recordedSchema, type: ['object', 'null'] },
              timings: timingsSchema,
            },
            required: ['policy', 'precedence', 'summary', 'conflicts', 'documented', 'defects', 'recorded', 'timings'],
          },
          ...problems(...AUTH_PROBLEMS, 404),
        },
      },
    },
    async (request) => {
      const { precedence, certainty, unresolved: onlyUnresolved, limit, offset } = request.query;
      const order = precedenceOf(precedence);
      const policy = await findLoadedPolicy(store, request.params.policy);
      const report = await detect(store, policy.policy, order);
      const shown = report.conflicts.filter(
        (c) => (certainty === undefined || c.certainty === certainty) && (onlyUnresolved === undefined || (c.winner === null) === onlyUnresolved),
      );
      return {
        policy: policy.policy,
        precedence: report.precedence,
        summary: summarise(report),
        conflicts: pageOf(shown, limit, offset),
        documented: pageOf(report.documented, limit, offset),
        defects: pageOf(report.defects, limit, offset),
        recorded: recordedOf(policy, await store.listDerivedGraphs(policy.policy)),
        timings: report.timings,
      };
    },
  );

  app.post<{ Params: { policy: string }; Querystring: { precedence?: string } }>(
    '/policies/:policy/conflicts',
    {
      config: { roles: POLICY_WRITERS },
      preValidation: explainPrecedence,
      schema: {
        tags,
        summary: "Detect a policy's conflicts and record them in the graph",
        description:
          "Runs detection with the order of principles given or configured and replaces the policy's derived conflicts graph (one studio:DetectedConflict per pair, with its resolution), which rule detail and data generation read. Answers with the summary; GET lists the conflicts.",
        security: BEARER_SECURITY,
        params: policyParams,
        querystring: { type: 'object', properties: { precedence: precedenceParam }, additionalProperties: false },
        response: {
          200: {
            type: 'object',
            properties: {
              policy: { type: 'string' },
              precedence: { type: 'array', items: { type: 'string', enum: PRINCIPLES } },
              summary: summarySchema,
              recorded: recordedSchema,
              timings: timingsSchema,
            },
            required: ['policy', 'precedence', 'summary', 'recorded', 'timings'],
          },
          ...problems(...AUTH_PROBLEMS, 404, 409),
        },
      },
    },
    async (request) => {
      const order = precedenceOf(request.query.precedence);
      const iri = request.params.policy;
      // A detection run replaces the graph the last one wrote: it takes its turn with every other write.
      return options.writes.run(async () => {
        // Uploads through this server wait for this run, but another process may write
        // to a Neo4j store meanwhile. If the policy is replaced between detection and
        // writing, the graph would carry the new source's hash over the old source's
        // conflicts and never look stale: detect again.
        for (let attempt = 1; ; attempt += 1) {
          const before = await findLoadedPolicy(store, iri);
          const report = await detect(store, iri, order);
          await writeConflicts(store, report);
          const after = await findLoadedPolicy(store, iri);
          if (after.sha256 === before.sha256) {
            const recorded = recordedOf(after, await store.listDerivedGraphs(iri));
            if (!recorded) throw notLoaded(iri);
            return { policy: iri, precedence: report.precedence, summary: summarise(report), recorded, timings: report.timings };
          }
          if (attempt === 3) {
            throw new HttpProblem(409, 'policy-changed', 'The policy changed during detection', `${iri} was loaded again ${attempt} times while its conflicts were being detected; try again.`);
          }
        }
      });
    },
  );
}

function recordedOf(policy: LoadedPolicy, graphs: readonly DerivedGraph[]) {
  return derivedGraphOf(policy, graphs, CONFLICTS_KIND);
}

/** Detection over one policy; the policy was checked to be loaded, so losing it meanwhile is a 404 too. */
async function detect(store: GraphStore, policy: string, precedence: readonly Principle[]): Promise<ConflictReport> {
  try {
    return await detectConflicts(store, { policy, precedence });
  } catch (error) {
    if (error instanceof PolicyNotLoadedError) throw notLoaded(policy);
    throw error;
  }
}

/** The counts of a report, as the CLI prints them, and whether it fails the CLI's gate. */
function summarise(report: ConflictReport) {
  const count = (keep: (c: Conflict) => boolean) => report.conflicts.filter(keep).length;
  return {
    conflicts: report.conflicts.length,
    definite: count((c) => c.certainty === 'definite'),
    possible: count((c) => c.certainty === 'possible'),
    unresolved: unresolved(report).length,
    resolvedBy: Object.fromEntries(PRINCIPLES.map((p) => [p, count((c) => c.principle === p)])),
    documented: report.documented.length,
    documentedAsIntended: report.documented.filter((d) => d.status === 'agrees').length,
    defectErrors: report.defects.filter((d) => d.severity === 'error').length,
    defectNotices: report.defects.filter((d) => d.severity === 'notice').length,
    failing: failing(report),
  };
}
