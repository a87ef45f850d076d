/**
 * The Neo4j engine: the same graph as a property graph (see
 * neo4j/projection.ts), written in batches with query parameters, each
 * policy in one transaction so that a failure leaves nothing half-imported.
 * Statements live in cypher/store/, named queries in cypher/<name>.cypher.
 */

import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import neo4j, { type Driver, type ManagedTransaction, type Record as Neo4jRecord } from 'neo4j-driver';
import N3 from 'n3';
import type { Quad } from '@rdfjs/types';
import { DEFAULT_KEEP_VERSIONS, type DerivedGraph, type DerivedGraphPatch, type DerivedGraphWriter, type GraphStore, type KeptFacts, type LoadedPolicy, type LoadOptions, type ParsedPolicy, type PolicySource, policyText, type PolicyVersion, type Progress, type QueryAnswer, type ReadOptions, type Row, type Value } from './graph-store.js';
import { checkParams, isIri, loadNamedQuery, type QueryParams } from './named-queries.js';
import type { PortableRows } from './portable-rows.js';
import { parseTurtle, readTurtle, type TurtleSource } from '../rdf/turtle.js';
import { checkTriples } from '../rdf/serialize.js';
import { parseNTriplesPieces } from '../rdf/ntriples.js';
import { BNODE_SCHEME, RESERVED_KEYS, nodeToQuads, project, relationshipToQuad } from './neo4j/projection.js';
import { diffGraph, type StoredGraph } from './neo4j/graph-diff.js';
import type { NameKind } from './neo4j/names.js';
import { ALIGNMENT_FILE, DCTERMS, ONTOLOGY_FILE, PROJECT_ROOT, RDF, RDFS, STUDIO, VOCABULARY_GRAPH } from '../vocabulary.js';
import { PolicyDeclarationError, PolicyNotLoadedError, QueryError, QueryTimeoutError, ReadOnlyQueryError, StoreConnectionError, StudioError } from '../errors.js';

export interface Neo4jConnection {
  readonly uri: string;
  readonly user: string;
  readonly password: string;
  readonly database?: string;
}

/** Rows written per statement inside a policy's transaction. */
const BATCH = 20_000;

export class Neo4jStore implements GraphStore {
  readonly engine = 'neo4j' as const;

  private constructor(
    private readonly driver: Driver,
    private readonly connection: Neo4jConnection,
    private readonly superclasses: ReadonlyMap<string, readonly string[]>,
  ) {}

  /** Connects, applies cypher/schema.cypher and makes sure the vocabulary is loaded. */
  static async open(connection: Neo4jConnection): Promise<Neo4jStore> {
    const driver = neo4j.driver(connection.uri, neo4j.auth.basic(connection.user, connection.password), {
      connectionTimeout: 10_000,
      maxTransactionRetryTime: 5_000,
    });
    try {
      await driver.verifyConnectivity();
    } catch (error) {
      await driver.close();
      throw connectionError(connection, error);
    }
    const vocabulary = await vocabularySource();
    const store = new Neo4jStore(driver, connection, superclassesOf(vocabulary.quads));
    try {
      for (const statement of (await readStatementFile('schema.cypher')).split(';').map((s) => s.trim()).filter(Boolean)) {
        await store.write((tx) => tx.run(statement));
      }
      const registered = (await store.graphs()).find((g) => g.graph === VOCABULARY_GRAPH);
      if (registered?.sha256 !== vocabulary.sha256) {
        await store.importGraph(VOCABULARY_GRAPH, vocabulary.quads, { kind: 'vocabulary', sha256: vocabulary.sha256 });
      }
    } catch (error) {
      await driver.close();
      throw error;
    }
    return store;
  }

