/**
 * Every query the API runs has a deadline: ad-hoc queries their own (short,
 * a user's text may be anything), named queries and the queries inside routes
 * another. A deadline counts the query's own run: the store stops a query past
 * it (QueryTimeoutError, a 504). The wait for its turn behind other queries has
 * its own bound (QueryBusyError, a 503). When the server closes, queries still
 * running or waiting are abandoned (QueryAbortedError).
 */

import type { DerivedGraph, DerivedGraphPatch, DerivedGraphWriter, GraphStore, LoadedPolicy, ParsedPolicy, PolicySource, Progress, QueryAnswer, ReadOptions, Row, LoadOptions, PolicyVersion } from '../store/graph-store.js';
import type { QueryParams } from '../store/named-queries.js';
import type { PortableRows } from '../store/portable-rows.js';
import type { TurtleSource } from '../rdf/turtle.js';
import type { Quad } from '@rdfjs/types';

export interface QueryDeadlines {
  /** Milliseconds an ad-hoc query (POST /v1/query/*) may run (default 10 s). */
  readonly adhocMs?: number;
  /** Milliseconds a named query, or a query a route runs, may run (default 30 s). */
  readonly namedMs?: number;
  /** Milliseconds any of them may wait for its turn (default 60 s). */
  readonly queueMs?: number;
}

import { setMaxListeners } from 'node:events';
import { DEFAULT_ADHOC_DEADLINE_MS, DEFAULT_NAMED_DEADLINE_MS, DEFAULT_QUERY_QUEUE_MS } from '../config.js';

/** A store whose reads all carry a deadline, and which abandons them when closed. */
export class DeadlineStore implements GraphStore {
  private readonly closing = new AbortController();
  readonly adhocMs: number;
  readonly namedMs: number;
  readonly queueMs: number;

  constructor(
    private readonly store: GraphStore,
    deadlines: QueryDeadlines = {},
  ) {
    this.adhocMs = deadlines.adhocMs ?? DEFAULT_ADHOC_DEADLINE_MS;
    this.namedMs = deadlines.namedMs ?? DEFAULT_NAMED_DEADLINE_MS;
    this.queueMs = deadlines.queueMs ?? DEFAULT_QUERY_QUEUE_MS;
    // Each query running or waiting listens on the signal until it settles: a busy server has many at once, which is no leak.
    setMaxListeners(0, this.closing.signal);
  }

  get engine() {
    return this.store.engine;
  }

  /** Abandons every query running or waiting, and any asked later; the store itself stays open (its owner closes it). */
  abandonQueries(): void {
    this.closing.abort();
  }

  query(text: string, options: ReadOptions = {}): Promise<QueryAnswer> {
    return this.store.query(text, { deadlineMs: this.adhocMs, queueMs: this.queueMs, signal: this.closing.signal, ...options });
  }

  namedQuery(name: string, params?: QueryParams, options: ReadOptions = {}): Promise<Row[]> {
    return this.store.namedQuery(name, params, { deadlineMs: this.namedMs, queueMs: this.queueMs, signal: this.closing.signal, ...options });
  }

  namedQueryPortable(name: string, params?: QueryParams, options: ReadOptions = {}): Promise<PortableRows> {
    return this.store.namedQueryPortable(name, params, { deadlineMs: this.namedMs, queueMs: this.queueMs, signal: this.closing.signal, ...options });
  }

  loadPolicy(source: PolicySource, progress?: Progress, parsed?: ParsedPolicy, options?: LoadOptions): Promise<LoadedPolicy> {
    return this.store.loadPolicy(source, progress, parsed, options);
  }

  listPolicies(): Promise<LoadedPolicy[]> {
    return this.store.listPolicies();
  }

  listVersions(policy?: string): Promise<PolicyVersion[]> {
    return this.store.listVersions(policy);
  }

  readVersion(policy: string, sha256: string): Promise<TurtleSource | undefined> {
    return this.store.readVersion(policy, sha256);
  }

  readVersionFacts(policy: string, sha256: string, code: string): Promise<Uint8Array | undefined> {
    return this.store.readVersionFacts(policy, sha256, code);
  }

  removePolicy(policy: string): Promise<boolean> {
    return this.store.removePolicy(policy);
  }

  putDerivedGraph(graph: Omit<DerivedGraph, 'triples' | 'writtenAt'>, quads: readonly Quad[]): Promise<DerivedGraph> {
    return this.store.putDerivedGraph(graph, quads);
  }

  beginDerivedGraph(graph: Omit<DerivedGraph, 'triples' | 'writtenAt'>): Promise<DerivedGraphWriter> {
    return this.store.beginDerivedGraph(graph);
  }

  patchDerivedGraph(graph: Omit<DerivedGraph, 'triples' | 'writtenAt'>, patch: DerivedGraphPatch): Promise<DerivedGraph> {
    return this.store.patchDerivedGraph(graph, patch);
  }

  listDerivedGraphs(policy?: string): Promise<DerivedGraph[]> {
    return this.store.listDerivedGraphs(policy);
  }

  exportQuads(policy?: string): Promise<Quad[]> {
    return this.store.exportQuads(policy);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
