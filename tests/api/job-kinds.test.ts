/**
 * Registering a kind of job beside generation (as audits will be): its
 * schema joins the POST /v1/jobs body and the OpenAPI document, its roles
 * decide who starts and cancels it, its result and failures come back on the
 * job. Also: a job that fails (here, generation with a templates folder that
 * does not exist) ends failed with a problem and writes nothing.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobKind } from '../../src/api/jobs/job-kind.js';
import { iri } from '../../src/api/schemas.js';
import { InvalidOptionError } from '../../src/errors.js';
import { startMiniApi, stopApi, TOKENS, type Api } from './harness.js';
import { openEvents } from './event-stream.js';

const M = 'https://example.org/mini#';
const PROBLEMS = 'https://w3id.org/alignment-studio/problems/';

/** A read-only kind for auditors: counts a policy's rules of one deontic kind. */
const ruleCount: JobKind<{ policy: string; of: string }, { rules: number }> = {
  kind: 'rule-count',
  description: "Counts a policy's rules of one kind.",
  roles: ['auditor', 'admin'],
  params: { policy: iri('the policy'), of: { type: 'string', maxLength: 40 } },
  required: ['policy', 'of'],
  result: { type: 'object', properties: { rules: { type: 'integer' } }, required: ['rules'] },
  async run(params, { progress, store, signal }) {
    if (!['Obligation', 'Prohibition', 'Permission'].includes(params.of)) throw new InvalidOptionError(`'${params.of}' is no kind of rule`);
    progress({ phase: 'counting', done: 0, total: 1 });
    const [row] = await store.namedQuery('rules-count', { byKind: params.of, bySection: '', byBearer: '', byPolicy: params.policy });
    signal.throwIfAborted();
    return { rules: Number(row!.rules) };
  },
};

let api: Api;
beforeAll(async () => {
  api = await startMiniApi({ jobs: { kinds: [ruleCount], templates: '/no/such/templates' } });
});
afterAll(() => stopApi(api));

async function finished(id: string): Promise<any> {
  const events = await (await openEvents(`${api.url}/v1/jobs/${id}/events`, TOKENS.reader)).rest();
  return events.pop()!.data;
}

describe('a second kind of job', () => {
  it('runs for the roles it names, with its own parameters and result', async () => {
    const reply = await api.call('POST', '/v1/jobs', { as: 'auditor', json: { kind: 'rule-count', policy: `${M}policy`, of: 'Prohibition' } });
    expect(reply.status, reply.text).toBe(202);
    const job = await finished(reply.body.id);
    const prohibitions = (await api.call('GET', `/v1/rules?kind=Prohibition&policy=${encodeURIComponent(`${M}policy`)}`, { as: 'reader' })).body.total;
    expect(prohibitions).toBeGreaterThan(0);
    expect(job).toMatchObject({ kind: 'rule-count', state: 'succeeded', startedBy: 'auditor', result: { rules: prohibitions }, problem: null });
    const listed = await api.call('GET', '/v1/jobs?kind=rule-count', { as: 'reader' });
    expect(listed.body.items.map((j: any) => j.id)).toEqual([job.id]);
  });

  it('ends failed with the problem its run raised', async () => {
    const reply = await api.call('POST', '/v1/jobs', { as: 'admin', json: { kind: 'rule-count', policy: `${M}policy`, of: 'Exception' } });
    const job = await finished(reply.body.id);
    expect(job).toMatchObject({ state: 'failed', result: null, problem: { status: 400, type: `${PROBLEMS}invalid-request`, detail: "'Exception' is no kind of rule" } });
  });

  it.each([
    ['an engineer', 'rule-count', 'engineer', 'Starting a rule-count job needs one of the roles auditor, admin'],
    ['an auditor', 'generation', 'auditor', 'Starting a generation job needs one of the roles engineer, admin'],
    ['a reader', 'rule-count', 'reader', 'needs one of the roles engineer, admin, auditor'],
  ] as const)('is refused to %s when the kind is %s', async (_label, kind, who, detail) => {
    const reply = await api.call('POST', '/v1/jobs', { as: who, json: { kind, policy: `${M}policy`, ...(kind === 'rule-count' ? { of: 'Permission' } : {}) } });
    expect(reply.status).toBe(403);
    expect(reply.body.detail).toContain(detail);
  });

  it('lets only the roles of its kind cancel a job', async () => {
    const [count] = (await api.call('GET', '/v1/jobs?kind=rule-count&limit=1', { as: 'reader' })).body.items;
    expect((await api.call('POST', `/v1/jobs/${count.id}/cancel`, { as: 'engineer' })).body.detail).toContain('Cancelling a rule-count job needs');
    expect((await api.call('POST', `/v1/jobs/${count.id}/cancel`, { as: 'auditor' })).status).toBe(409);
  });

  it('refuses parameters of another kind', async () => {
    const reply = await api.call('POST', '/v1/jobs', { as: 'auditor', json: { kind: 'rule-count', policy: `${M}policy`, of: 'Permission', seed: 1 } });
    expect(reply.status).toBe(400);
  });

  it('joins the OpenAPI document: body, kinds and results', async () => {
    const doc = (await api.call('GET', '/openapi.json')).body;
    const post = doc.paths['/v1/jobs'].post;
    const body = post.requestBody.content['application/json'].schema;
    expect(body.oneOf.map((s: any) => s.properties.kind.enum[0])).toEqual(['generation', 'audit', 'rule-count']);
    const result = post.responses['202'].content['application/json'].schema.properties.result;
    expect(result.anyOf.map((s: any) => s.required ?? (s.nullable ? 'null' : s.type))).toEqual([expect.arrayContaining(['items', 'graph']), expect.arrayContaining(['run', 'failingRules']), ['rules'], 'null']);
    expect(doc.paths['/v1/jobs'].get.parameters.find((p: any) => p.name === 'kind').schema.enum).toEqual(['generation', 'audit', 'rule-count']);
  });
});

describe('a job that fails', () => {
  it('ends failed with a problem that does not leak the server, and writes nothing', async () => {
    const before = await api.snapshot();
    const reply = await api.call('POST', '/v1/jobs', { as: 'engineer', json: { kind: 'generation', policy: `${M}policy` } });
    const job = await finished(reply.body.id);
    expect(job).toMatchObject({ state: 'failed', result: null, problem: { status: 500, type: `${PROBLEMS}internal`, instance: `/v1/jobs/${job.id}` } });
    expect(JSON.stringify(job.problem)).not.toContain('/no/such');
    expect(await api.snapshot()).toBe(before);
  });
});
