/**
 * /v1/rules: the rules, filtered and paged from the rule index (rule-index.ts,
 * read by the named queries rule-index and section-parents), and one rule with its context, recorded conflicts and the
 * generated items derived from it (the named queries rule, rule-context,
 * conflicts-of-rule and generated-items-of-rule). Filters are query
 * parameters, never query text.
 */

import type { FastifyInstance } from 'fastify';
import type { GraphStore } from '../../store/graph-store.js';
import { ANY_ROLE } from '../auth.js';
import { HttpProblem } from '../problem.js';
import { AUTH_PROBLEMS, BEARER_SECURITY, iri, pathIri, problems } from '../schemas.js';
import { CONFLICTS_KIND } from '../../conflicts/conflict-graph.js';
import { principleOf } from '../../conflicts/precedence.js';
import { derivedGraphOf } from '../derived-graphs.js';
import { AUDIT_KIND } from '../../auditors/audit-run.js';
import { GENERATED_KIND } from '../../framers/generation-run.js';
import { SCENARIO_LABELS } from '../../framers/templates.js';
import { STUDIO } from '../../vocabulary.js';
import type { Row } from '../../store/graph-store.js';
import { RuleIndexes } from '../rule-index.js';
import { compareCodePoints } from '../../store/oxigraph-store.js';
import { COVERAGE_FILTERS, COVERAGE_GAPS, detailsOf, passesFacts, readPolicyFacts, type CoverageFilter, type PolicyFacts } from '../rule-facts.js';

export interface RuleRoutesOptions {
  readonly store: GraphStore;
}

export const RULE_KINDS = ['Obligation', 'Prohibition', 'Permission', 'Recommendation'] as const;

interface RulesQuery {
  kind?: string;
  section?: string;
  bearer?: string;
  policy?: string;
  action?: string;
  coverage?: CoverageFilter;
  failing?: boolean;
  details?: boolean;
  after?: string;
  limit: number;
}

const ruleSummary = {
  type: 'object',
  properties: {
    rule: { type: 'string' },
    kind: { type: 'string', enum: RULE_KINDS },
    label: { type: ['string', 'null'] },
    policy: { type: 'string' },
    section: { type: 'string' },
    bearer: { type: 'string' },
  },
  required: ['rule', 'kind'],
} as const;

const ruleDetails = {
  actions: { type: 'array', items: { type: 'string' }, description: "the rule's actions (details=true)" },
  gaps: {
    type: 'array',
    items: { type: 'string', enum: COVERAGE_GAPS },
    description: "what its policy's generated data lacks for the rule: instructions, or a scenario of a label (details=true)",
  },
  failed: { type: ['integer', 'null'], description: "scenarios it failed in its policy's latest audit run; null when the policy has no run (details=true)" },
} as const;

const tags = ['rules'];

