/** The public routes: health, the OpenAPI document generated from the route schemas, and the docs page. */

import { loadNamedQuery, namedQueryNames } from '../../src/store/named-queries.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMiniApi, stopApi, type Api } from './harness.js';

let api: Api;

beforeAll(async () => {
  api = await startMiniApi();
});
afterAll(() => stopApi(api));

const OPERATIONS = [
  'get /v1/policies',
  'post /v1/policies',
  'get /v1/policies/{policy}',
  'put /v1/policies/{policy}',
  'delete /v1/policies/{policy}',
  'get /v1/policies/{policy}/conflicts',
  'post /v1/policies/{policy}/conflicts',
  'get /v1/policies/{policy}/coverage',
  'get /v1/policies/{policy}/graph',
  'get /v1/policies/{policy}/versions',
  'get /v1/policies/{policy}/diff',
  'get /v1/policies/{policy}/impact',
  'post /v1/policies/{policy}/playground',
  'get /v1/policies/{policy}/preferences',
  'post /v1/policies/{policy}/preferences',
  'get /v1/rules',
  'get /v1/rules/{rule}',
  'get /v1/rules/{rule}/graph',
  'get /v1/terms/{term}/graph',
  'get /v1/session',
  'post /v1/ingest',
  'post /v1/ingest/review',
  'get /v1/queries',
  'post /v1/query/sparql',
  'post /v1/query/cypher',
  'get /v1/jobs',
  'post /v1/jobs',
  'get /v1/jobs/{id}',
  'get /v1/jobs/{id}/events',
  'post /v1/jobs/{id}/cancel',
  'get /v1/policies/{policy}/audits',
  'get /v1/policies/{policy}/audits/stale',
  'get /v1/audits/{run}/results',
  'get /v1/audits/{run}/failing-rules',
  'get /v1/audits/compare',
  'post /v1/audits/{run}/reviews',
  'get /v1/policies/{policy}/report',
];

describe('public routes', () => {
  it('answers /health with the store and its policies', async () => {
    const reply = await api.call('GET', '/health');
    expect(reply.body).toEqual({ status: 'ok', store: 'embedded', policies: 1 });
  });

  it('serves an OpenAPI 3 document with every route, its schemas, its security and its problems', async () => {
    const reply = await api.call('GET', '/openapi.json');
    expect(reply.status).toBe(200);
    const doc = reply.body;
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes.bearerAuth).toEqual({ type: 'http', scheme: 'bearer' });
    expect(doc.components.schemas.Problem.required).toEqual(['type', 'title', 'status', 'detail', 'instance']);
    const operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`));
    // Each named query has its own GET and POST, with its parameters; one with a table parameter (conflicts, the -of queries) POST only.
    const named = await namedQueryNames('sparql');
    const tabled = new Set<string>();
    for (const name of named) if ([...(await loadNamedQuery(name, 'sparql')).params.values()].some((type) => typeof type === 'object')) tabled.add(name);
    expect([...tabled].sort()).toEqual(['conflicts', 'generation-provisions-of', 'generation-relations-of']);
    const perQuery = named.flatMap((name) => (tabled.has(name) ? [] : [`get /v1/queries/${name}`]).concat(`post /v1/queries/${name}`));
    expect(operations.sort()).toEqual([...OPERATIONS, ...perQuery, 'get /health'].sort());
    const context = doc.paths['/v1/queries/rule-context'];
    expect(context.get.parameters).toEqual([expect.objectContaining({ in: 'query', name: 'rule', required: true, schema: expect.objectContaining({ type: 'string', pattern: expect.any(String) }) })]);
    expect(context.post.requestBody.content['application/json'].schema).toMatchObject({ required: ['rule'], additionalProperties: false });
    for (const operation of [...OPERATIONS, ...perQuery]) {
      const [method, path] = operation.split(' ') as [string, string];
      const op = doc.paths[path][method];
      expect(op.security, operation).toEqual([{ bearerAuth: [] }]);
      expect(Object.keys(op.responses), operation).toEqual(expect.arrayContaining(['401', '403', '500', '503', '504']));
      expect(Object.keys(op.responses).some((status) => status.startsWith('2')), operation).toBe(true);
      // Problems are documented under the content type they are sent with.
      for (const [status, response] of Object.entries(op.responses as Record<string, { content: object }>)) {
        if (Number(status) >= 400) expect(Object.keys(response.content), `${operation} ${status}`).toEqual(['application/problem+json']);
      }
    }
    const rules = doc.paths['/v1/rules'].get;
    expect(rules.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['action', 'after', 'bearer', 'coverage', 'details', 'failing', 'kind', 'limit', 'policy', 'section']);
    expect(rules.parameters.find((p: { name: string }) => p.name === 'limit').schema.maximum).toBe(500);
    expect(Object.keys(doc.paths['/v1/policies'].post.requestBody.content)).toEqual(['text/turtle']);
    // Uploads: 409 for a policy already loaded; replacing needs If-Match (428 without, 412 on another version).
    expect(Object.keys(doc.paths['/v1/policies'].post.responses)).toEqual(expect.arrayContaining(['201', '409', '413', '415', '422']));
    expect(Object.keys(doc.paths['/v1/policies/{policy}'].put.responses)).toEqual(expect.arrayContaining(['200', '404', '412', '422', '428']));
    expect(doc.paths['/v1/policies/{policy}'].put.parameters.map((p: { name: string; in: string }) => `${p.in} ${p.name}`)).toContain('header if-match');
    // Jobs: the body is one of the kinds' schemas, chosen by kind; the job, its states and the event stream are described.
    const startJob = doc.paths['/v1/jobs'].post;
    const body = startJob.requestBody.content['application/json'].schema;
    expect(body.discriminator).toEqual({ propertyName: 'kind' });
    expect(body.oneOf.map((s: any) => s.properties.kind.enum)).toEqual([['generation'], ['audit']]);
    expect(body.oneOf[0].required).toEqual(['kind', 'policy']);
    expect(Object.keys(body.oneOf[0].properties).sort()).toEqual(['families', 'kind', 'policy', 'seed']);
    const job = startJob.responses['202'].content['application/json'].schema;
    expect(job.properties.state.enum).toEqual(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
    expect(job.required).toEqual(expect.arrayContaining(['id', 'kind', 'state', 'progress', 'startedBy', 'createdAt', 'result', 'problem']));
    expect(Object.keys(startJob.responses)).toEqual(expect.arrayContaining(['202', '404', '429']));
    expect(doc.paths['/v1/jobs'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['kind', 'limit', 'offset', 'state']);
    expect(Object.keys(doc.paths['/v1/jobs/{id}/events'].get.responses['200'].content)).toEqual(['text/event-stream']);
    expect(Object.keys(doc.paths['/v1/jobs/{id}/cancel'].post.responses)).toEqual(expect.arrayContaining(['200', '202', '404', '409']));
  });

  it('serves the docs page and its assets from the package', async () => {
    const page = await api.call('GET', '/docs/');
    expect(page.status).toBe(200);
    expect(page.contentType).toMatch(/^text\/html/);
    const script = await api.call('GET', '/docs/static/swagger-ui-bundle.js');
    expect(script.status).toBe(200);
    expect(script.text.length).toBeGreaterThan(100_000);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const reply = await api.call('GET', '/nowhere');
    expect(reply.status).toBe(404);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
  });
});
