/**
 * /v1/rules: the rules, filtered and paged by the named queries rules and
 * rules-count, and one rule with its context (the named queries rule and
 * rule-context). Filters are query parameters, never query text.
 */

import type { FastifyInstance } from 'fastify';
import type { GraphStore } from '../../store/graph-store.js';
import { ANY_ROLE } from '../auth.js';
import { HttpProblem } from '../problem.js';
import { AUTH_PROBLEMS, BEARER_SECURITY, iri, problems } from '../schemas.js';

export interface RuleRoutesOptions {
  readonly store: GraphStore;
}

export const RULE_KINDS = ['Obligation', 'Prohibition', 'Permission'] as const;

interface RulesQuery {
  kind?: string;
  section?: string;
  bearer?: string;
  policy?: string;
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

const tags = ['rules'];

export async function ruleRoutes(app: FastifyInstance, options: RuleRoutesOptions): Promise<void> {
  const { store } = options;

  app.get<{ Querystring: RulesQuery }>(
    '/rules',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags,
        summary: 'List rules',
        description: 'Rules in IRI order, filtered by kind, section (its subsections included), bearer and policy. Page with limit, and with after set to the previous page\'s next.',
        security: BEARER_SECURITY,
        querystring: {
          type: 'object',
          properties: {
            kind: { type: 'string', enum: RULE_KINDS },
            section: iri('only rules of this section or its subsections'),
            bearer: iri('only rules binding this role'),
            policy: iri('only rules of this policy'),
            after: iri('the cursor: the next of the previous page'),
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100, description: 'rules per page (at most 500)' },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: { type: 'array', items: ruleSummary },
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
      const { kind = '', section = '', bearer = '', policy = '', after = '', limit } = request.query;
      const filters = { byKind: kind, bySection: section, byBearer: bearer, byPolicy: policy };
      const [rows, count] = await Promise.all([store.namedQuery('rules', { ...filters, after }), store.namedQuery('rules-count', filters)]);
      const items = rows.slice(0, limit);
      return { items, total: Number(count[0]?.rules ?? 0), limit, next: rows.length > limit ? String(items[items.length - 1]!.rule) : null };
    },
  );

  app.get<{ Params: { rule: string } }>(
    '/rules/:rule',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags,
        summary: 'One rule with its context',
        description: 'The rule, and one entry per related value (bearer, action, target, counterparty, condition, channel, behaviour, section, exception, definition, refersTo, overrides).',
        security: BEARER_SECURITY,
        params: { type: 'object', properties: { rule: iri('the rule IRI, URL-encoded') }, required: ['rule'], additionalProperties: false },
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
            },
            required: ['rule', 'kind', 'context'],
          },
          ...problems(...AUTH_PROBLEMS, 404),
        },
      },
    },
    async (request) => {
      const rule = request.params.rule;
      const [heads, context] = await Promise.all([store.namedQuery('rule', { rule }), store.namedQuery('rule-context', { rule })]);
      const head = heads[0];
      if (!head) throw new HttpProblem(404, 'not-found', 'No such rule', `No loaded policy states a rule ${rule} (an obligation, prohibition or permission).`);
      return { ...head, context: context.map(({ relation, value, label }) => ({ relation, value, label })) };
    },
  );
}
