/**
 * The embedded engine: oxigraph in process, SPARQL 1.1, the vocabulary in
 * its own graph and each policy in a graph of its own. What is loaded is kept
 * in a data folder (see data-folder.ts). Opening reads only the folder's
 * manifest: the graphs are read into oxigraph when a query first needs them,
 * so that a command that only lists policies, writes a graph or asks what the
 * manifest keeps (the rule summary of `studio stats`) never reads them.
 * A server's store (`serving`) keeps no oxigraph store in its own thread at
 * all: it writes the data folder and the manifest, and its query threads,
 * which read the folder's files themselves, run every read. Feeding a store
 * in the server's thread held /health for up to 350 ms at a time while a
 * million triples went in.
 */

import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import oxigraph from 'oxigraph';
import type { Quad } from '@rdfjs/types';
import N3 from 'n3';
import { DataFolder, PendingFile, entryFiles, linePieces, textPieces, versionKey, type GraphEntry, type GraphPatchEntry } from './data-folder.js';
import { SubjectCounter, SubjectIndex } from './subject-index.js';
import { DEFAULT_KEEP_VERSIONS, versionIri, type DerivedGraph, type DerivedGraphPatch, type DerivedGraphWriter, type GraphStore, type KeptSummary, type LoadedPolicy, type LoadOptions, type ParsedPolicy, type PolicySource, policyText, type PolicyVersion, type Progress, type QueryAnswer, type ReadOptions, type Row } from './graph-store.js';
import { QueryThread, type MirrorOp, type ThreadAnswer, type ThreadSource } from './query-thread.js';
import { pieceRows, type PortableRows } from './portable-rows.js';
import { checkParams, isIri, loadNamedQuery, type QueryParams, type ScalarType, type ScalarValue, type TableValue } from './named-queries.js';
import { TURTLE, readTurtle, toSyntaxError, type TurtleSource } from '../rdf/turtle.js';
import { fromSparqlJson, sparqlTerm, SPARQL_JSON, type SparqlJson } from '../rdf/terms.js';
import { ALIGNMENT_FILE, ONTOLOGY_FILE, STUDIO, VOCABULARY_GRAPH, DCTERMS } from '../vocabulary.js';
import { checkTriples, nTriples } from '../rdf/serialize.js';
import { ntriplesPieces } from '../rdf/ntriples.js';
import { DataFolderError, PolicyDeclarationError, PolicyNotLoadedError, QueryAbortedError, QueryError, ReadOnlyQueryError, StudioError } from '../errors.js';

export interface EmbeddedStoreOptions {
  /** Where loaded policies are kept between runs; omit for a store that forgets on close. */
  readonly dataDir?: string;
  /** Read every graph now rather than at the first query (a server, whose first request should not wait for it). */
  readonly eager?: boolean;
  /**
   * A server's store (needs `dataDir`): nothing is read into oxigraph in this
   * thread; the query threads read the folder now and follow each write, and
   * every query runs there (one without a deadline too).
   */
  readonly serving?: boolean;
}

/**
 * The named query whose answer on each policy graph alone is kept in the
 * manifest when the policy is loaded (what `studio stats` asks); the store
 * answers it from there, adding up the graphs' rows. `count` is the column
 * summed where two graphs give the same group; `order` the query's ORDER BY.
 * Both must follow the query's text (tests/store/embedded-store.test.ts
 * compares the kept answer with the query's). The graphs' answers add up to
 * the union's because a policy describes only its own resources (the load
 * refuses one that describes another's); a rule filed under a section that
 * only another policy describes would show that section without its number
 * and title.
 */
const KEPT_QUERY = { name: 'rule-summary', count: 'rules', order: ['policy', 'section', 'kind'] } as const;

export class EmbeddedStore implements GraphStore {
  readonly engine = 'embedded' as const;
  /** Where reads with a deadline run (every read, when serving): ad-hoc queries in one worker, named queries in another, so that a slow ad-hoc query does not hold up the routes. */
  private readonly threads: { readonly adhoc: QueryThread; readonly named: QueryThread };
  /**
   * Where reads asked to run aside run (ReadOptions.aside, a store with a
   * data folder that does not serve): one worker per set of derived kinds
   * skipped, which reads the rest from the folder's files, so that this
   * thread reads nothing; it follows the store's writes as the other threads
   * do, but for graphs of a kind it skips. Keyed by the kinds, sorted.
   */
  private readonly asideThreads = new Map<string, { readonly thread: QueryThread; readonly skips: ReadonlySet<string> }>();
  /** The file each graph in oxigraph was read from (or written to), by graph name. */
  private readonly inMemory = new Map<string, string>();
  /** Derived graphs whose new version is being read into oxigraph (a commit), in pieces. */
  private readonly committing = new Set<string>();
  /** True once the vocabulary and every graph of the folder are in oxigraph; from then on each write keeps it so. */
  private complete = false;
  /** The last read of graphs into oxigraph (readGraphs), which the next one waits for. */
  private reading: Promise<void> = Promise.resolve();
  /** Without a data folder, the source of each policy and kept version, by file name (with one, the folder keeps them). */
  private readonly texts = new Map<string, string>();
  /** Without a data folder: the facts kept with each version (GraphEntry.facts), by file name. */
  private readonly factBytes = new Map<string, Uint8Array>();

  private constructor(
    private readonly store: oxigraph.Store,
    private readonly folder: DataFolder | undefined,
    private entries: GraphEntry[],
    private readonly dataDir: string | undefined,
    private readonly serving: boolean,
  ) {
    // A server's threads read the store as it opens, and again at once when a deadline stops one.
    this.threads = { adhoc: this.newThread(serving), named: this.newThread(serving) };
  }

  /** Opens the store: reads the data folder's manifest (and, if eager, every graph it keeps; if serving, the threads read them). */
  static async open(options: EmbeddedStoreOptions = {}): Promise<EmbeddedStore> {
    if (options.serving && !options.dataDir) throw new StudioError('a serving embedded store needs a data folder: its query threads read the graphs from there');
    const folder = options.dataDir ? await DataFolder.open(options.dataDir) : undefined;
    const entries = folder ? await folder.entries() : [];
    const opened = new EmbeddedStore(new oxigraph.Store(), folder, entries, options.dataDir, options.serving ?? false);
    if (options.eager && !options.serving) await opened.readGraphs();
    return opened;
  }

  /**
   * Reads into oxigraph the vocabulary and every graph the folder keeps that
   * is not there yet, as the manifest lists them now (a graph another
   * process replaced meanwhile is read in its new version). With `wanted`,
   * only the graphs it picks (a named query that declares the derived graphs
   * its answer never depends on, `@skips`, or an export of policy graphs):
   * `studio generate --changed` then never reads the generated graph it
   * patches. Reads run one after the other, so that two never read a graph
   * twice; the store is complete once a read left nothing out.
   */
  private async readGraphs(wanted?: (entry: GraphEntry) => boolean): Promise<void> {
    if (this.complete || this.serving) return;
    const read = this.reading.catch(() => undefined).then(() => this.readMissing(wanted));
    this.reading = read;
    await read;
  }