  async loadPolicy(given: PolicySource, progress?: Progress, parsed?: ParsedPolicy, options: LoadOptions = {}): Promise<LoadedPolicy> {
    // Neo4j keeps each version's Turtle as text, so an upload's bytes are decoded here.
    const source = { ...given, text: policyText(given, parsed) };
    // Parsed and checked already (an API upload in its worker thread, `studio load`): its N-Triples are read in pieces, with other requests served between them, rather than the Turtle parsed again on this thread.
    const quads = parsed ? await parseNTriplesPieces(parsed.ntriples) : parseTurtle(source);
    const policies = [...new Set(quads.filter((q) => q.predicate.value === `${RDF}type` && q.object.value === `${STUDIO}Policy`).map((q) => q.subject.value))];
    if (policies.length !== 1) throw new PolicyDeclarationError(source.file, policies);
    const policy = policies[0]!;
    const title = quads.find((q) => q.subject.value === policy && q.predicate.value === `${DCTERMS}title`)?.object.value;
    const meta: Record<string, unknown> = {
      kind: 'policy',
      policy,
      ...(title ? { title } : {}),
      source: source.file,
      sha256: parsed?.sha256 ?? createHash('sha256').update(source.text).digest('hex'),
      triples: quads.length,
      loadedAt: new Date().toISOString(),
      ...(options.loadedBy ? { loadedBy: options.loadedBy } : {}),
    };
    await this.importGraph(policy, quads, meta, progress, { source, keep: options.keepVersions ?? DEFAULT_KEEP_VERSIONS, ...(parsed?.facts ? { facts: parsed.facts } : {}) });
    return toLoadedPolicy(meta);
  }

  async listVersions(policy?: string): Promise<PolicyVersion[]> {
    const records = await this.read(async (tx) => (await tx.run(await readStatement('list-versions'), { policy: policy ?? null })).records);
    return records.map((r) => toLoadedPolicy(r.get('version') as Record<string, unknown>));
  }

  async readVersion(policy: string, sha256: string): Promise<TurtleSource | undefined> {
    const records = await this.read(async (tx) => (await tx.run(await readStatement('read-version'), { policy, sha256 })).records);
    const record = records[0];
    if (!record) return undefined;
    const baseIri = record.get('baseIri') as string | null;
    // A version is kept gzipped (base64): a tenth of the text to write and store. Versions kept before that hold the text itself.
    const packed = record.get('contentGzip') as string | null;
    const text = packed === null ? String(record.get('content')) : gunzipSync(Buffer.from(packed, 'base64')).toString('utf8');
    return { file: String(record.get('source')), text, baseIri: baseIri ?? `file:///version/${sha256}.ttl` };
  }

  async readVersionFacts(policy: string, sha256: string, code: string): Promise<Uint8Array | undefined> {
    const record = (await this.read(async (tx) => (await tx.run(await readStatement('read-version-facts'), { policy, sha256 })).records))[0];
    const [facts, made] = [record?.get('facts') as string | null | undefined, record?.get('code') as string | null | undefined];
    return facts && made === code ? Buffer.from(facts, 'base64') : undefined;
  }

  async listPolicies(): Promise<LoadedPolicy[]> {
    return (await this.graphs()).filter((g) => g.kind === 'policy').map((g) => toLoadedPolicy(g));
  }

  async removePolicy(policy: string): Promise<boolean> {
    if (!(await this.graphs()).some((g) => g.graph === policy)) return false;
    for (const derived of await this.listDerivedGraphs(policy)) await this.importGraph(derived.graph, [], undefined);
    await this.importGraph(policy, [], undefined);
    await this.write(async (tx) => tx.run(await readStatement('remove-versions'), { policy }));
    return true;
  }

  async putDerivedGraph(graph: Omit<DerivedGraph, 'triples' | 'writtenAt'>, quads: readonly Quad[]): Promise<DerivedGraph> {
    const policies = await this.listPolicies();
    if (!policies.some((p) => p.policy === graph.policy)) throw new PolicyNotLoadedError(graph.policy, policies.map((p) => p.policy));
    const meta = {
      kind: 'derived',
      derivedKind: graph.kind,
      policy: graph.policy,
      policySha256: graph.policySha256,
      sha256: createHash('sha256').update(JSON.stringify(graph)).digest('hex'),
      triples: quads.length,
      writtenAt: new Date().toISOString(),
    };
    await this.importGraph(graph.graph, quads, meta);
    return toDerivedGraph({ ...meta, graph: graph.graph });
  }

