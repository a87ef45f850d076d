/** No response, errors included, shows where the server keeps its files. */

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { hidePaths } from '../../src/api/problem.js';
import { PROJECT_ROOT } from '../../src/vocabulary.js';
import { MINI } from '../store/store-spec.js';
import { at, startApi, stopApi, type Api, type CallOptions } from './harness.js';

const M = 'https://example.org/mini#';
const RUN = '20260101T000000Z-abcdef';
let api: Api;
const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-no-paths-'));
const mini = await readFile(MINI, 'utf8');

beforeAll(async () => {
  const store = await EmbeddedStore.open({ dataDir: path.join(dataDir, 'store') });
  await store.loadPolicy(await readTurtle(MINI));
  api = await startApi(store, { audit: { dataDir } });
});
afterAll(async () => {
  await stopApi(api);
  await rm(dataDir, { recursive: true, force: true });
});

const policy = at('/v1/policies', `${M}policy`);
const turtle = (body: string): CallOptions => ({ as: 'engineer', body, contentType: 'text/turtle' });

const CASES: [string, string, string, CallOptions, number][] = [
  ['a report naming a run that does not exist', 'GET', `${policy}/report?runs=${RUN}`, { as: 'reader' }, 404],
  ['a report of a policy never audited', 'GET', `${policy}/report`, { as: 'reader' }, 409],
  ['Turtle that does not parse', 'POST', '/v1/policies?filename=x.ttl', turtle('@prefix : <urn:x#> . :a :b'), 400],
  ['a policy already loaded', 'POST', '/v1/policies', turtle(mini), 409],
  ['a query that does not parse', 'POST', '/v1/query/sparql', { as: 'reader', json: { query: 'SELECT WHERE' } }, 400],
  ['a query loading a file', 'POST', '/v1/query/sparql', { as: 'reader', json: { query: `SELECT * FROM <file://${dataDir}/store/manifest.json> WHERE { ?s ?p ?o }` } }, 200],
  ['an unknown named query', 'GET', '/v1/queries/no-such-query', { as: 'reader' }, 404],
  ['an unknown route', 'GET', '/v1/nothing/here', { as: 'reader' }, 404],
];

describe('responses hide file system paths', () => {
  it.each(CASES)('%s', async (_label, method, url, options, status) => {
    const reply = await api.call(method, url, options);
    expect(reply.status, reply.text).toBe(status);
    for (const folder of [dataDir, tmpdir(), PROJECT_ROOT, process.cwd()]) expect(reply.text).not.toContain(folder);
    expect(reply.text).not.toMatch(/file:\/\/\/(?!upload\/)/);
  });

  it('cuts a path to its last name, and leaves IRIs and the API routes alone', () => {
    expect(hidePaths(`no audit run ${RUN} in ${dataDir}/audits; 'studio audit list' shows the runs`)).toBe(`no audit run ${RUN} in …/audits; 'studio audit list' shows the runs`);
    expect(hidePaths('C:\\studio\\data\\graphs\\a.ttl cannot be read')).toBe('…/a.ttl cannot be read');
    expect(hidePaths('file:///srv/studio/policy.ttl')).toBe('…/policy.ttl');
    const kept = `policy ${M}policy (<https://example.org/a/b>), file:///upload/mini.ttl: PUT it to /v1/policies/x`;
    expect(hidePaths(kept)).toBe(kept);
  });
});
