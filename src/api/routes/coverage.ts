/**
 * /v1/policies/{policy}/coverage: what the policy's generated data leaves
 * uncovered, from the coverage-* named queries (src/framers/coverage.ts reads
 * the same four for the CLI): rules without instruction data, rules without a
 * scenario of some label, exception boundary sides without a scenario, terms
 * no item uses. Rows are kept in the queries' order and only the page is
 * shaped, because at 10k rules one list holds 30k rows and the answer cache
 * makes the queries free: regrouping them per request would be the cost.
 */

import type { FastifyInstance } from 'fastify';
import type { GraphStore, Row } from '../../store/graph-store.js';
import { GENERATED_KIND } from '../../framers/generation-run.js';
import { SCENARIO_LABELS } from '../../framers/templates.js';
import { ANY_ROLE } from '../auth.js';
import { AUTH_PROBLEMS, BEARER_SECURITY, offsetPage, offsetPageQuery, pageOf, policyParams, problems } from '../schemas.js';
import { derivedGraphOf, derivedGraphSchema, findLoadedPolicy } from '../derived-graphs.js';

export interface CoverageRoutesOptions {
  readonly store: GraphStore;
}

const labelCounts = {
  type: 'object',
  properties: Object.fromEntries(SCENARIO_LABELS.map((label) => [label, { type: 'integer' }])),
  required: SCENARIO_LABELS,
} as const;

const coverageSchema = {
  type: 'object',
  properties: {
    policy: { type: 'string' },
    rules: { type: 'integer', description: 'rules the policy states' },
    generated: {
      ...derivedGraphSchema,
      type: ['object', 'null'],
      description: "the policy's generated-data graph; null when nothing was generated, and then every rule, side and term is missing",
    },
    summary: {
      type: 'object',
      description: 'the totals of the four lists',
      properties: {
        rulesWithoutInstructions: { type: 'integer' },
        rulesWithoutScenarios: { ...labelCounts, description: 'rules without a scenario of each label' },
        exceptionSidesWithoutScenario: { type: 'integer', description: 'exception boundary sides (inside, outside) no scenario covers' },
        unusedTerms: { type: 'integer' },
        fullyCovered: { type: 'boolean' },
      },
      required: ['rulesWithoutInstructions', 'rulesWithoutScenarios', 'exceptionSidesWithoutScenario', 'unusedTerms', 'fullyCovered'],
    },
    rulesWithoutInstructions: offsetPage({ type: 'object', properties: { rule: { type: 'string' }, label: { type: ['string', 'null'] } }, required: ['rule', 'label'] }),
    rulesWithoutScenarios: offsetPage({
      type: 'object',
      description: 'one item per rule and scenario label it lacks',
      properties: { rule: { type: 'string' }, missing: { type: 'string', enum: SCENARIO_LABELS } },
      required: ['rule', 'missing'],
    }),
    exceptionsWithoutBoundaryPairs: offsetPage({
      type: 'object',
      properties: { exception: { type: 'string' }, missing: { type: 'string', enum: ['inside', 'outside'] } },
      required: ['exception', 'missing'],
    }),
    unusedTerms: offsetPage({
      type: 'object',
      properties: { term: { type: 'string' }, type: { type: 'string', description: 'Role, Action, Asset, ...' } },
      required: ['term', 'type'],
    }),
  },
  required: ['policy', 'rules', 'generated', 'summary', 'rulesWithoutInstructions', 'rulesWithoutScenarios', 'exceptionsWithoutBoundaryPairs', 'unusedTerms'],
} as const;

export async function coverageRoutes(app: FastifyInstance, options: CoverageRoutesOptions): Promise<void> {
  const { store } = options;

  app.get<{ Params: { policy: string }; Querystring: { limit: number; offset: number } }>(
    '/policies/:policy/coverage',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags: ['coverage'],
        summary: "What a policy's generated data leaves uncovered",
        description:
          'The answers of the four coverage-* named queries for the policy. limit and offset page every list; the summary counts them whole. `studio generate` fills the generated graph these are measured against.',
        security: BEARER_SECURITY,
        params: policyParams,
        querystring: offsetPageQuery,
        response: { 200: coverageSchema, ...problems(...AUTH_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      const policy = await findLoadedPolicy(store, request.params.policy);
      const params = { policy: policy.policy };
      const [instructions, scenarios, boundaries, terms, count, graphs] = await Promise.all([
        store.namedQuery('coverage-rules-without-instructions', params),
        store.namedQuery('coverage-rules-without-scenarios', params),
        store.namedQuery('coverage-exceptions-without-boundary-pairs', params),
        store.namedQuery('coverage-unused-terms', params),
        store.namedQuery('rules-count', { byKind: '', bySection: '', byBearer: '', byPolicy: policy.policy }),
        store.listDerivedGraphs(policy.policy),
      ]);
      const byLabel = Object.fromEntries(SCENARIO_LABELS.map((label) => [label, 0])) as Record<string, number>;
      for (const row of scenarios) byLabel[String(row.missing)] = (byLabel[String(row.missing)] ?? 0) + 1;
      return {
        policy: policy.policy,
        rules: Number(count[0]?.rules ?? 0),
        generated: derivedGraphOf(policy, graphs, GENERATED_KIND),
        summary: {
          rulesWithoutInstructions: instructions.length,
          rulesWithoutScenarios: byLabel,
          exceptionSidesWithoutScenario: boundaries.length,
          unusedTerms: terms.length,
          fullyCovered: instructions.length + scenarios.length + boundaries.length + terms.length === 0,
        },
        rulesWithoutInstructions: page(instructions, limit, offset, (r) => ({ rule: r.rule, label: r.label ?? null })),
        rulesWithoutScenarios: page(scenarios, limit, offset, (r) => ({ rule: r.rule, missing: r.missing })),
        exceptionsWithoutBoundaryPairs: page(boundaries, limit, offset, (r) => ({ exception: r.exception, missing: r.missing })),
        unusedTerms: page(terms, limit, offset, (r) => ({ term: r.term, type: r.type })),
      };
    },
  );
}

/** One page of a query's rows, only that page's rows shaped as items. */
function page<T>(rows: readonly Row[], limit: number, offset: number, shape: (row: Row) => T) {
  const { items, ...rest } = pageOf(rows, limit, offset);
  return { items: items.map(shape), ...rest };
}