  private async readMissing(wanted: ((entry: GraphEntry) => boolean) | undefined): Promise<void> {
    if (this.complete) return;
    if (!this.inMemory.has(VOCABULARY_GRAPH)) {
      const vocabularyGraph = oxigraph.namedNode(VOCABULARY_GRAPH);
      for (const file of [ONTOLOGY_FILE, ALIGNMENT_FILE]) {
        const source = await readTurtle(file);
        this.store.load(source.text, { format: TURTLE, base_iri: source.baseIri, to_graph_name: vocabularyGraph });
      }
      this.inMemory.set(VOCABULARY_GRAPH, '');
    }
    let leftOut = false;
    if (this.folder) {
      const pick = (entries: readonly GraphEntry[]) => {
        const onDisk = new Map(entries.map((e) => [e.graph, versionKey(e)]));
        // A graph whose file is no longer the one listed (another process replaced or removed it) goes first.
        for (const [graph, file] of [...this.inMemory]) {
          if (graph !== VOCABULARY_GRAPH && onDisk.get(graph) !== file) {
            this.dropGraph(graph);
            this.inMemory.delete(graph);
          }
        }
        // Kept versions are history: never read into the store, so that no query sees them.
        const missing = entries.filter((e) => e.kind !== 'version' && !this.inMemory.has(e.graph));
        const picked = wanted ? missing.filter(wanted) : missing;
        leftOut = picked.length < missing.length;
        return picked;
      };
      const failed = (entry: GraphEntry, error: unknown) => {
        this.dropGraph(entry.graph);
        this.inMemory.delete(entry.graph);
        return new DataFolderError(`${this.dataDir}/graphs/${entry.file} (${entry.kind === 'policy' ? 'policy' : `${entry.derivedKind ?? 'derived'} graph of`} ${entry.policy ?? entry.graph}, from ${entry.source ?? 'the studio'}): cannot be read back (${String(error)}); reload the policy from its Turtle with 'studio load'`);
      };
      const text = (entry: GraphEntry, text: string, trusted: boolean) => {
        try {
          // Without a transaction (a quarter quicker for a generated graph of a million triples): a graph that
          // fails part way is dropped whole below, as one read in pieces always was. A derived graph's file the
          // manifest's SHA-256 still vouches for is parsed without checking its terms again (lenient: another
          // quarter); any other file is checked.
          this.store.load(text, {
            format: entry.format,
            ...(entry.baseIri ? { base_iri: entry.baseIri } : {}),
            to_graph_name: oxigraph.namedNode(entry.graph),
            no_transaction: true,
            ...(trusted ? { lenient: true } : {}),
          });
        } catch (error) {
          throw failed(entry, error);
        }
        this.inMemory.set(entry.graph, versionKey(entry));
      };
      const remove = (entry: GraphEntry, subjects: readonly string[]) => {
        try {
          this.removeSubjects(entry.graph, subjects);
        } catch (error) {
          throw failed(entry, error);
        }
      };
      this.entries = await this.folder.read(pick, { text, remove });
    }
    if (!leftOut) this.complete = true;
  }

  async loadPolicy(source: PolicySource, progress?: Progress, parsed?: ParsedPolicy, options: LoadOptions = {}): Promise<LoadedPolicy> {
    const graph = oxigraph.namedNode(`urn:studio:graph:${randomUUID()}`);
    progress?.(0, 3);
    // Serving, the policy is read only to check it: in a scratch store, and not at all when it comes parsed.
    const store = this.serving ? (parsed ? undefined : new oxigraph.Store()) : this.store;
    try {
      return await this.loadPolicyInto(store, graph, source, progress, parsed, options);
    } finally {
      if (store && store !== this.store) (store as unknown as { free(): void }).free();
    }
  }

  private async loadPolicyInto(store: oxigraph.Store | undefined, graph: oxigraph.NamedNode, source: PolicySource, progress: Progress | undefined, parsed: ParsedPolicy | undefined, options: LoadOptions): Promise<LoadedPolicy> {
    // Counting the store walks it: only a load of Turtle needs it (a parsed policy knows its triples).
    const sizeBefore = parsed || !store ? 0 : store.size;
    // A scratch store is freed whole; only the server's own store must lose the graph.
    const drop = () => store === this.store && this.dropGraph(graph.value);
    try {
      if (!store) {
        // Serving a parsed policy: the query threads take it below.
      } else if (parsed) {
        // Parsed and checked already: N-Triples in pieces, with other requests served between them.
        for (const piece of ntriplesPieces(parsed.ntriples)) {
          store.load(piece, { format: NTRIPLES, to_graph_name: graph, no_transaction: true });
          await new Promise((resolve) => setImmediate(resolve));
        }
      } else {
        store.load(policyText(source), { format: TURTLE, base_iri: source.baseIri, to_graph_name: graph });
      }
    } catch (error) {
      drop();
      throw toSyntaxError(source.file, error);
    }
    progress?.(1, 3);
    try {
      let policy: string;
      let title: string | undefined;
      if (store) {
        const policies = store.match(null, oxigraph.namedNode(RDF_TYPE), oxigraph.namedNode(`${STUDIO}Policy`), graph);
        if (policies.length !== 1) {
          throw new PolicyDeclarationError(source.file, policies.map((q) => q.subject.value));
        }
        policy = policies[0]!.subject.value;
        title = parsed ? parsed.title : store.match(policies[0]!.subject, oxigraph.namedNode(`${DCTERMS}title`), null, graph)[0]?.object.value;
      } else {
        // The upload's check found exactly one studio:Policy.
        policy = parsed!.policy;
        title = parsed!.title;
      }
      let entry: GraphEntry = {
        graph: graph.value,
        kind: 'policy',
        file: `${graph.value.slice('urn:studio:graph:'.length)}.ttl`,
        format: TURTLE,
        baseIri: source.baseIri,
        policy,
        ...(title ? { title } : {}),
        source: source.file,
        sha256: parsed?.sha256 ?? createHash('sha256').update(policyText(source)).digest('hex'),
        // The graph is new, so the store grew by exactly its triples (counting them with match() would copy each one out of WebAssembly).
        triples: parsed ? parsed.triples : store!.size - sizeBefore,
        loadedAt: new Date().toISOString(),
        ...(options.loadedBy ? { loadedBy: options.loadedBy } : {}),
        bytes: parsed?.turtle?.byteLength ?? Buffer.byteLength(policyText(source, parsed), 'utf8'),
        // A policy checked in a worker brings its summary, so that the query does not hold up the server's thread.
        ...(parsed?.summary?.name === KEPT_QUERY.name ? { summary: parsed.summary } : store ? await summarise(store, graph) : await summariseParsed(parsed!)),
      };
      // Its facts, when it was parsed with them, in a file of their own beside it (named by version and code: never rewritten with other bytes).
      const facts = parsed?.facts ? { file: `facts-${entry.sha256.slice(0, 32)}-${parsed.facts.code.slice(0, 16)}.json.gz`, code: parsed.facts.code } : undefined;
      if (facts) entry = { ...entry, facts };
      // Graphs derived from the policy stay: they record the version they came from. The version replaced is kept when it differs.
      const isOld = (e: GraphEntry) => e.kind === 'policy' && e.policy === policy;
      const replaced = this.entries.filter(isOld);
      const keep = options.keepVersions ?? DEFAULT_KEEP_VERSIONS;
      let loaded = entry;
      const replace = (entries: readonly GraphEntry[]) => {
        const next = keepReplacedVersion(entries, entry, keep);
        loaded = next.find((e) => e.graph === entry.graph)!;
        return next;
      };
      progress?.(2, 3);
      // An upload's bytes are written as they came; only Turtle given as text is encoded here (a piece a turn).
      if (this.folder) await this.folder.update({ [entry.file]: parsed?.turtle ?? textPieces(policyText(source)), ...(facts ? { [facts.file]: parsed!.facts!.bytes } : {}) }, replace);
      else {
        this.texts.set(entry.file, policyText(source, parsed));
        if (facts) this.factBytes.set(facts.file, parsed!.facts!.bytes);
      }
      const onDisk = loaded;
      if (!this.serving) {
        for (const old of replaced) {
          this.dropGraph(old.graph);
          this.inMemory.delete(old.graph);
        }
        this.inMemory.set(graph.value, entry.file);
      }
      // The entries and the threads change together (no await between): a thread that starts later reads the new entries.
      this.entries = replace(this.entries);
      this.forgetTexts();
      // The threads share one copy of the triples: posting a million triples as pieces of text held the loop.
      // A thread not started has nothing to follow (it reads the store as it is when it starts).
      if (this.threadsStarted) {
        if (parsed) this.mirror({ op: 'load-bytes', bytes: sharedCopy(parsed.ntriples), graph: graph.value });
        else this.mirror({ op: 'load', text: policyText(source), format: TURTLE, baseIri: source.baseIri, graph: graph.value });
      }
      for (const old of replaced) this.mirror({ op: 'drop', graph: old.graph });
      progress?.(3, 3);
      return toLoadedPolicy(this.folder ? onDisk : loaded);
    } catch (error) {
      drop();
      throw error;
    }
  }

