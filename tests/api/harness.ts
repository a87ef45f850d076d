/**
 * Starts the real API server on 127.0.0.1 with an ephemeral port over a
 * given store, with one token per role, and calls it over HTTP with fetch.
 */

import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer, type ApiOptions } from '../../src/api/server.js';
import { ROLES, TokenTable, hashToken, type Role } from '../../src/api/auth.js';
import type { GraphStore } from '../../src/store/graph-store.js';
import { serializeQuads } from '../../src/rdf/serialize.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { MINI } from '../store/store-spec.js';

/** One token per role; the tokens file holds only their hashes. */
export const TOKENS: Record<Role, string> = Object.fromEntries(ROLES.map((role) => [role, `test-${role}-token-0123456789`])) as Record<Role, string>;
export const TOKENS_JSON = JSON.stringify({ tokens: ROLES.map((role) => ({ name: role, sha256: hashToken(TOKENS[role]), roles: [role] })) });

export interface Api {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly store: GraphStore;
  /** Calls the server; `as` picks the role's token, or none. */
  call(method: string, path: string, options?: CallOptions): Promise<Reply>;
  /** The store's content (policies, derived graphs, authored triples), sorted, to show that a request changed nothing. */
  snapshot(): Promise<string>;
  close(): Promise<void>;
}

export interface CallOptions {
  as?: Role | 'nobody';
  token?: string;
  body?: string;
  json?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined. */
  readonly body: any;
}

/** What a test may set beside the store and the tokens. */
export type TestApiOptions = Omit<ApiOptions, 'store' | 'tokens'>;

export async function startApi(store: GraphStore, options: TestApiOptions = {}): Promise<Api> {
  const app = await buildServer({ store, tokens: TokenTable.fromJson(TOKENS_JSON, 'test tokens'), ...options });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    app,
    store,
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const token = options.token ?? (options.as && options.as !== 'nobody' ? TOKENS[options.as] : undefined);
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      let body: string | undefined = options.body;
      if (options.json !== undefined) {
        body = JSON.stringify(options.json);
        headers['content-type'] = 'application/json';
      }
      if (options.contentType) headers['content-type'] = options.contentType;
      const response = await fetch(url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, contentType: response.headers.get('content-type') ?? '', headers: response.headers, text, body: parsed };
    },
    async snapshot() {
      const policies = (await store.listPolicies()).map((p) => `${p.policy} ${p.sha256}`).join('\n');
      const derived = (await store.listDerivedGraphs()).map((g) => `${g.graph} ${g.kind} ${g.policySha256} ${g.triples} ${g.writtenAt}`).sort().join('\n');
      // Blank node labels are stable within one store, so sorted N-Triples compare.
      return `${policies}\n${derived}\n${serializeQuads(await store.exportQuads(), 'nt').split('\n').sort().join('\n')}`;
    },
    async close() {
      await app.close();
    },
  };
}

/** Every triple with every triple with every triple: over a sample policy, billions of rows, far past any deadline. */
export const SLOW_QUERY = 'SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }';

/** The path of a resource named by an IRI. */
export function at(prefix: string, iri: string): string {
  return `${prefix}/${encodeURIComponent(iri)}`;
}

/** Replaces a loaded policy as a client should: GET its ETag, then PUT the new Turtle with If-Match. */
export async function replacePolicy(api: Api, policy: string, text: string, filename?: string): Promise<Reply> {
  const path = at('/v1/policies', policy);
  const etag = (await api.call('GET', path, { as: 'reader' })).headers.get('etag') ?? '';
  const query = filename ? `?filename=${encodeURIComponent(filename)}` : '';
  return api.call('PUT', path + query, { as: 'engineer', body: text, contentType: 'text/turtle', headers: { 'if-match': etag } });
}

/**
 * Starts the API over a fresh embedded store holding the mini policy, as
 * `studio serve` opens it: on a data folder of its own (removed by stopApi),
 * serving, so that every read runs in the query threads.
 */
export async function startMiniApi(options: TestApiOptions = {}): Promise<Api> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-api-'));
  const store = await EmbeddedStore.open({ dataDir, serving: true });
  await store.loadPolicy(await readTurtle(MINI));
  const api = await startApi(store, options);
  folders.set(api, dataDir);
  return api;
}

/** The data folders startMiniApi made, by server. */
const folders = new WeakMap<Api, string>();

/** Stops a server and closes its store (and removes the data folder startMiniApi made for it). */
export async function stopApi(api: Api | undefined): Promise<void> {
  await api?.close();
  await api?.store.close();
  const dataDir = api && folders.get(api);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
