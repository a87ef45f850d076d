/**
 * Named-query answers kept in memory, for the embedded store only: its graph
 * lives in this process and changes only through loadPolicy, removePolicy and writes of derived graphs,
 * which empty the cache. (Neo4j may be written by others, so it is not cached.)
 * At 10k rules a rules page costs about 300 ms in oxigraph and rule-context
 * about 70 ms; a cached answer costs nothing. The cache is bounded in answers
 * and in bytes (see CacheLimits), least recently used out first.
 */

import type { DerivedGraph, DerivedGraphPatch, DerivedGraphWriter, GraphStore, LoadedPolicy, ParsedPolicy, PolicySource, Progress, QueryAnswer, ReadOptions, Row, LoadOptions, PolicyVersion } from '../store/graph-store.js';
import type { QueryParams } from '../store/named-queries.js';
import type { PortableRows } from '../store/portable-rows.js';
import type { TurtleSource } from '../rdf/turtle.js';
import type { Quad } from '@rdfjs/types';

/** How much the cache may hold: answers, and their size as JSON in bytes (an estimate of what they weigh in memory). */
export interface CacheLimits {
  /** At most this many answers (default 2000). */
  readonly entries?: number;
  /** At most this many bytes of answers; an answer larger than this is served but not kept (default 64 MB). */
  readonly bytes?: number;
}

export const DEFAULT_CACHE_ENTRIES = 2000;
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

/** What the cache holds and has done since it was made. */
export interface CacheStats {
  readonly entries: number;
  readonly bytes: number;
  readonly hits: number;
  readonly misses: number;
}

interface Entry {
  readonly answer: Promise<Row[]>;
  /** Its size once it has arrived; 0 while it is on its way. */
  bytes: number;
}

/** A store whose named-query answers are remembered until the next write, within limits; the least recently used answer goes first. */
export class CachingStore implements GraphStore {
  private readonly answers = new Map<string, Entry>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  readonly maxEntries: number;
  readonly maxBytes: number;

  constructor(
    private readonly store: GraphStore,
    limits: CacheLimits = {},
  ) {
    this.maxEntries = limits.entries ?? DEFAULT_CACHE_ENTRIES;
    this.maxBytes = limits.bytes ?? DEFAULT_CACHE_BYTES;
  }

  get stats(): CacheStats {
    return { entries: this.answers.size, bytes: this.bytes, hits: this.hits, misses: this.misses };
  }

  get engine() {
    return this.store.engine;
  }

  async loadPolicy(source: PolicySource, progress?: Progress, parsed?: ParsedPolicy, options?: LoadOptions): Promise<LoadedPolicy> {
    try {
      return await this.store.loadPolicy(source, progress, parsed, options);
    } finally {
      this.clear();
    }
  }

  async removePolicy(policy: string): Promise<boolean> {
    try {
      return await this.store.removePolicy(policy);
    } finally {
      this.clear();
    }
  }

  async putDerivedGraph(graph: Omit<DerivedGraph, 'triples' | 'writtenAt'>, quads: readonly Quad[]): Promise<DerivedGraph> {
    try {
      return await this.store.putDerivedGraph(graph, quads);
    } finally {
      this.clear();
    }
  }

  async beginDerivedGraph(graph: Omit<DerivedGraph, 'triples' | 'writtenAt'>): Promise<DerivedGraphWriter> {
    const writer = await this.store.beginDerivedGraph(graph);
    return {
      append: (quads) => writer.append(quads),
      appendNTriples: (text, triples) => writer.appendNTriples(text, triples),
      commit: async () => {
        try {
          return await writer.commit();
        } finally {
          this.answers.clear();
        }
      },
      abort: () => writer.abort(),
    };
  }

  async patchDerivedGraph(graph: Omit<DerivedGraph, 'triples' | 'writtenAt'>, patch: DerivedGraphPatch): Promise<DerivedGraph> {
    try {
      return await this.store.patchDerivedGraph(graph, patch);
    } finally {
      this.clear();
    }
  }

  listDerivedGraphs(policy?: string): Promise<DerivedGraph[]> {
    return this.store.listDerivedGraphs(policy);
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

  namedQuery(name: string, params: QueryParams = {}, options?: ReadOptions): Promise<Row[]> {
    const key = `${name}\n${JSON.stringify(Object.entries(params).sort(([a], [b]) => a.localeCompare(b)))}`;
    const cached = this.answers.get(key);
    if (cached) {
      // Most recently used last: eviction takes from the front.
      this.answers.delete(key);
      this.answers.set(key, cached);
      this.hits += 1;
      return cached.answer;
    }
    this.misses += 1;
    const entry: Entry = { answer: this.store.namedQuery(name, params, options), bytes: 0 };
    this.answers.set(key, entry);
    entry.answer.then(
      (rows) => {
        const count = (bytes: number) => {
          // A write, or eviction, may have dropped it meanwhile: then it is not counted.
          if (this.answers.get(key) !== entry) return;
          entry.bytes = bytes;
          this.bytes += entry.bytes;
          if (entry.bytes > this.maxBytes) this.remove(key);
          this.evict();
        };
        const bytes = jsonBytes(rows);
        if (typeof bytes === 'number') count(bytes);
        else void bytes.then(count);
      },
      // Errors are not remembered.
      () => {
        if (this.answers.get(key) === entry) this.remove(key);
      },
    );
    this.evict();
    return entry.answer;
  }

  /** Not kept: such an answer is read in another thread, and keeping its rows here would mean building them here. */
  namedQueryPortable(name: string, params?: QueryParams, options?: ReadOptions): Promise<PortableRows> {
    return this.store.namedQueryPortable(name, params, options);
  }

  /** Drops the least recently used answers until both limits hold. */
  private evict(): void {
    while (this.answers.size > this.maxEntries || this.bytes > this.maxBytes) this.remove(this.answers.keys().next().value!);
  }

  private remove(key: string): void {
    const entry = this.answers.get(key);
    if (!entry) return;
    this.answers.delete(key);
    this.bytes -= entry.bytes;
  }

  private clear(): void {
    this.answers.clear();
    this.bytes = 0;
  }

  query(text: string, options?: ReadOptions): Promise<QueryAnswer> {
    return this.store.query(text, options);
  }

  exportQuads(policy?: string): Promise<Quad[]> {
    return this.store.exportQuads(policy);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/** Rows counted at once; a larger answer is measured a slice a turn, so that measuring 50,000 rows does not hold up other requests. */
const ROWS_AT_ONCE = 5_000;

/** An answer's size as JSON, in bytes (of a small answer, before the caller sees it). */
function jsonBytes(rows: readonly Row[]): number | Promise<number> {
  if (rows.length <= ROWS_AT_ONCE) return Buffer.byteLength(JSON.stringify(rows));
  return (async () => {
    let bytes = 2;
    for (let start = 0; start < rows.length; start += ROWS_AT_ONCE) {
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      bytes += Buffer.byteLength(JSON.stringify(rows.slice(start, start + ROWS_AT_ONCE))) - 1;
    }
    return bytes;
  })();
}