  async listPolicies(): Promise<LoadedPolicy[]> {
    return this.entries.filter((e) => e.kind === 'policy').map(toLoadedPolicy).sort((a, b) => a.policy.localeCompare(b.policy));
  }

  async listVersions(policy?: string): Promise<PolicyVersion[]> {
    return this.entries
      .filter((e) => e.kind === 'version' && (policy === undefined || e.policy === policy))
      .map(toLoadedPolicy)
      .sort((a, b) => b.loadedAt.localeCompare(a.loadedAt) || a.policy.localeCompare(b.policy));
  }

  async readVersion(policy: string, sha256: string): Promise<TurtleSource | undefined> {
    const isIt = (e: GraphEntry) => (e.kind === 'policy' || e.kind === 'version') && e.policy === policy && e.sha256 === sha256;
    if (!this.folder) {
      const entry = this.entries.find(isIt);
      const text = entry ? this.texts.get(entry.file) : undefined;
      return entry && text !== undefined ? { file: entry.source ?? entry.file, text, baseIri: entry.baseIri ?? `file:///version/${sha256}.ttl` } : undefined;
    }
    // As the manifest lists it now: another process may have loaded or pruned since this store opened.
    let found: TurtleSource | undefined;
    const texts: string[] = [];
    await this.folder.read((entries) => entries.filter(isIt).slice(0, 1), {
      text: (entry, text) => {
        texts.push(text);
        found = { file: entry.source ?? entry.file, text: '', baseIri: entry.baseIri ?? `file:///version/${sha256}.ttl` };
      },
    });
    return found ? { ...found, text: texts.join('') } : undefined;
  }

  async removePolicy(policy: string): Promise<boolean> {
    const removed = this.entries.filter((e) => e.policy === policy && e.kind !== 'version');
    if (removed.length === 0) return false;
    const remove = (entries: readonly GraphEntry[]) => entries.filter((e) => e.policy !== policy);
    await this.folder?.update({}, remove);
    for (const entry of removed) {
      if (!this.serving) this.dropGraph(entry.graph);
      this.inMemory.delete(entry.graph);
      this.mirror({ op: 'drop', graph: entry.graph }, entry.kind === 'derived' ? entry.derivedKind : undefined);
    }
    this.entries = remove(this.entries);
    this.forgetTexts();
    return true;
  }

  /** Without a data folder: forgets the sources no entry names any more. */
  private forgetTexts(): void {
    if (this.folder) return;
    const used = new Set(this.entries.flatMap(entryFiles));
    for (const file of this.texts.keys()) if (!used.has(file)) this.texts.delete(file);
    for (const file of this.factBytes.keys()) if (!used.has(file)) this.factBytes.delete(file);
  }

  async readVersionFacts(policy: string, sha256: string, code: string): Promise<Uint8Array | undefined> {
    const entry = this.entries.find((e) => (e.kind === 'policy' || e.kind === 'version') && e.policy === policy && e.sha256 === sha256 && e.facts?.code === code);
    if (!entry?.facts) return undefined;
    // A file another process pruned meanwhile reads as none: the version is then parsed.
    return this.folder ? this.folder.readGraphFile(entry.facts.file) : this.factBytes.get(entry.facts.file);
  }

  async putDerivedGraph(graph: Omit<DerivedGraph, 'triples' | 'writtenAt'>, quads: readonly Quad[]): Promise<DerivedGraph> {
    const writer = await this.beginDerivedGraph(graph);
    try {
      // In pieces: a generated graph can hold millions of triples, more than one string can.
      for (let start = 0; start < quads.length; start += PIECE) await writer.append(quads.slice(start, start + PIECE));
      return await writer.commit();
    } finally {
      await writer.abort();
    }
  }

  /**
   * A patch in proportion to itself. In the data folder the graph's file
   * stays as it is: the patch is written beside it, as the subjects whose
   * triples it removes and the N-Triples it adds (GraphPatchEntry), listed
   * after the file and any patches before it. The graph's subject index
   * (src/store/subject-index.ts) counts the triples removed and refuses
   * adding to a subject the graph keeps, so the graph's file is not even
   * read. Once the patches have added and removed a quarter as many triples
   * as the file holds, or there would be more than MAX_PATCHES of them, or the
   * graph has no index (a folder of an older studio), the graph is written whole again
   * instead (rewritePatched), so that its size stays within a few patches
   * of what it holds. Either way the manifest switches as a commit does;
   * crash-safe the same way. In oxigraph, only the removed subjects'
   * triples are deleted and the added ones loaded; query threads read the
   * new version.
   */
  async patchDerivedGraph(graph: Omit<DerivedGraph, 'triples' | 'writtenAt'>, patch: DerivedGraphPatch): Promise<DerivedGraph> {
    const policies = this.entries.filter((e) => e.kind === 'policy');
    if (!policies.some((e) => e.policy === graph.policy)) throw new PolicyNotLoadedError(graph.policy, policies.map((e) => e.policy!));
    const entry = this.entries.find((e) => e.kind === 'derived' && e.graph === graph.graph);
    if (!entry || entry.policy !== graph.policy) throw new StudioError(`derived graph ${graph.graph}: the store keeps no such graph of ${graph.policy} to patch; write it whole first`);
    if (entry.format !== NTRIPLES) throw new DataFolderError(`derived graph ${graph.graph}: kept as ${entry.format}, not N-Triples; write it whole first`);
    for (const s of patch.remove) if (!isIri(s)) throw new QueryError('derived graph patch', `a removed subject is not an absolute IRI: ${s}`);
    checkTriples(patch.add);
    if (patch.add.some((q) => q.subject.termType !== 'NamedNode' || q.object.termType === 'BlankNode')) throw new QueryError('derived graph patch', 'added triples hold a blank node');
    const remove = new Set(patch.remove);
    const addedLines = new Map<string, number>();
    for (const q of patch.add) addedLines.set(q.subject.value, (addedLines.get(q.subject.value) ?? 0) + 1);
    const change: PatchChange = { graph, remove, addedLines, described: new Set([...addedLines.keys()].filter((s) => !remove.has(s))), added: Buffer.from(nTriples(patch.add), 'utf8'), triples: patch.add.length, writtenAt: new Date().toISOString() };
    const target = oxigraph.namedNode(graph.graph);
    const inMemory = !this.serving && (this.inMemory.has(graph.graph) || !this.folder);
    if (inMemory) for (const s of change.described) if (this.store.match(oxigraph.namedNode(s), null, null, target).length > 0) throw refusal(graph.graph, s);
    let next: GraphEntry | undefined;
    if (this.folder) {
      // No index, or one that does not read (damaged): the graph is written whole, with a new one.
      const bytes = entry.subjects ? await this.folder.readGraphFile(entry.subjects) : undefined;
      const index = bytes && SubjectIndex.read(bytes);
      next = index && !wholeDue(entry, change, index) ? await this.appendPatch(entry, change, index) : await this.rewritePatched(entry, change);
    }
    let removed = 0;
    if (inMemory) {
      removed = this.removeSubjects(graph.graph, remove);
      this.store.load(change.added.toString('utf8'), { format: NTRIPLES, to_graph_name: target });
    }
    const patched = next ?? { ...entry, policySha256: graph.policySha256, triples: entry.triples - removed + patch.add.length, loadedAt: change.writtenAt };
    this.entries = this.entries.map((e) => (e.graph === graph.graph ? patched : e));
    if (inMemory) this.inMemory.set(graph.graph, versionKey(patched));
    if (this.threadsStarted || this.serving) {
      this.mirror({ op: 'drop', graph: graph.graph }, entry.derivedKind);
      if (this.folder) this.mirror({ op: 'read', source: this.fileSource(patched) }, entry.derivedKind);
      else this.mirror({ op: 'load', text: this.store.dump({ format: NTRIPLES, from_graph_name: target }), format: NTRIPLES, graph: graph.graph }, entry.derivedKind);
    }
    return toDerivedGraph(patched);
  }