  /**
   * One explicit transaction from begin to commit, so that a failure, an
   * abort or a lost connection rolls everything back. Begin strips the old
   * version inside it (readers outside still see the old version until
   * commit); each piece then writes its nodes and relationships as an import
   * does. A node a later piece describes again is read back and merged.
   */
  async beginDerivedGraph(graph: Omit<DerivedGraph, 'triples' | 'writtenAt'>): Promise<DerivedGraphWriter> {
    const policies = await this.listPolicies();
    if (!policies.some((p) => p.policy === graph.policy)) throw new PolicyNotLoadedError(graph.policy, policies.map((p) => p.policy));
    const session = this.driver.session({ defaultAccessMode: neo4j.session.WRITE, ...(this.connection.database ? { database: this.connection.database } : {}) });
    const tx = session.beginTransaction();
    const texts = new Map<string, string>();
    for (const name of ['release-graph-relationships', 'release-graph-nodes', 'write-new-nodes', 'describe-nodes', 'write-nodes', 'merge-references', 'create-relationships', 'merge-names', 'delete-released-nodes', 'register-graph']) {
      texts.set(name, await readStatement(name));
    }
    const run = (name: string, params: Record<string, unknown>) => tx.run(texts.get(name)!, { ...params, graph: graph.graph });
    const bnodeScope = createHash('sha1').update(`${graph.graph} ${randomUUID()}`).digest('hex').slice(0, 16);
    /** Names this rewrite used, to read back a node an earlier piece wrote. */
    const names = new Map<string, string>();
    let triples = 0;
    let state: 'open' | 'done' = 'open';
    const fail = async (error: unknown): Promise<never> => {
      if (state === 'open') {
        state = 'done';
        await tx.rollback().catch(() => undefined);
        await session.close().catch(() => undefined);
      }
      throw storeError(this.connection, error, 'nothing of this derived graph was stored (the transaction was rolled back)');
    };
    const ensureOpen = () => {
      if (state !== 'open') throw new StudioError(`derived graph ${graph.graph}: this writer is finished`);
    };
    try {
      await run('release-graph-relationships', {});
      await run('release-graph-nodes', {});
    } catch (error) {
      await fail(error);
    }
    const append = async (quads: readonly Quad[]) => {
      ensureOpen();
      try {
        checkTriples(quads);
        const projection = project(quads, { bnodeScope, superclasses: this.superclasses });
        for (const n of projection.names) names.set(`${n.kind} ${n.name}`, n.iri);
        const ids = new Map<string, string>();
        const collect = (result: { records: Neo4jRecord[] }) => {
          for (const record of result.records) ids.set(record.get('uri'), record.get('id'));
        };
        const sent: Promise<void>[] = [];
        for (const batch of chunks(projection.nodes)) sent.push(run('write-new-nodes', { rows: batch }).then(collect));
        for (const batch of chunks(projection.references)) sent.push(run('merge-references', { uris: batch }).then(collect));
        await Promise.all(sent);
        const again = projection.nodes.filter((n) => !ids.has(n.uri)).map((n) => n.uri);
        if (again.length > 0) await this.mergeNodes(again, quads, bnodeScope, names, run, ids);
        const relationships = projection.relationships.map((r) => {
          const [from, to] = [ids.get(r.from), ids.get(r.to)];
          if (from === undefined || to === undefined) throw new StudioError(`internal: no node id for ${from === undefined ? r.from : r.to}`);
          return { from, type: r.type, to };
        });
        await Promise.all([
          ...chunks(relationships).map((rows) => run('create-relationships', { rows })),
          ...chunks(projection.names).map((rows) => run('merge-names', { rows })),
        ]);
        triples += quads.length;
      } catch (error) {
        await fail(error);
      }
    };
    return {
      append,
      appendNTriples: (text) => append(new N3.Parser({ format: 'application/n-triples' }).parse(text)),
      commit: async () => {
        ensureOpen();
        const meta = {
          kind: 'derived',
          derivedKind: graph.kind,
          policy: graph.policy,
          policySha256: graph.policySha256,
          sha256: createHash('sha256').update(JSON.stringify([graph, triples])).digest('hex'),
          triples,
          writtenAt: new Date().toISOString(),
        };
        try {
          await run('delete-released-nodes', {});
          const registered = await tx.run(await readStatement('list-graphs'));
          if (!registered.records.some((r) => (r.get('graph') as Record<string, unknown>).graph === graph.policy)) {
            throw new PolicyNotLoadedError(graph.policy, []);
          }
          await run('register-graph', { meta });
          await tx.commit();
          state = 'done';
          await session.close();
        } catch (error) {
          await fail(error);
        }
        return toDerivedGraph({ ...meta, graph: graph.graph });
      },
      abort: async () => {
        if (state !== 'open') return;
        state = 'done';
        await tx.rollback().catch(() => undefined);
        await session.close().catch(() => undefined);
      },
    };
  }

