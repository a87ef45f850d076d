/**
 * /v1/policies/{policy}/coverage: what the policy's generated data leaves
 * uncovered, from the coverage-* named queries as src/framers/coverage.ts
 * reads them: rules without instruction data, rules without a scenario of
 * some label, exception boundary sides without a scenario, terms no item uses.
 */

import type { FastifyInstance } from 'fastify';
import type { GraphStore } from '../../store/graph-store.js';
import { fullyCovered, readCoverage, type Coverage } from '../../framers/coverage.js';
import { GENERATED_KIND } from '../../framers/generation-run.js';
import { SCENARIO_LABELS } from '../../framers/templates.js';
import { ANY_ROLE } from '../auth.js';
import { AUTH_PROBLEMS, BEARER_SECURITY, offsetPage, offsetPageQuery, pageOf, policyParams, problems } from '../schemas.js';
import { derivedGraphOf, findLoadedPolicy } from './conflicts.js';

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
      type: ['object', 'null'],
      description: "the policy's generated-data graph; null when nothing was generated, and then every rule, side and term is missing",
      properties: {
        graph: { type: 'string' },
        writtenAt: { type: 'string', format: 'date-time' },
        triples: { type: 'integer' },
        stale: { type: 'boolean', description: 'true when the policy was loaded again since, from a different source' },
      },
      required: ['graph', 'writtenAt', 'triples', 'stale'],
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
    rulesWithoutInstructions: offsetPage({ type: 'object', properties: { rule: { type: 'string' } }, required: ['rule'] }),
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
      const [coverage, count, graphs] = await Promise.all([
        readCoverage(store, policy.policy),
        store.namedQuery('rules-count', { byKind: '', bySection: '', byBearer: '', byPolicy: policy.policy }),
        store.listDerivedGraphs(policy.policy),
      ]);
      const withoutScenarios = scenarioGaps(coverage);
      return {
        policy: policy.policy,
        rules: Number(count[0]?.rules ?? 0),
        generated: derivedGraphOf(policy, graphs, GENERATED_KIND),
        summary: {
          rulesWithoutInstructions: coverage.rulesWithoutInstructions.length,
          rulesWithoutScenarios: Object.fromEntries(SCENARIO_LABELS.map((label) => [label, coverage.rulesWithoutScenarios[label].length])),
          exceptionSidesWithoutScenario: coverage.exceptionsWithoutBoundaryPairs.length,
          unusedTerms: coverage.unusedTerms.length,
          fullyCovered: fullyCovered(coverage),
        },
        rulesWithoutInstructions: pageOf(coverage.rulesWithoutInstructions.map((rule) => ({ rule })), limit, offset),
        rulesWithoutScenarios: pageOf(withoutScenarios, limit, offset),
        exceptionsWithoutBoundaryPairs: pageOf(coverage.exceptionsWithoutBoundaryPairs, limit, offset),
        unusedTerms: pageOf(coverage.unusedTerms, limit, offset),
      };
    },
  );
}

/** The (rule, label) pairs no scenario covers, in rule order as the query gives them, so pages are stable. */
function scenarioGaps(coverage: Coverage): { rule: string; missing: string }[] {
  const gaps = SCENARIO_LABELS.flatMap((missing) => coverage.rulesWithoutScenarios[missing].map((rule) => ({ rule, missing })));
  return gaps.sort((a, b) => (a.rule === b.rule ? a.missing.localeCompare(b.missing) : a.rule < b.rule ? -1 : 1));
}
