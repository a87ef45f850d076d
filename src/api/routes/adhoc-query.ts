/**
 * /v1/query/sparql and /v1/query/cypher: ad-hoc read-only queries in the
 * store's own language. The store refuses writes (ReadOnlyQueryError, a 403);
 * the other store's language is a 400 that names the route to use.
 */

import type { FastifyInstance } from 'fastify';
import type { GraphStore, StoreEngine } from '../../store/graph-store.js';
import { serializeQuads } from '../../rdf/serialize.js';
import { ANY_ROLE } from '../auth.js';
import { HttpProblem } from '../problem.js';
import { AUTH_PROBLEMS, BEARER_SECURITY, problems, rowSchema } from '../schemas.js';

export interface AdhocQueryRoutesOptions {
  readonly store: GraphStore;
}

const LANGUAGES: readonly { language: 'sparql' | 'cypher'; engine: StoreEngine; name: string }[] = [
  { language: 'sparql', engine: 'embedded', name: 'SPARQL' },
  { language: 'cypher', engine: 'neo4j', name: 'Cypher' },
];

const answerSchema = {
  type: 'object',
  properties: {
    kind: { type: 'string', enum: ['rows', 'boolean', 'triples'] },
    columns: { type: 'array', items: { type: 'string' } },
    rows: { type: 'array', items: rowSchema },
    boolean: { type: 'boolean', description: 'the answer of an ASK' },
    ntriples: { type: 'string', description: 'the triples of a CONSTRUCT or DESCRIBE, as N-Triples' },
  },
  required: ['kind'],
} as const;

export async function adhocQueryRoutes(app: FastifyInstance, options: AdhocQueryRoutesOptions): Promise<void> {
  const { store } = options;
  for (const { language, engine, name } of LANGUAGES) {
    const other = LANGUAGES.find((l) => l.engine !== engine)!;
    app.post<{ Body: { query: string } }>(
      `/query/${language}`,
      {
        config: { roles: ANY_ROLE },
        schema: {
          tags: ['ad-hoc queries'],
          summary: `Run a read-only ${name} query (${engine} store)`,
          description: `Writes are refused with 403. On the ${other.engine} store, use /v1/query/${other.language}.`,
          security: BEARER_SECURITY,
          body: {
            type: 'object',
            properties: { query: { type: 'string', minLength: 1, maxLength: 100_000, description: `the ${name} text` } },
            required: ['query'],
            additionalProperties: false,
          },
          response: { 200: answerSchema, ...problems(...AUTH_PROBLEMS, 413, 415) },
        },
      },
      async (request) => {
        if (store.engine !== engine) {
          throw new HttpProblem(
            400,
            'wrong-query-language',
            'Wrong query language for this store',
            `This server runs on the ${store.engine} store, which speaks ${other.name}: POST the query to /v1/query/${other.language}.`,
          );
        }
        const answer = await store.query(request.body.query);
        if (answer.kind === 'quads') return { kind: 'triples', ntriples: serializeQuads(answer.quads, 'nt') };
        if (answer.kind === 'boolean') return { kind: 'boolean', boolean: answer.value };
        return { kind: 'rows', columns: answer.columns, rows: answer.rows };
      },
    );
  }
}