  /**
   * One write transaction: the removed subjects' relationships, labels and
   * properties go (release-subjects), the added triples are written as a
   * piece of a rewrite is, released nodes nothing refers to are deleted, and
   * the registry records the new count and version. Nothing else of the
   * graph is read or sent.
   */
  async patchDerivedGraph(graph: Omit<DerivedGraph, 'triples' | 'writtenAt'>, patch: DerivedGraphPatch): Promise<DerivedGraph> {
    const graphs = await this.graphs();
    const policies = graphs.filter((g) => g.kind === 'policy').map((g) => String(g.graph));
    if (!policies.includes(graph.policy)) throw new PolicyNotLoadedError(graph.policy, policies);
    const registered = graphs.find((g) => g.kind === 'derived' && g.graph === graph.graph);
    if (!registered || registered.policy !== graph.policy) throw new StudioError(`derived graph ${graph.graph}: the store keeps no such graph of ${graph.policy} to patch; write it whole first`);
    for (const s of patch.remove) if (!isIri(s)) throw new QueryError('derived graph patch', `a removed subject is not an absolute IRI: ${s}`);
    checkTriples(patch.add);
    if (patch.add.some((q) => q.subject.termType !== 'NamedNode' || q.object.termType === 'BlankNode')) throw new QueryError('derived graph patch', 'added triples hold a blank node');
    const texts = new Map<string, string>();
    for (const name of ['release-subjects', 'write-new-nodes', 'merge-references', 'create-relationships', 'merge-names', 'delete-released-nodes', 'register-graph']) texts.set(name, await readStatement(name));
    const projection = project(patch.add, { bnodeScope: 'patch', superclasses: this.superclasses });
    const meta = {
      kind: 'derived',
      derivedKind: graph.kind,
      policy: graph.policy,
      policySha256: graph.policySha256,
      sha256: '',
      triples: 0,
      writtenAt: new Date().toISOString(),
    };
    await this.write(async (tx) => {
      const run = (name: string, params: Record<string, unknown>) => tx.run(texts.get(name)!, { ...params, graph: graph.graph });
      let removed = 0;
      for (const uris of chunks(patch.remove)) {
        for (const record of (await run('release-subjects', { uris })).records) {
          removed += (record.get('rdfTypes') as unknown[]).length + toNumber(record.get('relationships'));
          const props = record.get('props') as Record<string, unknown>;
          for (const [key, value] of Object.entries(props)) if (!RESERVED_KEYS.has(key) && !key.endsWith('__lang') && !key.endsWith('__dt')) removed += Array.isArray(value) ? value.length : 1;
        }
      }
      const ids = new Map<string, string>();
      const collect = (result: { records: Neo4jRecord[] }) => {
        for (const record of result.records) ids.set(record.get('uri'), record.get('id'));
      };
      for (const rows of chunks(projection.nodes)) collect(await run('write-new-nodes', { rows }));
      // A node write-new-nodes left alone is one the graph still describes: the patch may not add to it.
      const described = projection.nodes.find((n) => !ids.has(n.uri));
      if (described) throw new StudioError(`derived graph ${graph.graph}: the patch adds triples of ${described.uri}, which the graph describes and the patch does not remove`);
      for (const uris of chunks(projection.references)) collect(await run('merge-references', { uris }));
      const relationships = projection.relationships.map((r) => {
        const [from, to] = [ids.get(r.from), ids.get(r.to)];
        if (from === undefined || to === undefined) throw new StudioError(`internal: no node id for ${from === undefined ? r.from : r.to}`);
        return { from, type: r.type, to };
      });
      for (const rows of chunks(relationships)) await run('create-relationships', { rows });
      for (const rows of chunks(projection.names)) await run('merge-names', { rows });
      await run('delete-released-nodes', {});
      meta.triples = toNumber(registered.triples) - removed + patch.add.length;
      meta.sha256 = createHash('sha256').update(JSON.stringify([graph, registered.sha256, patch.remove, meta.triples, meta.writtenAt])).digest('hex');
      await run('register-graph', { meta });
    });
    return toDerivedGraph({ ...meta, graph: graph.graph });
  }