  /** A patch written beside the graph's file: its subjects removed, its triples added, the index patched; the file is not read. */
  private async appendPatch(entry: GraphEntry, change: PatchChange, index: SubjectIndex): Promise<GraphEntry> {
    for (const s of change.described) if (index.lines(s) > 0) throw refusal(entry.graph, s);
    const gone = [...change.remove].filter((s) => index.lines(s) > 0);
    const removedTriples = gone.reduce((n, s) => n + index.lines(s), 0);
    const id = randomUUID();
    const removedText = Buffer.from(gone.map((s) => `${s}\n`).join(''), 'utf8');
    const patch: GraphPatchEntry = {
      file: `${id}.patch.nt`,
      sha256: createHash('sha256').update(change.added).digest('hex'),
      bytes: change.added.length,
      triples: change.triples,
      removed: `${id}.removed`,
      removedBytes: removedText.length,
      removedTriples,
    };
    const subjects = `${id}.subjects`;
    const next: GraphEntry = {
      ...entry,
      policySha256: change.graph.policySha256,
      triples: entry.triples - removedTriples + change.triples,
      loadedAt: change.writtenAt,
      patches: [...(entry.patches ?? []), patch],
      subjects,
    };
    await this.folder!.update({ [patch.file]: change.added, [patch.removed]: removedText, [subjects]: index.patched(gone, change.addedLines).bytes() }, replacing(entry, next));
    return next;
  }

  /**
   * The graph written whole again with a patch: its file and its patches are
   * copied line by line into a new file, each leaving out the lines of the
   * subjects a later patch, or this one, removes (as bytes: a kept line is
   * copied, never decoded; only a subject unlike the line before's is read
   * as text, a subject's lines coming together), then the triples added;
   * its subject index is counted on the way, a subject's kept lines at a time.
   */
  private async rewritePatched(entry: GraphEntry, change: PatchChange): Promise<GraphEntry> {
    const folder = this.folder!;
    const patches = entry.patches ?? [];
    const removedBy = await Promise.all(
      patches.map(async (p) => {
        const bytes = await folder.readGraphFile(p.removed);
        if (!bytes) throw new DataFolderError(`${path.join(this.dataDir!, 'graphs', p.removed)}: listed in the manifest but unreadable`);
        return new Set(bytes.toString('utf8').split('\n').filter(Boolean));
      }),
    );
    const segments = [entry.file, ...patches.map((p) => p.file)].map((file, i) => ({ file, gone: [...removedBy.slice(i), change.remove] }));
    const file = `${randomUUID()}.nt`;
    const subjects = `${randomUUID()}.subjects`;
    const pending = await folder.createGraphFile(file);
    try {
      const counter = new SubjectCounter();
      let kept = 0;
      for (const segment of segments) {
        // The line before's subject (as text, '' for a blank node), whether its lines stay, and how many of them did since counted.
        let last: { prefix: Buffer; text: string; keep: boolean; kept: number } | undefined;
        const count = () => {
          if (last?.text && last.kept > 0) counter.addSubject(last.text, last.kept);
        };
        for await (const piece of folder.fileBytes(segment.file, PATCH_PIECE_BYTES)) {
          const out: Buffer[] = [];
          let run = 0;
          let start = 0;
          for (let end = piece.indexOf(NEWLINE); end >= 0; start = end + 1, end = piece.indexOf(NEWLINE, start)) {
            if (end === start) {
              if (run < start) out.push(piece.subarray(run, start));
              run = end + 1;
              continue;
            }
            // (A blank node's lines are each looked at: no prefix stands for one.)
            const same = last !== undefined && last.prefix.length > 0 && end - start > last.prefix.length && piece.compare(last.prefix, 0, last.prefix.length, start, start + last.prefix.length) === 0;
            if (!same) {
              const close = piece[start] === LESS_THAN ? piece.indexOf(SUBJECT_END, start) : -1;
              const prefix = close < 0 || close > end ? EMPTY : Buffer.from(piece.subarray(start, close + SUBJECT_END.length));
              const text = prefix.length === 0 ? '' : piece.toString('utf8', start + 1, close);
              const keep = !segment.gone.some((gone) => gone.has(text));
              if (keep && change.described.has(text)) throw refusal(entry.graph, text);
              count();
              last = { prefix, text, keep, kept: 0 };
            }
            if (last!.keep) {
              kept++;
              last!.kept++;
            } else {
              if (run < start) out.push(piece.subarray(run, start));
              run = end + 1;
            }
          }
          if (run < piece.length) out.push(piece.subarray(run));
          if (out.length > 0) await pending.append(out.length === 1 ? out[0]! : Buffer.concat(out));
        }
        count();
      }
      await pending.append(change.added);
      counter.addLines(change.added);
      const { patches: _, ...whole } = entry;
      const next: GraphEntry = { ...whole, file, policySha256: change.graph.policySha256, sha256: await pending.finish(), triples: kept + change.triples, bytes: pending.bytes, loadedAt: change.writtenAt, subjects };
      await folder.update({ [file]: pending, [subjects]: counter.index().bytes() }, replacing(entry, next));
      return next;
    } finally {
      await pending.discard();
    }
  }

