/**
 * Policy uploads are checked in a worker thread, parsed once: the store loads
 * the worker's triples (the same as loading the Turtle), /health answers
 * while a large upload is checked, and the limits a user configures on
 * triples, literal length and nesting depth each refuse with their own
 * problem, naming the limit and how to change it.
 */

import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import N3 from 'n3';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { resolveConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { DEFAULT_UPLOAD_LIMITS, nestingDepth, type UploadLimits } from '../../src/validation/upload-check.js';
import { writeSyntheticPolicy } from '../../scripts/bench/synthetic-policy.js';
import { MINI, SAMPLE_POLICIES } from '../store/store-spec.js';
import { PolicyValidator } from '../../src/validation/validator.js';
import { createHash } from 'node:crypto';
import { at, replacePolicy, startApi, startMiniApi, stopApi, TOKENS, type Api } from './harness.js';
import { hasNonSpace } from '../../src/api/routes/policies.js';

let api: Api | undefined;
afterEach(async () => {
  await stopApi(api);
  api = undefined;
});

async function start(limits: Partial<UploadLimits> = {}): Promise<Api> {
  api = await startApi(await EmbeddedStore.open(), { uploadLimits: { ...DEFAULT_UPLOAD_LIMITS, ...limits } });
  return api;
}

const upload = (text: string, filename = 'upload.ttl') =>
  api!.call('POST', `/v1/policies?filename=${filename}`, { as: 'engineer', body: text, contentType: 'text/turtle' });

const reply422Lines = (reply: { status: number; body: { violations?: { line?: number }[] } }) => (reply.status === 422 ? (reply.body.violations ?? []).map((v) => v.line) : []);

/** Sorted N-Triples of a store's authored triples, blank node labels replaced by one: what the triples say, whatever the labels. */
async function triplesOf(store: { exportQuads(): Promise<import('@rdfjs/types').Quad[]> }): Promise<string[]> {
  const writer = new N3.Writer({ format: 'N-Triples' });
  const text = writer.quadsToString(await store.exportQuads());
  return text.split('\n').filter(Boolean).map((line) => line.replace(/_:[A-Za-z0-9_.-]+/g, '_:b')).sort();
}

const LISTS = `PREFIX studio: <https://w3id.org/alignment-studio/ns#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?owner (COUNT(?member) AS ?members) WHERE { ?owner studio:priorities/rdf:rest*/rdf:first ?member } GROUP BY ?owner ORDER BY ?owner`;

describe('uploads parsed once, in a worker', () => {
  it('stores the same triples as loading the Turtle, and the lists of two policies stay apart', async () => {
    await start();
    for (const file of SAMPLE_POLICIES) {
      const reply = await upload(await readFile(file, 'utf8'), path.basename(file));
      expect(reply.status, reply.text).toBe(201);
    }
    const direct = await EmbeddedStore.open();
    try {
      for (const file of SAMPLE_POLICIES) await direct.loadPolicy(await readTurtle(file));
      expect(await triplesOf(api!.store)).toEqual(await triplesOf(direct));
      const [viaApi, viaTurtle] = await Promise.all([api!.store.query(LISTS), direct.query(LISTS)]);
      expect(viaApi).toEqual(viaTurtle);
      expect(viaApi.kind === 'rows' && viaApi.rows.length).toBeGreaterThanOrEqual(2);
      // The same SHA-256 and triple count as a load from the file.
      const strip = (p: { policy: string; sha256: string; triples: number; title?: string }) => ({ policy: p.policy, sha256: p.sha256, triples: p.triples, title: p.title });
      expect((await api!.store.listPolicies()).map(strip)).toEqual((await direct.listPolicies()).map(strip));
    } finally {
      await direct.close();
    }
  });

  it('answers /health while a large upload is being checked and loaded', async () => {
    await start();
    const folder = await mkdtemp(path.join(tmpdir(), 'studio-upload-'));
    try {
      const file = path.join(folder, 'synthetic.ttl');
      await writeSyntheticPolicy(2000, file);
      const text = await readFile(file, 'utf8');
      let done = false;
      const pending = upload(text, 'synthetic.ttl').finally(() => (done = true));
      const latencies: number[] = [];
      while (!done) {
        const started = performance.now();
        const health = await api!.call('GET', '/health');
        if (done) break;
        expect(health.status).toBe(200);
        latencies.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const reply = await pending;
      expect(reply.status, reply.text).toBe(201);
      expect(reply.body.triples).toBeGreaterThan(15_000);
      // Checked in the server's thread, the whole upload held /health for seconds; here it is answered throughout.
      expect(latencies.length).toBeGreaterThan(5);
      expect(Math.max(...latencies)).toBeLessThan(1000);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('upload limits', () => {
  it('revalidates an upload of the same name where it changed, reporting what a whole validation reports, at the new lines', async () => {
    await start();
    const mini = await readFile(MINI, 'utf8');
    const validator = await PolicyValidator.create();
    const whole = async (text: string) => (await validator.validateSources([{ file: 'mini.ttl', text, baseIri: 'file:///upload/mini.ttl' }])).violations;
    // A rule loses its bearer, then three lines come in above it, then the bearer comes back.
    const broken = mini.replace('    studio:bearer studio:Manager ;\n', '');
    const moved = broken.replace('mini:acceptGift a studio:Action ;', '# one\n# two\n# three\nmini:acceptGift a studio:Action ;');
    const first = await upload(mini, 'mini.ttl');
    expect(first.status).toBe(201);
    for (const text of [broken, moved]) {
      const reply = await upload(text, 'mini.ttl');
      expect(reply.status, reply.text).toBe(422);
      expect(reply.body.violations).toEqual(JSON.parse(JSON.stringify(await whole(text))));
    }
    expect(reply422Lines(await upload(moved, 'mini.ttl'))).toEqual([111]);
    // Fixed again (the rule's description as it was, three lines lower), it replaces the version stored.
    const fixed = moved.replace('studio:section mini:s2 ;\n    studio:text "Managers may share', 'studio:section mini:s2 ;\n    studio:bearer studio:Manager ;\n    studio:text "Managers may share');
    expect(fixed).not.toBe(moved);
    const put = await api!.call('PUT', `/v1/policies/${encodeURIComponent('https://example.org/mini#policy')}?filename=mini.ttl`, {
      as: 'engineer', body: fixed, contentType: 'text/turtle', headers: { 'if-match': first.headers.get('etag')! },
    });
    expect(put.status, put.text).toBe(200);
  });

  it('refuses more triples than the limit with 413 naming the limit and how to raise it, storing nothing', async () => {
    await start({ maxTriples: 20 });
    const before = await api!.snapshot();
    const reply = await upload(await readFile(MINI, 'utf8'), 'mini.ttl');
    expect(reply.status).toBe(413);
    expect(reply.contentType).toContain('application/problem+json');
    expect(reply.body.type).toMatch(/too-many-triples$/);
    expect(reply.body.limit).toBe('STUDIO_MAX_UPLOAD_TRIPLES');
    expect(reply.body.max).toBe(20);
    expect(reply.body.found).toBeGreaterThan(20);
    expect(reply.body.detail).toContain('at most 20');
    expect(reply.body.detail).toContain('"maxTriples"');
    expect(await api!.snapshot()).toBe(before);
  });

  it('refuses a literal longer than the limit with 422 naming where it is', async () => {
    await start({ maxLiteralLength: 40 });
    const mini = await readFile(MINI, 'utf8');
    const reply = await upload(mini, 'mini.ttl');
    expect(reply.status).toBe(422);
    expect(reply.body.type).toMatch(/literal-too-long$/);
    expect(reply.body.limit).toBe('STUDIO_MAX_LITERAL_LENGTH');
    expect(reply.body.found).toBeGreaterThan(40);
    // file:line of the subject whose literal it is
    expect(reply.body.detail).toMatch(/^mini\.ttl:\d+ \(<https:\/\/example\.org\/mini#/);
    expect((await api!.store.listPolicies()).length).toBe(0);
    // The same policy within the default limits loads.
    await stopApi(api);
    await start();
    const first = await upload(mini, 'mini.ttl');
    expect(first.status).toBe(201);
  });

  it('refuses blank nodes nested deeper than the limit with 422', async () => {
    await start({ maxNestingDepth: 3 });
    const mini = await readFile(MINI, 'utf8');
    const nested = `${mini}\nmini:policy rdfs:seeAlso [ rdfs:seeAlso [ rdfs:seeAlso [ rdfs:seeAlso [ rdfs:label "deep" ] ] ] ] .\n`;
    const reply = await upload(nested, 'nested.ttl');
    expect(reply.status).toBe(422);
    expect(reply.body.type).toMatch(/nesting-too-deep$/);
    expect(reply.body.limit).toBe('STUDIO_MAX_NESTING_DEPTH');
    expect(reply.body.found).toBe(4);
    expect(reply.body.max).toBe(3);
    expect(reply.body.detail).toContain('nested.ttl:12 (<https://example.org/mini#policy>)');
    expect((await api!.store.listPolicies()).length).toBe(0);
  });

  it('counts nesting through blank nodes and list items, not along a list', () => {
    const parse = (turtle: string) => new N3.Parser().parse(`@prefix : <https://example.org/> .\n${turtle}`);
    expect(nestingDepth(parse(':a :p :b .')).depth).toBe(0);
    expect(nestingDepth(parse(':a :p [ :q [ :r 1 ] ] .')).depth).toBe(2);
    // A list of a hundred items is one level: going down rdf:rest does not nest.
    expect(nestingDepth(parse(`:a :p ( ${Array.from({ length: 100 }, (_, i) => i).join(' ')} ) .`)).depth).toBe(1);
    // A list in a list in a list is three.
    expect(nestingDepth(parse(':a :p ( ( ( 1 ) ) ) .')).depth).toBe(3);
    // A chain deeper than the call stack is measured, not a crash.
    const deep = `:a :p ${'[ :p '.repeat(20_000)}1${' ]'.repeat(20_000)} .`;
    expect(nestingDepth(parse(deep)).depth).toBe(20_000);
  });

  it('reads the limits from the environment and studio.config.json, and refuses nonsense', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'studio-config-'));
    try {
      expect(resolveConfig({}, folder, {}).uploads).toEqual(DEFAULT_UPLOAD_LIMITS);
      const env = { STUDIO_MAX_UPLOAD_TRIPLES: '500', STUDIO_MAX_LITERAL_LENGTH: '80', STUDIO_MAX_NESTING_DEPTH: '5' };
      expect(resolveConfig({}, folder, env).uploads).toEqual({ maxTriples: 500, maxLiteralLength: 80, maxNestingDepth: 5 });
      await import('node:fs/promises').then((fs) => fs.writeFile(path.join(folder, 'studio.config.json'), JSON.stringify({ uploads: { maxTriples: 7 } })));
      expect(resolveConfig({}, folder, {}).uploads.maxTriples).toBe(7);
      expect(() => resolveConfig({}, folder, { STUDIO_MAX_NESTING_DEPTH: '0' })).toThrow(ConfigError);
      expect(() => resolveConfig({}, folder, { STUDIO_MAX_LITERAL_LENGTH: 'lots' })).toThrow(/STUDIO_MAX_LITERAL_LENGTH=lots/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('the upload body, taken as bytes and decoded in the worker', () => {
  const M = 'https://example.org/mini#';
  const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
  const send = (body: Uint8Array | undefined, contentType?: string) =>
    fetch(`${api!.url}/v1/policies`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.engineer}`, ...(contentType ? { 'content-type': contentType } : {}) }, ...(body ? { body } : {}) });

  it('refuses a body of white space only, Unicode spaces included, or no body, with the 400 its schema gives; stores nothing', async () => {
    api = await startMiniApi();
    const before = await api.snapshot();
    for (const text of ['', ' \n\t\r ', '\u00a0\u3000\u2028 \ufeff']) {
      const reply = await send(new TextEncoder().encode(text), 'text/turtle');
      expect(reply.status, JSON.stringify(text)).toBe(400);
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await reply.json()).toMatchObject({ type: expect.stringMatching(/invalid-request$/), detail: 'body must match pattern "\\S"', errors: [{ in: 'body', path: '', message: 'must match pattern "\\S"' }] });
    }
    const none = await send(undefined);
    expect(none.status).toBe(400);
    expect(await none.json()).toMatchObject({ detail: 'body must be string' });
    // The document still says what is checked.
    const doc = (await api.call('GET', '/openapi.json')).body;
    for (const operation of [doc.paths['/v1/policies'].post, doc.paths['/v1/policies/{policy}'].put]) {
      expect(operation.requestBody.content['text/turtle'].schema).toMatchObject({ type: 'string', pattern: '\\S' });
    }
    expect(await api.snapshot()).toBe(before);
  });

  it('keeps the Turtle as sent, with the SHA-256 of its text; bytes that are not UTF-8 are read as U+FFFD, as a string body was', async () => {
    api = await startMiniApi();
    const mini = await readFile(MINI, 'utf8');
    const text = `${mini}\n# naïve café — ‘quoted’ 规则 🙂\n`;
    const replaced = await replacePolicy(api, `${M}policy`, text, 'mini-utf8.ttl');
    expect(replaced.status, replaced.text).toBe(200);
    expect(replaced.body.sha256).toBe(sha256(text));
    expect((await api.store.readVersion(`${M}policy`, replaced.body.sha256))?.text).toBe(text);
    // A Latin-1 byte in a comment: not UTF-8.
    const latin1 = Buffer.concat([Buffer.from(`${mini}\n# caf`), Buffer.from([0xe9]), Buffer.from('\n')]);
    const decoded = latin1.toString('utf8');
    expect(decoded).toContain('caf\ufffd');
    const etag = (await api.call('GET', at('/v1/policies', `${M}policy`), { as: 'reader' })).headers.get('etag')!;
    const reply = await fetch(`${api.url}${at('/v1/policies', `${M}policy`)}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKENS.engineer}`, 'content-type': 'text/turtle', 'if-match': etag }, body: latin1 });
    const body = (await reply.json()) as { sha256: string };
    expect(reply.status).toBe(200);
    expect(body.sha256).toBe(sha256(decoded));
    expect((await api.store.readVersion(`${M}policy`, body.sha256))?.text).toBe(decoded);
  });

  it('tells white space from the rest as /\\S/u does, across the 64 KB pieces it decodes', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    expect(hasNonSpace(bytes(''))).toBe(false);
    expect(hasNonSpace(bytes(' \t\n\v\f\r'))).toBe(false);
    expect(hasNonSpace(bytes('   @prefix'))).toBe(true);
    expect(hasNonSpace(bytes('\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'))).toBe(false);
    expect(hasNonSpace(bytes('\u00a0é'))).toBe(true);
    // A three-byte space split by the 64 KB boundary is still a space; a character after it is found.
    const split = ' ' + '\u3000'.repeat(30_000);
    expect(hasNonSpace(bytes(split))).toBe(false);
    expect(hasNonSpace(bytes(`${split}x`))).toBe(true);
    // A byte that is not UTF-8 decodes to U+FFFD, which is no space.
    expect(hasNonSpace(new Uint8Array([0x20, 0xe9]))).toBe(true);
  });
});