  /**
   * Merges into nodes an earlier piece of the same rewrite described what
   * this piece says of them: their stored types and literals, read back,
   * together with this piece's, written whole again.
   */
  private async mergeNodes(
    uris: readonly string[],
    quads: readonly Quad[],
    bnodeScope: string,
    names: ReadonlyMap<string, string>,
    run: (name: string, params: Record<string, unknown>) => Promise<{ records: Neo4jRecord[] }>,
    ids: Map<string, string>,
  ): Promise<void> {
    const { namedNode, quad } = N3.DataFactory;
    const wanted = new Set(uris);
    const uriOf = (term: Quad['subject']) => (term.termType === 'BlankNode' ? `${BNODE_SCHEME}${bnodeScope}/${term.value}` : term.value);
    const iriOf = (name: string, kind: NameKind) => {
      const iri = names.get(`${kind} ${name}`);
      if (!iri) throw new StudioError(`internal: no IRI recorded for the ${kind} '${name}'`);
      return iri;
    };
    const merged = new Map<string, Map<string, Quad>>();
    const add = (uri: string, q: Quad) => {
      const subject = namedNode(uri);
      const object = q.object;
      const key = `${q.predicate.value} ${object.termType} ${object.value} ${object.termType === 'Literal' ? `${object.language} ${object.datatype.value}` : ''}`;
      let node = merged.get(uri);
      if (!node) merged.set(uri, (node = new Map()));
      node.set(key, quad(subject, q.predicate as N3.Quad_Predicate, object as N3.Quad_Object));
    };
    for (const record of (await run('describe-nodes', { uris })).records) {
      const node = { uri: record.get('uri') as string, rdfTypes: record.get('rdfTypes') as string[], props: record.get('props') as Record<string, unknown> };
      for (const q of nodeToQuads(node, iriOf)) add(node.uri, q);
    }
    for (const q of quads) {
      const uri = uriOf(q.subject);
      // Relationships were written by the piece itself; only types and literals live on the node.
      if (wanted.has(uri) && (q.object.termType === 'Literal' || q.predicate.value === `${RDF}type`)) add(uri, q);
    }
    const rows = project([...merged.values()].flatMap((m) => [...m.values()]), { bnodeScope, superclasses: this.superclasses }).nodes;
    for (const batch of chunks(rows)) {
      for (const record of (await run('write-nodes', { rows: batch })).records) ids.set(record.get('uri'), record.get('id'));
    }
  }

  async listDerivedGraphs(policy?: string): Promise<DerivedGraph[]> {
    return (await this.graphs())
      .filter((g) => g.kind === 'derived' && (policy === undefined || g.policy === policy))
      .map(toDerivedGraph)
      .sort((a, b) => a.graph.localeCompare(b.graph));
  }

  async namedQuery(name: string, params: QueryParams = {}, options: ReadOptions = {}): Promise<Row[]> {
    const query = await loadNamedQuery(name, 'cypher');
    checkParams(query, params);
    const records = await this.read((tx) => tx.run(query.text, params).then((r) => r.records), { name, ...options });
    return records.map(toRow);
  }

  /** Neo4j's rows are objects as they arrive: they travel as rows. */
  async namedQueryPortable(name: string, params: QueryParams = {}, options: ReadOptions = {}): Promise<PortableRows> {
    return { rows: await this.namedQuery(name, params, options) };
  }

  async query(text: string, options: ReadOptions = {}): Promise<QueryAnswer> {
    let queryType: string;
    try {
      const plan = await this.read((tx) => tx.run(`EXPLAIN ${text}`));
      queryType = plan.summary.queryType;
    } catch (error) {
      if (error instanceof StudioError) throw error;
      throw new QueryError('ad-hoc query', (error as Error).message, { cause: error });
    }
    if (queryType !== 'r') throw new ReadOnlyQueryError(`this Cypher statement writes (query type '${queryType}')`);
    try {
      const result = await this.read((tx) => tx.run(text), { name: 'ad-hoc query', ...options });
      return { kind: 'rows', columns: [...result.records[0]?.keys ?? []].map(String), rows: result.records.map(toRow) };
    } catch (error) {
      if (error instanceof StudioError) throw error;
      throw new QueryError('ad-hoc query', (error as Error).message, { cause: error });
    }
  }