export async function ruleRoutes(app: FastifyInstance, options: RuleRoutesOptions): Promise<void> {
  const { store } = options;
  const indexes = new RuleIndexes(store);

  app.get<{ Querystring: RulesQuery }>(
    '/rules',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags,
        summary: 'List rules',
        description:
          "Rules in IRI order, filtered by kind, section (its subsections included), bearer, policy, action, coverage (what its policy's generated data lacks for it) and whether it fails in its policy's latest audit run. Page with limit, and with after set to the previous page's next. details=true adds each rule's actions, coverage gaps and failures.",
        security: BEARER_SECURITY,
        querystring: {
          type: 'object',
          properties: {
            kind: { type: 'string', enum: RULE_KINDS },
            section: iri('only rules of this section or its subsections'),
            bearer: iri('only rules binding this role'),
            policy: iri('only rules of this policy'),
            action: iri('only rules of this action'),
            coverage: {
              type: 'string',
              enum: COVERAGE_FILTERS,
              description:
                "only rules whose policy's generated data covers them fully (covered), lacks something for them (any-gap), lacks instruction data (instructions) or lacks a scenario of that label",
            },
            failing: { type: 'boolean', description: "true: only rules failing in their policy's latest audit run; false: only rules not failing there (a policy without runs fails none)" },
            details: { type: 'boolean', default: false, description: "add each rule's actions, coverage gaps and failures in its policy's latest run" },
            after: iri('the cursor: the next of the previous page'),
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100, description: 'rules per page (at most 500)' },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: { type: 'array', items: { ...ruleSummary, properties: { ...ruleSummary.properties, ...ruleDetails } } },
              total: { type: 'integer', description: 'rules matching the filters, on every page' },
              limit: { type: 'integer' },
              next: { type: ['string', 'null'], description: 'the after of the next page; null on the last page' },
            },
            required: ['items', 'total', 'limit', 'next'],
          },
          ...problems(...AUTH_PROBLEMS),
        },
      },
    },
    async (request) => {
      const { kind = '', section = '', bearer = '', policy = '', after = '', limit, action, coverage, failing, details = false } = request.query;
      const filters = { byKind: kind, bySection: section, byBearer: bearer, byPolicy: policy };
      const factFilters = { action, coverage, failing };
      const wanted = { actions: details || action !== undefined, gaps: details || coverage !== undefined, failing: details || failing !== undefined };
      const facts = new Map<string, Promise<PolicyFacts>>();
      const factsOf = (p: string) => {
        let f = facts.get(p);
        if (!f) facts.set(p, (f = readPolicyFacts(store, p, wanted)));
        return f;
      };
      const withDetails = async (rows: Row[]) => (details ? Promise.all(rows.map(async (r) => ({ ...r, ...detailsOf(String(r.rule), await factsOf(String(r.policy))) }))) : rows);

      const index = await indexes.index();
      if (action === undefined && coverage === undefined && failing === undefined) {
        const { rows, total } = index.page(filters, after, limit + 1);
        const items = rows.slice(0, limit);
        return { items: await withDetails(items), total, limit, next: rows.length > limit ? String(items[items.length - 1]!.rule) : null };
      }
      // These filters need each rule's facts: keep the rules of the index that pass, and page them here.
      const selected = index.all(filters);
      const policyFacts = new Map(await Promise.all([...new Set(selected.map((r) => String(r.policy)))].map(async (p) => [p, await factsOf(p)] as const)));
      const matching = selected.filter((row) => passesFacts(String(row.rule), policyFacts.get(String(row.policy))!, factFilters));
      const start = after ? matching.findIndex((r) => compareCodePoints(String(r.rule), after) > 0) : 0;
      const rest = start < 0 ? [] : matching.slice(start);
      const items = rest.slice(0, limit);
      return { items: await withDetails(items), total: matching.length, limit, next: rest.length > limit ? String(items[items.length - 1]!.rule) : null };
    },
  );

  app.get<{ Params: { rule: string } }>(
    '/rules/:rule',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags,
        summary: 'One rule with its context and conflicts',
        description:
          "The rule, one entry per related value (bearer, action, target, counterparty, condition, channel, behaviour, section, exception, definition, refersTo, overrides), the conflicts the last detection run recorded for it (POST /v1/policies/{policy}/conflicts), and how many items of its policy's generated data derive from it, by family and scenario label (generation jobs, POST /v1/jobs).",
        security: BEARER_SECURITY,
        params: { type: 'object', properties: { rule: pathIri('the rule IRI, URL-encoded') }, required: ['rule'], additionalProperties: false },
        response: {
          200: {
            type: 'object',
            properties: {
              ...ruleSummary.properties,
              text: { type: ['string', 'null'] },
              context: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { relation: { type: 'string' }, value: { type: 'string' }, label: { type: ['string', 'null'] } },
                  required: ['relation', 'value'],
                },
              },
              conflicts: {
                type: 'array',
                description: 'the recorded conflicts this rule is in',
                items: {
                  type: 'object',
                  properties: {
                    conflict: { type: 'string' },
                    other: { type: 'string', description: 'the rule it conflicts with' },
                    certainty: { type: 'string', enum: ['definite', 'possible'] },
                    documented: { type: ['string', 'null'], description: 'the documented conflict naming the same pair' },
                    principle: { type: ['string', 'null'], description: 'the principle that decided; null when unresolved' },
                    winner: { type: ['string', 'null'] },
                    reason: { type: ['string', 'null'] },
                  },
                  required: ['conflict', 'other', 'certainty', 'documented', 'principle', 'winner', 'reason'],
                },
              },
              conflictsRecorded: {
                type: ['object', 'null'],
                description: 'when conflicts were last recorded for the rule\'s policy, and whether the policy changed since; null when never',
                properties: { writtenAt: { type: 'string', format: 'date-time' }, stale: { type: 'boolean' } },
                required: ['writtenAt', 'stale'],
              },
              generated: {
                type: ['object', 'null'],
                description: "the generated items derived from the rule, from its policy's generated graph; null when the policy has none",
                properties: {
                  graph: { type: 'string' },
                  writtenAt: { type: 'string', format: 'date-time' },
                  stale: { type: 'boolean', description: 'true when the policy changed since the data was generated' },
                  items: { type: 'integer', description: 'items derived from the rule, in all' },
                  byFamily: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        family: { type: 'string' },
                        label: { type: ['string', 'null'], enum: [...SCENARIO_LABELS, null], description: 'the scenario label; null for items without one' },
                        items: { type: 'integer' },
                      },
                      required: ['family', 'label', 'items'],
                    },
                  },
                },
                required: ['graph', 'writtenAt', 'stale', 'items', 'byFamily'],
              },
              audits: {
                type: 'array',
                description: 'every audit run whose results test the rule, oldest first, with how its scenarios came out (GET /v1/audits/{run}/results?rule= lists them)',
                items: {
                  type: 'object',
                  properties: {
                    run: { type: 'string' },
                    stage: { type: 'string' },
                    model: { type: 'string' },
                    startedAt: { type: 'string' },
                    scenarios: { type: 'integer' },
                    passed: { type: 'integer' },
                    failed: { type: 'integer' },
                    cantTell: { type: 'integer' },
                  },
                  required: ['run', 'stage', 'model', 'startedAt', 'scenarios', 'passed', 'failed', 'cantTell'],
                },
              },
            },
            required: ['rule', 'kind', 'context', 'conflicts', 'conflictsRecorded', 'generated', 'audits'],
          },
          ...problems(...AUTH_PROBLEMS, 404),
        },
      },
    },
    async (request) => {
      const rule = request.params.rule;
      const [heads, context, policies] = await Promise.all([store.namedQuery('rule', { rule }), store.namedQuery('rule-context', { rule }), store.listPolicies()]);
      const head = heads[0];
      if (!head) throw new HttpProblem(404, 'not-found', 'No such rule', `No loaded policy states a rule ${rule} (an obligation, prohibition or permission).`);
      const policy = policies.find((p) => p.policy === head.policy);
      const graphs = policy ? await store.listDerivedGraphs(policy.policy) : [];
      const recorded = policy ? derivedGraphOf(policy, graphs, CONFLICTS_KIND) : null;
      const generatedGraph = policy ? derivedGraphOf(policy, graphs, GENERATED_KIND) : null;
      // Before any detection or generation run there is nothing to ask for, and no answer to fill the cache with.
      const audited = graphs.some((g) => g.kind === AUDIT_KIND);
      const [conflicts, generated, audits] = await Promise.all([
        recorded ? store.namedQuery('conflicts-of-rule', { rule }) : [],
        generatedGraph ? store.namedQuery('generated-items-of-rule', { rule }) : [],
        audited ? store.namedQuery('audit-history-of-rule', { rule }) : [],
      ]);
      const byFamily = generated.map((g) => ({ family: String(g.family), label: g.label === null ? null : String(g.label).slice(STUDIO.length), items: Number(g.items) }));
      return {
        ...head,
        context: context.map(({ relation, value, label }) => ({ relation, value, label })),
        conflicts: conflicts.map((c) => ({
          conflict: c.conflict,
          other: c.other,
          certainty: c.certainty === `${STUDIO}Possible` ? 'possible' : 'definite',
          documented: c.documented,
          // The API names principles as precedence does (lexSuperior), not by their IRIs.
          principle: c.principle === null ? null : (principleOf(String(c.principle)) ?? String(c.principle)),
          winner: c.winner,
          reason: c.reason,
        })),
        conflictsRecorded: recorded ? { writtenAt: recorded.writtenAt, stale: recorded.stale } : null,
        generated: generatedGraph && {
          graph: generatedGraph.graph,
          writtenAt: generatedGraph.writtenAt,
          stale: generatedGraph.stale,
          items: byFamily.reduce((sum, g) => sum + g.items, 0),
          byFamily,
        },
        audits,
      };
    },
  );
}