  /**
   * Appended batches go to an N-Triples file as they come: in the data
   * folder, beside its final place; without one, in a temporary folder.
   * Nothing reaches oxigraph before commit, so queries meanwhile see the
   * previous version. Commit switches the folder's manifest to the file and
   * drops the previous version from memory; the next read takes the new one
   * from the folder. Without a folder, commit reads the file back in pieces,
   * so that memory never holds more than a piece of what the disk does.
   */
  async beginDerivedGraph(graph: Omit<DerivedGraph, 'triples' | 'writtenAt'>): Promise<DerivedGraphWriter> {
    const policies = this.entries.filter((e) => e.kind === 'policy');
    if (!policies.some((e) => e.policy === graph.policy)) throw new PolicyNotLoadedError(graph.policy, policies.map((e) => e.policy!));
    if (!isIri(graph.graph)) throw new QueryError('derived graph', `not an absolute IRI: ${graph.graph}`);
    const file = `${randomUUID()}.nt`;
    const scratch = this.folder ? undefined : await mkdtemp(path.join(tmpdir(), 'studio-derived-'));
    const pending = this.folder ? await this.folder.createGraphFile(file) : await PendingFile.create(scratch!, file);
    // In the data folder, the graph's subject index is counted as its lines are written, for the patches to come.
    const counter = this.folder ? new SubjectCounter() : undefined;
    const subjects = `${randomUUID()}.subjects`;
    let triples = 0;
    let state: 'open' | 'committing' | 'done' = 'open';
    const finished = async () => {
      state = 'done';
      await pending.discard();
      if (scratch) await rm(scratch, { recursive: true, force: true });
    };
    return {
      append: async (quads) => {
        if (state !== 'open') throw new StudioError(`derived graph ${graph.graph}: this writer is ${state === 'done' ? 'finished' : 'committing'}`);
        try {
          const bytes = Buffer.from(nTriples(quads), 'utf8');
          counter?.addLines(bytes);
          await pending.append(bytes);
        } catch (error) {
          await finished();
          throw error;
        }
        triples += quads.length;
      },
      appendNTriples: async (text, count) => {
        if (state !== 'open') throw new StudioError(`derived graph ${graph.graph}: this writer is ${state === 'done' ? 'finished' : 'committing'}`);
        try {
          const bytes = Buffer.from(text, 'utf8');
          counter?.addLines(bytes);
          await pending.append(bytes);
        } catch (error) {
          await finished();
          throw error;
        }
        triples += count;
      },
      commit: async () => {
        if (state !== 'open') throw new StudioError(`derived graph ${graph.graph}: this writer is ${state === 'done' ? 'finished' : 'committing'}`);
        state = 'committing';
        try {
          const entry: GraphEntry = {
            graph: graph.graph,
            kind: 'derived',
            derivedKind: graph.kind,
            file,
            format: 'application/n-triples',
            policy: graph.policy,
            policySha256: graph.policySha256,
            sha256: await pending.finish(),
            triples,
            bytes: pending.bytes,
            loadedAt: new Date().toISOString(),
            ...(counter ? { subjects } : {}),
          };
          const replace = (entries: readonly GraphEntry[]) => [...entries.filter((e) => e.graph !== graph.graph), entry];
          // The policy may have been removed since begin; then there is nothing to derive from.
          if (!this.entries.some((e) => e.kind === 'policy' && e.policy === graph.policy)) {
            throw new PolicyNotLoadedError(graph.policy, this.entries.filter((e) => e.kind === 'policy').map((e) => e.policy!));
          }
          await this.folder?.update({ [file]: pending, ...(counter ? { [subjects]: counter.index().bytes() } : {}) }, replace);
          if (this.serving) {
            // The threads read the new version from its file themselves; nothing is read in this thread.
            this.entries = replace(this.entries);
            this.mirror({ op: 'drop', graph: graph.graph }, graph.kind);
            this.mirror({ op: 'read', source: { file: path.join(this.dataDir!, 'graphs', file), format: entry.format, graph: graph.graph } }, graph.kind);
            return toDerivedGraph(entry);
          }
          this.dropGraph(graph.graph);
          this.inMemory.delete(graph.graph);
          this.mirror({ op: 'drop', graph: graph.graph }, graph.kind);
          // With a folder, the new version waits there until the next read takes it, like a graph not read yet: a
          // command that only writes (an audit run, a generation) never reads it back; reading a run's graph back
          // into oxigraph at once was half of `studio audit run --only-affected` at 1,000 rules.
          if (this.folder) {
            this.complete = false;
            this.mirror({ op: 'read', source: { file: path.join(this.dataDir!, 'graphs', file), format: entry.format, graph: graph.graph } }, graph.kind);
          } else {
            const target = oxigraph.namedNode(graph.graph);
            // Small pieces, with other requests served between them: a piece of 32 MB held the event loop for seconds.
            const pieces = linePieces(pending.path, COMMIT_PIECE_BYTES);
            // Without a transaction per piece: several times quicker for millions of triples, and the pieces were checked when appended.
            this.committing.add(graph.graph);
            try {
              for await (const piece of pieces) {
                this.store.load(piece, { format: 'application/n-triples', to_graph_name: target, no_transaction: true });
                this.mirror({ op: 'load', text: piece, format: 'application/n-triples', graph: graph.graph }, graph.kind);
                await new Promise((resolve) => setImmediate(resolve));
              }
            } finally {
              this.committing.delete(graph.graph);
            }
            this.inMemory.set(graph.graph, file);
          }
          this.entries = replace(this.entries);
          return toDerivedGraph(entry);
        } finally {
          await finished();
        }
      },
      abort: async () => {
        if (state === 'open') await finished();
      },
    };
  }

  async listDerivedGraphs(policy?: string): Promise<DerivedGraph[]> {
    return this.entries
      .filter((e) => e.kind === 'derived' && (policy === undefined || e.policy === policy))
      .map(toDerivedGraph)
      .sort((a, b) => a.graph.localeCompare(b.graph));
  }

  async namedQuery(name: string, params: QueryParams = {}, options: ReadOptions = {}): Promise<Row[]> {
    const query = await this.namedQueryText(name, params, options);
    if ('rows' in query) return query.rows;
    const deadlineMs = options.deadlineMs ?? (this.serving ? NO_DEADLINE_MS : undefined);
    const here = async () => {
      await this.readGraphs(query.skips.size === 0 ? undefined : (e) => !(e.kind === 'derived' && query.skips.has(e.derivedKind ?? '')));
      return this.run(query.text, name);
    };
    let answer: QueryAnswer;
    if (deadlineMs !== undefined) answer = await this.runInThread(this.threads.named, query.text, name, deadlineMs, options);
    else if (options.aside && this.folder) {
      // A read aside that fails (a graph file its worker cannot read, say) is read here instead, where a damaged file is
      // a DataFolderError naming it; the store closing is not retried.
      answer = await this.runAside(query.text, name, query.skips, options).catch((error: unknown) => {
        if (error instanceof QueryAbortedError) throw error;
        return here();
      });
    } else answer = await here();
    if (answer.kind !== 'rows') throw new QueryError(name, 'a named query must be a SELECT');
    return [...answer.rows];
  }

  /** In a query thread (when serving, or given a deadline), the thread's SPARQL JSON as it came; otherwise the rows. */
  async namedQueryPortable(name: string, params: QueryParams = {}, options: ReadOptions = {}): Promise<PortableRows> {
    const deadlineMs = options.deadlineMs ?? (this.serving ? NO_DEADLINE_MS : undefined);
    if (deadlineMs === undefined) return { rows: await this.namedQuery(name, params, options) };
    const query = await this.namedQueryText(name, params, options);
    if ('rows' in query) return query;
    const answer = await this.askThread(this.threads.named, query.text, name, deadlineMs, options);
    if (!('json' in answer)) throw new QueryError(name, 'a named query must be a SELECT');
    return { sparqlJson: answer.json, ...(answer.pieces ? { pieces: answer.pieces } : {}) };
  }