  async exportQuads(policy?: string): Promise<Quad[]> {
    const graphs = (await this.listPolicies()).map((p) => p.policy).filter((p) => policy === undefined || p === policy);
    return this.read(async (tx) => {
      const names = new Map<string, string>();
      for (const record of (await tx.run(await readStatement('list-names'))).records) {
        names.set(`${record.get('kind')} ${record.get('name')}`, record.get('iri'));
      }
      const iriOf = (name: string, kind: NameKind): string => {
        const iri = names.get(`${kind} ${name}`);
        if (!iri) throw new StudioError(`Neo4j holds the ${kind} '${name}' with no recorded IRI; reload the policy`);
        return iri;
      };
      const quads: Quad[] = [];
      for (const graph of graphs) {
        const stored = await this.readGraph(tx, graph);
        for (const node of stored.nodes) quads.push(...nodeToQuads(node, iriOf));
        for (const r of stored.relationships) quads.push(relationshipToQuad(r.from, r.type, r.to, iriOf));
      }
      return quads;
    });
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  /**
   * Replaces a graph in one transaction, writing only what differs from the
   * stored version: the old version stays, or the new one is complete.
   * Without meta, the graph is removed. With `version` (a policy), the same
   * transaction keeps its source as a :_StudioVersion node, records in meta
   * which version it revised, and prunes the replaced versions beyond `keep`.
   */
  private async importGraph(
    graph: string,
    quads: readonly Quad[],
    meta: Record<string, unknown> | undefined,
    progress?: Progress,
    version?: { readonly source: TurtleSource; readonly keep: number; readonly facts?: KeptFacts },
  ): Promise<void> {
    const projection = project(quads, {
      bnodeScope: createHash('sha1').update(`${graph} ${String(meta?.sha256)}`).digest('hex').slice(0, 16),
      superclasses: this.superclasses,
    });
    await this.write(async (tx) => {
      const stored = await this.readGraph(tx, graph);
      const changes = diffGraph(stored, projection);
      const ids = new Map(stored.nodes.map((n) => [n.uri, n.id]));
      const total = changes.deleteRelationships.length + changes.release.length + changes.write.length + projection.references.length +
        changes.createRelationships.length + changes.maybeUnused.length + projection.names.length;
      let done = 0;
      progress?.(0, total + 1);
      // Statements are sent without waiting for the previous one's result:
      // Bolt runs them in the order they are sent, and the client encodes the
      // next batch while the server executes this one. Nodes come first, since
      // relationships are created between the element ids their writes return,
      // and unused nodes are deleted only after the new relationships exist.
      const texts = new Map<string, string>();
      for (const name of ['delete-relationships', 'release-nodes', 'write-nodes', 'merge-references', 'create-relationships', 'delete-unused-nodes', 'merge-names']) {
        texts.set(name, await readStatement(name));
      }
      const send = (statement: string, key: 'rows' | 'uris', items: readonly unknown[]): Promise<void>[] =>
        chunks(items).map((batch) =>
          tx.run(texts.get(statement)!, { [key]: batch, graph }).then((result) => {
            progress?.((done += batch.length), total + 1);
            for (const record of result.records) if (record.has('id')) ids.set(record.get('uri'), record.get('id'));
          }),
        );
      await Promise.all([
        ...send('delete-relationships', 'rows', changes.deleteRelationships),
        ...send('release-nodes', 'uris', changes.release),
        ...send('write-nodes', 'rows', changes.write),
        ...send('merge-references', 'uris', projection.references),
      ]);
      const relationships = changes.createRelationships.map((r) => {
        const [from, to] = [ids.get(r.from), ids.get(r.to)];
        // Every end is a node this graph describes or refers to, so its id is known; a gap would drop a triple silently.
        if (from === undefined || to === undefined) throw new StudioError(`internal: no node id for ${from === undefined ? r.from : r.to}`);
        return { from, type: r.type, to };
      });
      await Promise.all([
        ...send('create-relationships', 'rows', relationships),
        ...send('delete-unused-nodes', 'uris', changes.maybeUnused),
        ...send('merge-names', 'rows', projection.names),
      ]);
      if (meta && version) {
        // Which version this one revises: the one registered now, when it differs; else what that one revised.
        const current = (await tx.run(await readStatement('current-version'), { graph })).records[0];
        const [before, beforeRevised] = [current?.get('sha256') as string | null | undefined, current?.get('revisionOf') as string | null | undefined];
        const revisionOf = before && before !== meta.sha256 ? before : beforeRevised;
        delete meta.revisionOf;
        if (revisionOf) meta.revisionOf = revisionOf;
        const { kind: _kind, ...kept } = meta;
        await tx.run(await readStatement('record-version'), {
          version: {
            ...kept,
            contentGzip: gzipSync(version.source.text, { level: 1 }).toString('base64'),
            ...(version.source.baseIri ? { baseIri: version.source.baseIri } : {}),
            // Its facts (gzipped already), when it was parsed with them: see GraphStore.readVersionFacts.
            ...(version.facts ? { factsGzip: Buffer.from(version.facts.bytes).toString('base64'), factsCode: version.facts.code } : {}),
          },
        });
        await tx.run(await readStatement('prune-versions'), { policy: meta.policy, current: meta.sha256, keep: neo4j.int(Math.max(0, version.keep)) });
      }
      if (meta) await tx.run(await readStatement('register-graph'), { graph, meta });
      else await tx.run(await readStatement('unregister-graph'), { graph });
      progress?.(total + 1, total + 1);
    });
  }

  /** The stored version of a graph: for export, or read inside the transaction that will replace it. */
  private async readGraph(tx: ManagedTransaction, graph: string): Promise<StoredGraph> {
    const nodes = (await tx.run(await readStatement('export-nodes'), { graph })).records.map((r) => ({
      uri: r.get('uri') as string,
      id: r.get('id') as string,
      labels: r.get('labels') as string[],
      rdfTypes: r.get('rdfTypes') as string[],
      props: r.get('props') as Record<string, unknown>,
    }));
    const relationships = (await tx.run(await readStatement('export-relationships'), { graph })).records.map((r) => ({
      from: r.get('from') as string,
      type: r.get('type') as string,
      to: r.get('to') as string,
    }));
    return { nodes, relationships };
  }

  private async graphs(): Promise<Record<string, unknown>[]> {
    const records = await this.read(async (tx) => (await tx.run(await readStatement('list-graphs'))).records);
    return records.map((r) => r.get('graph') as Record<string, unknown>);
  }

  private async write<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const session = this.driver.session({ defaultAccessMode: neo4j.session.WRITE, ...(this.connection.database ? { database: this.connection.database } : {}) });
    try {
      return await session.executeWrite(work);
    } catch (error) {
      throw storeError(this.connection, error, 'nothing of this change was stored (the transaction was rolled back)');
    } finally {
      await session.close();
    }
  }

