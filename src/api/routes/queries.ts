/**
 * /v1/queries: the named queries (sparql/<name>.rq, cypher/<name>.cypher),
 * listed with purpose and parameters, and run with parameters from the query
 * string (GET) or a JSON body (POST). Each named query has its own two
 * routes, whose schema is its @param lines; parameters are then checked by
 * the store again, and never pasted into query text.
 */

import type { FastifyInstance } from 'fastify';
import type { GraphStore } from '../../store/graph-store.js';
import { loadNamedQuery, namedQueryNames, type NamedQuery, type QueryLanguage, type QueryParams, type ScalarType } from '../../store/named-queries.js';
import { ANY_ROLE } from '../auth.js';
import { AUTH_PROBLEMS, BEARER_SECURITY, iri, offsetPage, offsetPageQuery, problems, rowSchema } from '../schemas.js';
import { UnknownQueryError } from '../../errors.js';
import { HttpProblem } from '../problem.js';

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
                      items: {
                        type: 'object',
                        properties: {
                          name: { type: 'string' },
                          type: { type: 'string', enum: ['iri', 'string', 'integer', 'boolean', 'table'] },
                          columns: { type: 'array', description: 'a table\'s columns', items: { type: 'object', properties: { name: { type: 'string' }, type: { type: 'string', enum: ['iri', 'string', 'integer', 'boolean'] } }, required: ['name', 'type'] } },
                        },
                        required: ['name', 'type'],
                      },
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
        items: page.map((q) => ({
          name: q.name,
          purpose: q.purpose,
          params: [...q.params].map(([name, type]) =>
            typeof type === 'string' ? { name, type } : { name, type: 'table', columns: [...type.table].map(([column, t]) => ({ name: column, type: t })) },
          ),
        })),
        total: names.length,
        limit,
        offset,
      };
    },
  );

  // One GET and one POST per named query, each with the query's own parameters, all required and no others:
  // the OpenAPI document says exactly what each takes, and the schema refuses what the store would.
  for (const name of await namedQueryNames(language)) {
    const query = await loadNamedQuery(name, language);
    const run = async (params: QueryParams) => {
      const rows = await store.namedQuery(query.name, params);
      return { name: query.name, count: rows.length, rows };
    };
    // A query with a table parameter is POST only: a table is a JSON array in the body. Given as JSON text in a
    // query string it was a string the OpenAPI document could not describe exactly (schemathesis's generated
    // strings were all refused).
    if (![...query.params.values()].some((type) => typeof type === 'object')) app.get<{ Querystring: QueryParams }>(
      `/queries/${name}`,
      {
        config: { roles: ANY_ROLE },
        schema: {
          tags,
          summary: `${name}: ${query.purpose}`,
          description: 'Parameters in the query string; integers and booleans are read from their text.',
          security: BEARER_SECURITY,
          querystring: paramsSchema(query),
          response: { 200: answerSchema, ...problems(...AUTH_PROBLEMS) },
        },
      },
      async (request) => run(request.query),
    );
    app.post<{ Body: QueryParams }>(
      `/queries/${name}`,
      {
        config: { roles: ANY_ROLE },
        schema: {
          tags,
          summary: `${name}: ${query.purpose}`,
          description: 'Parameters in a JSON body.',
          security: BEARER_SECURITY,
          ...(query.params.size > 0 ? { body: paramsSchema(query) } : {}),
          response: { 200: answerSchema, ...problems(...AUTH_PROBLEMS, 413, 415) },
        },
      },
      async (request) => run(request.body ?? {}),
    );
  }

  // Any other name: not a named query (404), or not a name at all (400); a GET of a query with a table parameter,
  // which is POST only (405, with Allow). Not in the OpenAPI document: no such operation exists.
  for (const method of ['GET', 'POST'] as const) {
    app.route<{ Params: { name: string } }>({
      method,
      url: '/queries/:name',
      config: { roles: ANY_ROLE, fallback: true },
      schema: { hide: true, params: nameParams },
      handler: async (request, reply) => {
        // An unknown name fails here (404); a known one reaches this route only as a GET of a POST-only query.
        await loadNamedQuery(request.params.name, language);
        if (method === 'GET') {
          reply.header('allow', 'POST');
          throw new HttpProblem(405, 'method-not-allowed', 'Method not allowed', `${request.url.split('?')[0]} takes a table parameter and answers POST (a JSON body), not GET.`);
        }
        throw new UnknownQueryError(request.params.name, await namedQueryNames(language));
      },
    });
  }
}

/** The schema of a named query's parameters: each as its declared type, all required, no others. A table is an array of rows (in a JSON body). */
function paramsSchema(query: NamedQuery): Record<string, unknown> {
  const properties = Object.fromEntries(
    [...query.params].map(([name, type]) => [
      name,
      typeof type === 'string'
        ? scalarSchema(name, type)
        : {
            type: 'array',
            description: `${name}: a table of rows`,
            items: {
              type: 'object',
              properties: Object.fromEntries([...type.table].map(([column, t]) => [column, scalarSchema(column, t)])),
              required: [...type.table.keys()],
              additionalProperties: false,
            },
          },
    ]),
  );
  return { type: 'object', properties, required: [...query.params.keys()], additionalProperties: false };
}

function scalarSchema(name: string, type: ScalarType): Record<string, unknown> {
  return type === 'iri'
    ? iri(`${name}: an absolute IRI`)
    : type === 'integer'
      ? { type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }
      : type === 'boolean'
        ? { type: 'boolean' }
        : { type: 'string', maxLength: 4096 };
}