  /**
   * A named query's text with its parameters bound and the kinds of derived
   * graph it may go without (its own @skips and the caller's), or the rows the
   * manifest keeps of it (KEPT_QUERY). Nothing is read into oxigraph here.
   */
  private async namedQueryText(name: string, params: QueryParams, options: ReadOptions): Promise<{ readonly text: string; readonly skips: ReadonlySet<string> } | { readonly rows: Row[] }> {
    const query = await loadNamedQuery(name, 'sparql');
    checkParams(query, params);
    const kept = query.params.size === 0 ? this.keptAnswer(name, query.text) : undefined;
    if (kept) return { rows: kept };
    const skips = new Set([...query.skips, ...(options.skips ?? [])]);
    let text = query.text;
    // Parameters become VALUES blocks, so the engine starts from them (or
    // joins them where the query places them); values are typed terms, never
    // raw text. The scalar parameters make one block of one row, which goes
    // where the query marks it with a "#@values" line (oxigraph does not push
    // a binding into UNION branches, so such queries mark each branch), or
    // else at the top of the WHERE clause. A table parameter makes a block of
    // its own, one variable per column and one row per row, at a
    // "#@values <name>" line, or else at the top of the WHERE clause.
    const scalars = [...query.params].filter((entry): entry is [string, ScalarType] => typeof entry[1] === 'string');
    if (scalars.length > 0) {
      const values = `VALUES (${scalars.map(([n]) => `?${n}`).join(' ')}) { (${scalars.map(([n, type]) => bindable(params[n] as ScalarValue, type)).join(' ')}) }`;
      text = placeValues(name, text, VALUES_MARKER, values);
    }
    for (const [n, type] of query.params) {
      if (typeof type === 'string') continue;
      const columns = [...type.table];
      const rows = (params[n] as TableValue).map((row) => `(${columns.map(([column, columnType]) => bindable(row[column]!, columnType)).join(' ')})`);
      const values = `VALUES (${columns.map(([column]) => `?${column}`).join(' ')}) {\n${rows.join('\n')}\n}`;
      text = placeValues(name, text, new RegExp(`^[ \\t]*#@values[ \\t]+${n}[ \\t]*$`, 'm'), values);
    }
    return { text, skips };
  }

  /** Runs a read in the aside worker for its skipped kinds (started now, reading the folder's files, if it is not yet). */
  private async runAside(text: string, label: string, skips: ReadonlySet<string>, options: ReadOptions): Promise<QueryAnswer> {
    const key = [...skips].sort().join(' ');
    let aside = this.asideThreads.get(key);
    if (!aside) {
      const thread = new QueryThread(() => this.folderSources((e) => !(e.kind === 'derived' && skips.has(e.derivedKind ?? ''))));
      aside = { thread, skips };
      this.asideThreads.set(key, aside);
    }
    return this.runInThread(aside.thread, text, label, NO_DEADLINE_MS, options, false);
  }

  /**
   * What a worker that reads the folder itself reads (a server's threads, an
   * aside one): the vocabulary's files and, as the entries list them now, the
   * file of every graph `wanted` picks but the kept versions.
   */
  private folderSources(wanted: (entry: GraphEntry) => boolean = () => true): ThreadSource[] {
    const vocabulary = [ONTOLOGY_FILE, ALIGNMENT_FILE].map((file) => ({ file, format: TURTLE, baseIri: pathToFileURL(file).href, graph: VOCABULARY_GRAPH }));
    const graphs = this.entries
      .filter((e) => e.kind !== 'version' && wanted(e))
      .map((e) => this.fileSource(e));
    return [...vocabulary, ...graphs];
  }

  async query(text: string, options: ReadOptions = {}): Promise<QueryAnswer> {
    await this.readGraphs();
    const deadlineMs = options.deadlineMs ?? (this.serving ? NO_DEADLINE_MS : undefined);
    if (deadlineMs === undefined) return this.run(text, 'ad-hoc query');
    return this.runInThread(this.threads.adhoc, text, 'ad-hoc query', deadlineMs, options);
  }

  async exportQuads(policy?: string): Promise<Quad[]> {
    // Only policy graphs are exported (serving, the threads have read every graph).
    await this.readGraphs((e) => e.kind === 'policy');
    const graphs = this.entries.filter((e) => e.kind === 'policy' && (policy === undefined || e.policy === policy));
    if (this.serving) {
      // From the named-query thread, whose blank nodes keep their labels from one export to the next (until a deadline restarts it).
      const quads: Quad[] = [];
      for (const entry of graphs) {
        const answer = await this.threads.named.run(`CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <${entry.graph}> { ?s ?p ?o } }`, 'export', { deadlineMs: NO_DEADLINE_MS });
        // The thread's own blank node labels, unprefixed, so that two exports compare.
        if ('ntriples' in answer) quads.push(...new N3.Parser({ format: 'application/n-triples', blankNodePrefix: '' }).parse(answer.ntriples));
      }
      return quads;
    }
    const quads: Quad[] = [];
    for (const entry of graphs) {
      for (const quad of this.store.match(null, null, null, oxigraph.namedNode(entry.graph))) {
        quads.push(N3.DataFactory.quad(quad.subject as N3.Quad_Subject, quad.predicate as N3.Quad_Predicate, quad.object as N3.Quad_Object));
      }
    }
    return quads;
  }

  async close(): Promise<void> {
    this.threads.adhoc.close();
    this.threads.named.close();
    for (const { thread } of this.asideThreads.values()) thread.close();
    (this.store as unknown as { free(): void }).free();
  }

  /**
   * A kept query's answer, from the manifest: the rows of every policy graph,
   * groups two graphs share added up, in the query's order. Nothing when a
   * policy was loaded by an older studio or with another text of the query.
   */
  private keptAnswer(name: string, text: string): Row[] | undefined {
    const kept = KEPT_QUERY;
    if (name !== kept.name) return undefined;
    const hash = sha256(text);
    const policies = this.entries.filter((e) => e.kind === 'policy');
    if (!policies.every((e) => e.summary?.name === name && e.summary.query === hash)) return undefined;
    const groups = new Map<string, Row>();
    for (const entry of policies) {
      for (const row of entry.summary!.rows) {
        const key = JSON.stringify(Object.entries(row).filter(([column]) => column !== kept.count));
        const before = groups.get(key);
        groups.set(key, before ? { ...before, [kept.count]: Number(before[kept.count]) + Number(row[kept.count]) } : row);
      }
    }
    const order = (a: Row, b: Row) => {
      for (const column of kept.order) {
        const by = compareCodePoints(String(a[column] ?? ''), String(b[column] ?? ''));
        if (by !== 0) return by;
      }
      return 0;
    };
    return [...groups.values()].sort(order);
  }

  private newThread(warm: boolean): QueryThread {
    return new QueryThread(() => this.threadSources(), { warm });
  }