  /** A read transaction; with a deadline, Neo4j itself stops the transaction when it runs past it. */
  private async read<T>(work: (tx: ManagedTransaction) => Promise<T>, options: ReadOptions & { name?: string } = {}): Promise<T> {
    const session = this.driver.session({ defaultAccessMode: neo4j.session.READ, ...(this.connection.database ? { database: this.connection.database } : {}) });
    try {
      return await session.executeRead(work, options.deadlineMs !== undefined ? { timeout: options.deadlineMs } : undefined);
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (options.deadlineMs !== undefined && /TransactionTimedOut/.test(code)) throw new QueryTimeoutError(options.name ?? 'Cypher', options.deadlineMs);
      throw storeError(this.connection, error);
    } finally {
      await session.close();
    }
  }
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH));
  return out;
}

const statements = new Map<string, string>();

async function readStatementFile(file: string): Promise<string> {
  let text = statements.get(file);
  if (text === undefined) {
    const raw = await readFile(path.join(PROJECT_ROOT, 'cypher', file), 'utf8');
    text = raw
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('//'))
      .join('\n')
      .trim();
    statements.set(file, text);
  }
  return text;
}

/** One statement of the store's own, from cypher/store/<name>.cypher. */
function readStatement(name: string): Promise<string> {
  return readStatementFile(path.join('store', `${name}.cypher`));
}

/** The vocabulary graph: ontology/studio.ttl and alignment.ttl, with a digest to tell whether Neo4j holds this version. */
async function vocabularySource(): Promise<{ quads: Quad[]; sha256: string }> {
  const sources = [await readTurtle(ONTOLOGY_FILE), await readTurtle(ALIGNMENT_FILE)];
  const quads = sources.flatMap((s) => parseTurtle(s));
  return { quads, sha256: createHash('sha256').update(sources.map((s) => s.text).join('\n')).digest('hex') };
}

