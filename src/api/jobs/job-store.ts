/**
 * The store a job works on: the server's store, read as is, whose writes
 * take their turn in the server's one write queue (with policy uploads,
 * deletions and conflict recording) and are made only while the job is not
 * cancelled. A derived graph is written only if its policy is still the
 * version the job read: otherwise the graph would be stale the moment it
 * was written, so the job fails with 409 instead.
 */

import type { Quad } from '@rdfjs/types';
import type { DerivedGraph, DerivedGraphPatch, DerivedGraphWriter, GraphStore, LoadedPolicy, ParsedPolicy, PolicySource, Progress, QueryAnswer, Row, LoadOptions, PolicyVersion } from '../../store/graph-store.js';
import type { QueryParams } from '../../store/named-queries.js';
import type { PortableRows } from '../../store/portable-rows.js';
import type { TurtleSource } from '../../rdf/turtle.js';
import { HttpProblem } from '../problem.js';
import type { SerialQueue } from '../serial-queue.js';

export class JobStore implements GraphStore {
  constructor(
    private readonly store: GraphStore,
    private readonly writes: SerialQueue,
    private readonly signal: AbortSignal,
    /** Told when a write waits for its turn and when it starts. */
    private readonly onWrite: (phase: 'waiting-to-write' | 'writing') => void = () => {},
  ) {}

  get engine() {
    return this.store.engine;
  }

  /**
   * Runs a write in the queue. Cancelled while it waits for its turn, it
   * gives up at once (its turn, when it comes, does nothing); once its turn
   * has come, it runs to the end, so the job never reports cancelled over a
   * write that happened.
   */
  private write<T>(task: () => Promise<T>): Promise<T> {
    const signal = this.signal;
    signal.throwIfAborted();
    this.onWrite('waiting-to-write');
    return new Promise<T>((resolve, reject) => {
      let begun = false;
      const giveUp = () => {
        if (!begun) reject(signal.reason);
      };
      signal.addEventListener('abort', giveUp, { once: true });
      this.writes
        .run(async () => {
          signal.throwIfAborted();
          begun = true;
          signal.removeEventListener('abort', giveUp);
          this.onWrite('writing');
          return task();
        })
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', giveUp));
    });
  }

  loadPolicy(source: PolicySource, progress?: Progress, parsed?: ParsedPolicy, options?: LoadOptions): Promise<LoadedPolicy> {
    return this.write(() => this.store.loadPolicy(source, progress, parsed, options));
  }

  removePolicy(policy: string): Promise<boolean> {
    return this.write(() => this.store.removePolicy(policy));
  }

  putDerivedGraph(graph: Omit<DerivedGraph, 'triples' | 'writtenAt'>, quads: readonly Quad[]): Promise<DerivedGraph> {
    return this.write(async () => {
      await this.checkPolicyVersion(graph);
      return this.store.putDerivedGraph(graph, quads);
    });
  }

  /**
   * A derived graph written in pieces: appends go to the writer as they come
   * (nothing readers see changes until the commit), and the commit takes its
   * turn in the write queue like any other write, after the policy version
   * check. A cancelled job's appends are refused, and its writer aborted by
   * the caller keeps the previous graph.
   */
  async beginDerivedGraph(graph: Omit<DerivedGraph, 'triples' | 'writtenAt'>): Promise<DerivedGraphWriter> {
    this.signal.throwIfAborted();
    const inner = await this.store.beginDerivedGraph(graph);
    return {
      append: async (quads) => {
        this.signal.throwIfAborted();
        await inner.append(quads);
      },
      appendNTriples: async (text, triples) => {
        this.signal.throwIfAborted();
        await inner.appendNTriples(text, triples);
      },
      commit: () =>
        this.write(async () => {
          await this.checkPolicyVersion(graph);
          return inner.commit();
        }),
      abort: () => inner.abort(),
    };
  }

  /** A patch takes its turn in the write queue, after the policy version check, like a whole write. */
  patchDerivedGraph(graph: Omit<DerivedGraph, 'triples' | 'writtenAt'>, patch: DerivedGraphPatch): Promise<DerivedGraph> {
    return this.write(async () => {
      await this.checkPolicyVersion(graph);
      return this.store.patchDerivedGraph(graph, patch);
    });
  }

  /** A 409 when the graph's policy was loaded again or removed since the job read it. */
  private async checkPolicyVersion(graph: Pick<DerivedGraph, 'policy' | 'policySha256'>): Promise<void> {
    const loaded = (await this.store.listPolicies()).find((p) => p.policy === graph.policy);
    if (!loaded || loaded.sha256 !== graph.policySha256) {
      throw new HttpProblem(
        409,
        'policy-changed',
        'The policy changed while the job ran',
        `${graph.policy} was ${loaded ? 'loaded again' : 'removed'} after the job read it; nothing was written. Start the job again.`,
      );
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

  namedQuery(name: string, params?: QueryParams): Promise<Row[]> {
    return this.store.namedQuery(name, params);
  }

  namedQueryPortable(name: string, params?: QueryParams): Promise<PortableRows> {
    return this.store.namedQueryPortable(name, params);
  }

  query(text: string): Promise<QueryAnswer> {
    return this.store.query(text);
  }

  exportQuads(policy?: string): Promise<Quad[]> {
    return this.store.exportQuads(policy);
  }

  /** The server owns the store: a job cannot close it. */
  async close(): Promise<void> {}
}