  /**
   * What a starting query thread reads: the vocabulary's files, and each
   * graph in oxigraph from its file in the data folder; only a graph with no
   * file there (a store without a folder, a derived graph read in while its
   * commit runs) is dumped in this thread.
   */
  private threadSources(): ThreadSource[] {
    if (this.serving) return this.folderSources();
    const sources: ThreadSource[] = [];
    const files = new Map(this.folder ? this.entries.map((e) => [e.graph, e]) : []);
    for (const [graph, file] of this.inMemory) {
      const entry = files.get(graph);
      if (graph === VOCABULARY_GRAPH) {
        for (const vocabulary of [ONTOLOGY_FILE, ALIGNMENT_FILE]) sources.push({ file: vocabulary, format: TURTLE, baseIri: pathToFileURL(vocabulary).href, graph });
      } else if (entry && versionKey(entry) === file && !this.committing.has(graph)) {
        sources.push(this.fileSource(entry));
      } else {
        sources.push({ text: this.store.dump({ format: NTRIPLES, from_graph_name: oxigraph.namedNode(graph) }), format: NTRIPLES, graph });
      }
    }
    for (const graph of this.committing) {
      if (!this.inMemory.has(graph)) sources.push({ text: this.store.dump({ format: NTRIPLES, from_graph_name: oxigraph.namedNode(graph) }), format: NTRIPLES, graph });
    }
    return sources;
  }

  /** Sends a change to the threads holding a copy; `derivedKind`, the kind of derived graph it changes, which an aside thread that skips that kind does without. */
  private mirror(op: MirrorOp, derivedKind?: string): void {
    this.threads.adhoc.mirror(op);
    this.threads.named.mirror(op);
    for (const { thread, skips } of this.asideThreads.values()) if (derivedKind === undefined || !skips.has(derivedKind)) thread.mirror(op);
  }

  /** True when a thread holds a copy of the store, which must then follow its writes. */
  private get threadsStarted(): boolean {
    return this.threads.adhoc.started || this.threads.named.started || [...this.asideThreads.values()].some(({ thread }) => thread.started);
  }

  /** Runs a query in a worker thread, with a deadline; updates are refused as run() refuses them. */
  private async runInThread(thread: QueryThread, text: string, label: string, deadlineMs: number, options: ReadOptions, readFirst = true): Promise<QueryAnswer> {
    const answer = await this.askThread(thread, text, label, deadlineMs, options, readFirst);
    if (!('json' in answer)) return { kind: 'quads', quads: new N3.Parser({ format: 'application/n-triples' }).parse(answer.ntriples) };
    const json = JSON.parse(answer.json) as SparqlJson;
    const head = fromSparqlJson(json);
    if (!answer.pieces || head.kind !== 'rows') return head;
    // A piece of rows a turn, with other requests served between them.
    const rows = [...head.rows];
    for (const piece of answer.pieces) {
      await new Promise((resolve) => setImmediate(resolve));
      for (const row of pieceRows(json, piece)) rows.push(row);
    }
    return { ...head, rows };
  }