/** For each studio class, its studio superclasses (transitively), so nodes get :Rule beside :Prohibition. */
function superclassesOf(vocabulary: readonly Quad[]): Map<string, string[]> {
  const direct = new Map<string, string[]>();
  for (const q of vocabulary) {
    if (q.predicate.value === `${RDFS}subClassOf` && q.subject.value.startsWith(STUDIO) && q.object.value.startsWith(STUDIO)) {
      direct.set(q.subject.value, [...(direct.get(q.subject.value) ?? []), q.object.value]);
    }
  }
  const closure = new Map<string, string[]>();
  for (const start of direct.keys()) {
    const seen = new Set<string>();
    const stack = [...(direct.get(start) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(direct.get(next) ?? []));
    }
    closure.set(start, [...seen]);
  }
  return closure;
}

function toRow(record: Neo4jRecord): Row {
  return Object.fromEntries(record.keys.map((key) => [String(key), toValue(record.get(key))]));
}

function toValue(value: unknown): Value {
  if (value === null || value === undefined) return null;
  if (neo4j.isInt(value)) return value.toNumber();
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return JSON.stringify(value.map(toValue));
  if (typeof value === 'object' && 'toString' in value && (neo4j.isDate(value) || neo4j.isDateTime(value) || neo4j.isLocalDateTime(value))) return value.toString();
  return JSON.stringify(value);
}

function toNumber(value: unknown): number {
  return neo4j.isInt(value) ? value.toNumber() : Number(value ?? 0);
}

function toDerivedGraph(g: Record<string, unknown>): DerivedGraph {
  return {
    graph: String(g.graph),
    kind: String(g.derivedKind),
    policy: String(g.policy),
    policySha256: String(g.policySha256),
    triples: toNumber(g.triples),
    writtenAt: String(g.writtenAt),
  };
}

function toLoadedPolicy(g: Record<string, unknown>): LoadedPolicy {
  return {
    policy: String(g.policy),
    ...(g.title ? { title: String(g.title) } : {}),
    source: String(g.source),
    sha256: String(g.sha256),
    triples: toNumber(g.triples),
    loadedAt: String(g.loadedAt),
    ...(g.loadedBy ? { loadedBy: String(g.loadedBy) } : {}),
    ...(g.revisionOf ? { revisionOf: String(g.revisionOf) } : {}),
  };
}

/** Says what to check when Neo4j cannot be reached or refuses the studio. */
function connectionError(connection: Neo4jConnection, error: unknown): StudioError {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'Neo.ClientError.Security.Unauthorized' || /unauthorized|authentication/i.test(String(error))) {
    return new StoreConnectionError(`Neo4j at ${connection.uri} refused user '${connection.user}': check NEO4J_USER and NEO4J_PASSWORD.`, { cause: error });
  }
  return new StoreConnectionError(
    `Cannot reach Neo4j at ${connection.uri} (${(error as Error).message}). Is it running? Start the project's server with scripts/neo4j/start.sh, or set NEO4J_URI to yours.`,
    { cause: error },
  );
}

function storeError(connection: Neo4jConnection, error: unknown, consequence?: string): StudioError {
  if (error instanceof StudioError) return error;
  const code = (error as { code?: string }).code ?? '';
  if (code === 'ServiceUnavailable' || code === 'SessionExpired' || /connection|socket|ECONNRESET|ECONNREFUSED/i.test(String(error))) {
    const base = connectionError(connection, error);
    return new StoreConnectionError(consequence ? `${base.message} Lost during a write: ${consequence}.` : base.message, { cause: error });
  }
  if (code.startsWith('Neo.ClientError.Statement')) return new QueryError('Cypher', (error as Error).message, { cause: error });
  if (code === 'Neo.TransientError.General.MemoryPoolOutOfMemoryError') {
    return new StoreConnectionError(
      `Neo4j at ${connection.uri} ran out of transaction memory (${(error as Error).message}). A policy is imported in one transaction: raise the server's heap or dbms.memory.transaction.total.max${consequence ? `; ${consequence}` : ''}.`,
      { cause: error },
    );
  }
  return new StoreConnectionError(`Neo4j at ${connection.uri} failed: ${(error as Error).message}${consequence ? `; ${consequence}` : ''}`, { cause: error });
}

