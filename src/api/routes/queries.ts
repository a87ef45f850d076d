/**
 * /v1/queries: the named queries (sparql/<name>.rq, cypher/<name>.cypher),
 * listed with purpose and parameters, and run with parameters from the query
 * string (GET) or a JSON body (POST). Parameters are checked against the
 * query's @param lines by the store, never pasted into query text.
 */

import type { FastifyInstance } from 'fastify';
import type { GraphStore } from '../../store/graph-store.js';
import { loadNamedQuery, namedQueryNames, type NamedQuery, type QueryLanguage, type QueryParams } from '../../store/named-queries.js';
import { ANY_ROLE } from '../auth.js';
import { AUTH_PROBLEMS, BEARER_SECURITY, offsetPage, offsetPageQuery, problems, rowSchema } from '../schemas.js';

export interface QueryRoutesOptions {
  readonly store: GraphStore;
}

const nameParams = {
  type: 'object',
  properties: { name: { type: 'string', pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$', maxLength: 100, description: 'the named query, e.g. rule-context' } },
  required: ['name'],
  additionalProperties: false,
} as const;

const answerSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    count: { type: 'integer' },
    rows: { type: 'array', items: rowSchema },
  },
  required: ['name', 'count', 'rows'],
} as const;

const tags = ['named queries'];

/** The query language of a store's named queries. */
export function languageOf(store: GraphStore): QueryLanguage {
  return store.engine === 'embedded' ? 'sparql' : 'cypher';
}

export async function queryRoutes(app: FastifyInstance, options: QueryRoutesOptions): Promise<void> {
  const { store } = options;
  const language = languageOf(store);

  app.get<{ Querystring: { limit: number; offset: number } }>(
    '/queries',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags,
        summary: 'List the named queries',
        security: BEARER_SECURITY,
        querystring: offsetPageQuery,
        response: {
          200: offsetPage({
                  type: 'object',
                  properties: {
                    name: { type: 'string' },
                    purpose: { type: 'string' },
                    params: {
                      type: 'array',
                      items: { type: 'object', properties: { name: { type: 'string' }, type: { type: 'string', enum: ['iri', 'string', 'integer', 'boolean'] } }, required: ['name', 'type'] },
                    },
                  },
                  required: ['name', 'purpose', 'params'],
                }),
          ...problems(...AUTH_PROBLEMS),
        },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      const names = await namedQueryNames(language);
      const page = await Promise.all(names.slice(offset, offset + limit).map((name) => loadNamedQuery(name, language)));
      return {
        items: page.map((q) => ({ name: q.name, purpose: q.purpose, params: [...q.params].map(([name, type]) => ({ name, type })) })),
        total: names.length,
        limit,
        offset,
      };
    },
  );

  app.get<{ Params: { name: string }; Querystring: Record<string, string> }>(
    '/queries/:name',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags,
        summary: 'Run a named query, parameters in the query string',
        description: 'Each query-string parameter is one of the query\'s @param; integers and booleans are read from their text.',
        security: BEARER_SECURITY,
        params: nameParams,
        querystring: { type: 'object', additionalProperties: { type: 'string', maxLength: 4096 } },
        response: { 200: answerSchema, ...problems(...AUTH_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const query = await loadNamedQuery(request.params.name, language);
      const rows = await store.namedQuery(query.name, fromText(query, request.query));
      return { name: query.name, count: rows.length, rows };
    },
  );

  app.post<{ Params: { name: string }; Body: Record<string, string | number | boolean> }>(
    '/queries/:name',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags,
        summary: 'Run a named query, parameters in a JSON body',
        security: BEARER_SECURITY,
        params: nameParams,
        body: {
          type: 'object',
          description: 'the parameters, by name',
          additionalProperties: { type: ['string', 'integer', 'boolean'] },
          maxProperties: 50,
        },
        response: { 200: answerSchema, ...problems(...AUTH_PROBLEMS, 404, 415) },
      },
    },
    async (request) => {
      const query = await loadNamedQuery(request.params.name, language);
      const rows = await store.namedQuery(query.name, request.body);
      return { name: query.name, count: rows.length, rows };
    },
  );
}

/** Query-string values as the types the query declares; what does not read as its type is left for the store to refuse. */
function fromText(query: NamedQuery, given: Readonly<Record<string, string>>): QueryParams {
  return Object.fromEntries(
    Object.entries(given).map(([name, text]) => {
      const type = query.params.get(name);
      if (type === 'integer' && /^-?\d+$/.test(text)) return [name, Number(text)];
      if (type === 'boolean' && (text === 'true' || text === 'false')) return [name, text === 'true'];
      return [name, text];
    }),
  );
}