  /** A query's answer from a worker thread, as the thread gave it; `readFirst`: the thread copies what this one holds, so every graph is read here first. */
  private async askThread(thread: QueryThread, text: string, label: string, deadlineMs: number, options: ReadOptions, readFirst = true): Promise<ThreadAnswer> {
    if (readFirst) await this.readGraphs();
    try {
      return await thread.run(text, label, { deadlineMs, ...(options.queueMs !== undefined ? { queueMs: options.queueMs } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      if (error instanceof QueryError && isUpdate(text)) throw new ReadOnlyQueryError('this is a SPARQL update (INSERT, DELETE, LOAD, CLEAR, DROP...)');
      throw error;
    }
  }

  private run(text: string, label: string): QueryAnswer {
    const options = { use_default_graph_as_union: true };
    try {
      let result: ReturnType<oxigraph.Store['query']>;
      try {
        result = this.store.query(text, { ...options, results_format: SPARQL_JSON });
      } catch (error) {
        // CONSTRUCT and DESCRIBE answer with triples, which have no JSON results format.
        if (!String(error).includes('RDF format')) throw error;
        result = this.store.query(text, options);
      }
      if (typeof result === 'string') return fromSparqlJson(JSON.parse(result) as SparqlJson);
      return { kind: 'quads', quads: result as unknown as Quad[] };
    } catch (error) {
      if (isUpdate(text)) throw new ReadOnlyQueryError('this is a SPARQL update (INSERT, DELETE, LOAD, CLEAR, DROP...)');
      throw new QueryError(label, error instanceof Error ? error.message : String(error), { cause: error });
    }
  }

  private dropGraph(graph: string): void {
    this.store.update(`DROP SILENT GRAPH <${graph}>`);
  }

  /** Deletes the triples of these subjects from a graph in oxigraph; returns how many went. */
  private removeSubjects(graph: string, subjects: Iterable<string>): number {
    const target = oxigraph.namedNode(graph);
    let removed = 0;
    for (const s of subjects) {
      for (const q of this.store.match(oxigraph.namedNode(s), null, null, target)) {
        this.store.delete(q);
        removed++;
      }
    }
    return removed;
  }

  /** How a worker reads a graph from the data folder: its file, and its patches after it. */
  private fileSource(entry: GraphEntry): ThreadSource & { readonly file: string } {
    const inFolder = (file: string) => path.join(this.dataDir!, 'graphs', file);
    return {
      file: inFolder(entry.file),
      format: entry.format,
      ...(entry.baseIri ? { baseIri: entry.baseIri } : {}),
      graph: entry.graph,
      ...(entry.patches?.length ? { patches: entry.patches.map((p) => ({ file: inFolder(p.file), removed: inFolder(p.removed) })) } : {}),
    };
  }
}

const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';

/**
 * The manifest after `loaded` becomes its policy's current version: the
 * version it replaces, when its source differs, is kept as a 'version'
 * entry naming the same file (so keeping it copies nothing), the new one
 * records which it revised, and only the `keep` newest replaced versions
 * stay. A version loaded again becomes current and leaves the kept ones.
 */
function keepReplacedVersion(entries: readonly GraphEntry[], loaded: GraphEntry, keep: number): GraphEntry[] {
  const policy = loaded.policy;
  const current = entries.find((e) => e.kind === 'policy' && e.policy === policy);
  const changed = current !== undefined && current.sha256 !== loaded.sha256;
  const revisionOf = changed ? current.sha256 : current?.revisionOf;
  const next: GraphEntry = { ...loaded, ...(revisionOf ? { revisionOf } : {}) };
  const kept = entries.filter((e) => e.kind === 'version' && e.policy === policy && e.sha256 !== loaded.sha256);
  if (changed) {
    const { summary: _summary, ...rest } = current;
    kept.push({ ...rest, kind: 'version', graph: versionIri(current.sha256) });
  }
  kept.sort((a, b) => b.loadedAt.localeCompare(a.loadedAt));
  const mine = (e: GraphEntry) => e.policy === policy && (e.kind === 'policy' || e.kind === 'version');
  return [...entries.filter((e) => !mine(e)), ...kept.slice(0, Math.max(0, keep)), next];
}
/** Triples per appended piece when putDerivedGraph writes a whole array. */
const PIECE = 100_000;
const NTRIPLES = 'application/n-triples';
/** The deadline of a serving store's query asked without one (a job's, a CLI-like caller's): a day, in effect none. */
const NO_DEADLINE_MS = 24 * 60 * 60 * 1000;
/** Bytes per piece when a committed derived graph is read into oxigraph: a few milliseconds of loading each. */
const COMMIT_PIECE_BYTES = 64 << 10;
/** Bytes per piece when a derived graph's file is copied for a patch (nothing is parsed: larger pieces, fewer writes). */
const PATCH_PIECE_BYTES = 1 << 20;
/** A derived graph with this many patches is written whole at the next one (each is three files, and read one after the other). */
const MAX_PATCHES = 32;

/** A patch as patchDerivedGraph writes it. */
interface PatchChange {
  readonly graph: Omit<DerivedGraph, 'triples' | 'writtenAt'>;
  readonly remove: ReadonlySet<string>;
  /** The subjects it adds to, with their lines. */
  readonly addedLines: ReadonlyMap<string, number>;
  /** The subjects it adds to without removing them first: the graph must not describe them. */
  readonly described: ReadonlySet<string>;
  /** The added triples as N-Triples. */
  readonly added: Buffer;
  readonly triples: number;
  readonly writtenAt: string;
}

/**
 * Whether a patch should write the graph whole instead: when the patches
 * with it have added and removed a quarter as many triples as the graph's
 * file holds (the cost of writing it whole is then shared by changes of a
 * quarter of its size, so patching stays in proportion to the change), or
 * there would be more than MAX_PATCHES.
 */
function wholeDue(entry: GraphEntry, change: PatchChange, index: SubjectIndex): boolean {
  const patches = entry.patches ?? [];
  if (patches.length + 1 > MAX_PATCHES) return true;
  let changed = patches.reduce((n, p) => n + p.triples + p.removedTriples, change.triples);
  for (const s of change.remove) changed += index.lines(s);
  const inFile = entry.triples - patches.reduce((n, p) => n + p.triples - p.removedTriples, 0);
  return 4 * changed > inFile;
}

function refusal(graph: string, subject: string): StudioError {
  return new StudioError(`derived graph ${graph}: the patch adds triples of ${subject}, which the graph describes and the patch does not remove`);
}

/** The manifest's change for a patch: `next` in place of `entry`, unless another process replaced or patched the graph since `entry` was read. */
function replacing(entry: GraphEntry, next: GraphEntry): (entries: readonly GraphEntry[]) => GraphEntry[] {
  return (entries) => {
    if (!entries.some((e) => e.graph === entry.graph && versionKey(e) === versionKey(entry))) {
      throw new DataFolderError(`derived graph ${entry.graph}: changed by another process while it was patched; run the command again`);
    }
    return entries.map((e) => (e.graph === entry.graph ? next : e));
  };
}
const [NEWLINE, LESS_THAN] = [0x0a, 0x3c];
const SUBJECT_END = Buffer.from('> ');
const EMPTY = Buffer.alloc(0);
/** The rows the kept query (KEPT_QUERY) answers on one policy graph, for its manifest entry. */
async function summarise(store: oxigraph.Store, graph: oxigraph.NamedNode): Promise<Pick<GraphEntry, 'summary'>> {
  const summary = await keptSummary(store, graph);
  return summary ? { summary } : {};
}

/** The same, of a parsed policy that came without its summary. */
async function summariseParsed(parsed: ParsedPolicy): Promise<Pick<GraphEntry, 'summary'>> {
  const summary = await summariseNTriples(parsed.ntriples);
  return summary ? { summary } : {};
}

/** The kept query's answer (KEPT_QUERY) on one graph of an oxigraph store alone, with the query's SHA-256. */
async function keptSummary(store: oxigraph.Store, graph: oxigraph.NamedNode | oxigraph.DefaultGraph): Promise<KeptSummary | undefined> {
  const query = await loadNamedQuery(KEPT_QUERY.name, 'sparql');
  const result = store.query(query.text, { default_graph: graph, results_format: SPARQL_JSON }) as unknown as string;
  const answer = fromSparqlJson(JSON.parse(result) as SparqlJson);
  if (answer.kind !== 'rows') return undefined;
  return { name: KEPT_QUERY.name, query: sha256(query.text), rows: answer.rows };
}

/**
 * The summary the embedded store keeps of a policy (see KEPT_QUERY), from its
 * N-Triples alone: the upload worker computes it, off the server's thread,
 * and hands it over with the triples (ParsedPolicy.summary).
 */
export async function summariseNTriples(ntriples: Uint8Array): Promise<KeptSummary | undefined> {
  const scratch = new oxigraph.Store();
  try {
    for (const piece of ntriplesPieces(ntriples)) scratch.load(piece, { format: NTRIPLES, no_transaction: true });
    return await keptSummary(scratch, oxigraph.defaultGraph());
  } finally {
    (scratch as unknown as { free(): void }).free();
  }
}

/** The bytes in memory that worker threads share, so that posting them copies nothing (copied only when they are not shared already: an upload's are). */
function sharedCopy(bytes: Uint8Array): Uint8Array {
  if (bytes.buffer instanceof SharedArrayBuffer) return bytes;
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  shared.set(bytes);
  return shared;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Orders strings as SPARQL orders IRIs and literals: by code point (JavaScript's < compares UTF-16 units, which differs past U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const surrogates = /[\uD800-\uDFFF]/;
  if (!surrogates.test(a) && !surrogates.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Where a named query wants its parameters bound: a line holding only "#@values". */
const VALUES_MARKER = /^[ \t]*#@values[ \t]*$/m;

/** The text with a VALUES block at each line the marker matches, or else at the top of the WHERE clause. */
function placeValues(name: string, text: string, marker: RegExp, values: string): string {
  // A function as replacement: the values are inserted as they are ('$' in a string is not a pattern).
  if (marker.test(text)) return text.replace(new RegExp(marker.source, 'gm'), () => values);
  const where = /WHERE\s*\{/i.exec(text);
  if (!where) throw new QueryError(name, 'has parameters but no WHERE clause to bind them in');
  return `${text.slice(0, where.index + where[0].length)}\n  ${values}\n${text.slice(where.index + where[0].length)}`;
}

/**
 * A parameter as a SPARQL term. An IRI the API's pattern lets through but
 * SPARQL's stricter grammar refuses (a second '#', '[' outside a host, a
 * private-use character of the upper planes) names nothing a policy can hold:
 * it is bound as a string, which equals no IRI, so the query finds nothing
 * rather than failing to parse.
 */
function bindable(value: ScalarValue, type: ScalarType): string {
  if (type === 'iri') {
    try {
      oxigraph.namedNode(String(value));
    } catch {
      return sparqlTerm(String(value), 'string');
    }
  }
  return sparqlTerm(value, type);
}

/** True when the text parses as a SPARQL update: tried on a throwaway store, so nothing is changed. */
function isUpdate(text: string): boolean {
  const scratch = new oxigraph.Store();
  try {
    scratch.update(text);
    return true;
  } catch {
    return false;
  } finally {
    (scratch as unknown as { free(): void }).free();
  }
}

function toDerivedGraph(entry: GraphEntry): DerivedGraph {
  return {
    graph: entry.graph,
    kind: entry.derivedKind ?? 'unknown',
    policy: entry.policy!,
    policySha256: entry.policySha256 ?? '',
    triples: entry.triples,
    writtenAt: entry.loadedAt,
  };
}

function toLoadedPolicy(entry: GraphEntry): LoadedPolicy {
  return {
    policy: entry.policy!,
    ...(entry.title ? { title: entry.title } : {}),
    source: entry.source ?? entry.file,
    sha256: entry.sha256,
    triples: entry.triples,
    loadedAt: entry.loadedAt,
    ...(entry.loadedBy ? { loadedBy: entry.loadedBy } : {}),
    ...(entry.revisionOf ? { revisionOf: entry.revisionOf } : {}),
  };
}
