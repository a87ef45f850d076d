/**
 * The one interface every graph engine implements: the embedded store now,
 * Neo4j next. tests/store/store-spec.ts holds the suite any implementation
 * must pass, with identical answers.
 */

import type { Quad } from '@rdfjs/types';
import type { TurtleSource } from '../rdf/turtle.js';
import { StudioError } from '../errors.js';
import type { QueryParams } from './named-queries.js';
import type { PortableRows } from './portable-rows.js';

export type StoreEngine = 'embedded' | 'neo4j';

/** A value in a query answer: IRIs and strings as strings, numbers and booleans as such. */
export type Value = string | number | boolean | null;
export type Row = Readonly<Record<string, Value>>;

/** The answer to an ad-hoc query. */
export type QueryAnswer =
  | { readonly kind: 'rows'; readonly columns: readonly string[]; readonly rows: readonly Row[] }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'quads'; readonly quads: readonly Quad[] };

/** A policy as the store holds it. */
export interface LoadedPolicy {
  /** The IRI of the studio:Policy the source declares. */
  readonly policy: string;
  readonly title?: string;
  /** The file it was loaded from. */
  readonly source: string;
  /** SHA-256 of the source text, to tell whether the file changed since. */
  readonly sha256: string;
  readonly triples: number;
  readonly loadedAt: string;
  /** Who loaded it: the API token's name, or the user the CLI ran as. */
  readonly loadedBy?: string;
  /** SHA-256 of the version this one replaced (prov:wasRevisionOf); absent for a first load. */
  readonly revisionOf?: string;
}

/**
 * A version of a policy the store keeps after a changed version replaced it:
 * history, never data. No query, export, list of rules or statistics reads
 * it; it is named by the SHA-256 of its source (versionIri) and can be
 * read back (readVersion), compared or restored.
 */
export type PolicyVersion = LoadedPolicy;

/** How a load is recorded: who made it, and how many replaced versions of the policy to keep. */
export interface LoadOptions {
  readonly loadedBy?: string;
  /** Replaced versions kept per policy, newest first (default DEFAULT_KEEP_VERSIONS); older ones are pruned. 0 keeps none. */
  readonly keepVersions?: number;
}

/** How many replaced versions of a policy a store keeps unless told otherwise (config "versions": {"keep"}, STUDIO_KEEP_VERSIONS). */
export const DEFAULT_KEEP_VERSIONS = 10;

/** The IRI that names a version of a policy: its SHA-256, as studio:derivedFromVersion and the PROV records of `studio versions` use it. */
export function versionIri(sha256: string): string {
  return `urn:studio:policy-version:${sha256}`;
}

/**
 * A graph the studio derives from a policy rather than reads from a file:
 * the conflicts found in it, the data generated from it, the results of
 * audits against it. One per (policy, kind); removing the policy removes it.
 */
export interface DerivedGraph {
  /** The graph's IRI. */
  readonly graph: string;
  /** What it holds, e.g. 'conflicts'. */
  readonly kind: string;
  /** The policy it derives from. */
  readonly policy: string;
  /** SHA-256 of the policy source it was derived from: when it differs from the loaded policy's, the graph is stale. */
  readonly policySha256: string;
  readonly triples: number;
  readonly writtenAt: string;
}

/**
 * A new version of a derived graph, written in pieces: append batches, then
 * commit. Until commit, readers see the previous version; abort, a failed
 * append or commit, or a crash leaves that version intact. For graphs too
 * large to hold as one array (a policy's generated data).
 */
export interface DerivedGraphWriter {
  /** Adds triples to the new version. A subject's triples may be spread over several batches. */
  append(quads: readonly Quad[]): Promise<void>;
  /**
   * Adds triples already written as N-Triples (`triples` lines, as
   * src/rdf/serialize.ts nTriples writes them, no blank nodes): a generation
   * worker writes its batches so, off the server's thread.
   */
  appendNTriples(text: string, triples: number): Promise<void>;
  /** Replaces the previous version with what was appended; the writer is then finished. */
  commit(): Promise<DerivedGraph>;
  /** Drops what was appended and keeps the previous version. Harmless after a failure, a commit or another abort. */
  abort(): Promise<void>;
}

/**
 * A change to a derived graph in proportion to what changed, rather than a
 * new version written whole: every triple of the subjects in `remove` goes,
 * then the triples of `add` come (a subject's whole description, for a
 * subject removed or one the graph did not describe; adding to a subject the
 * graph describes and the patch does not remove is refused). Subjects are
 * IRIs; `add` holds no blank nodes.
 */
export interface DerivedGraphPatch {
  readonly remove: readonly string[];
  readonly add: readonly Quad[];
}

/** How a read may run: the API gives each query a deadline, and a signal that abandons it when the server closes. */
export interface ReadOptions {
  /** Past this many milliseconds the query is stopped with QueryTimeoutError; without it the query runs to its end, in process. */
  readonly deadlineMs?: number;
  /** Past this many milliseconds waiting for its turn (behind other queries), the query is refused with QueryBusyError; its deadline counts only its own run. */
  readonly queueMs?: number;
  /** Abandons the query (QueryAbortedError). */
  readonly signal?: AbortSignal;
  /**
   * Kinds of derived graph the caller accounts for itself (coverage, from the
   * items a generation run just made): a store need not read them for this
   * query, and may answer with or without their triples.
   */
  readonly skips?: readonly string[];
  /**
   * Read beside the caller's thread: a command with other work to do
   * meanwhile (an audit asks its model while it reads the policy's context)
   * has the query run where it does not hold that work up. The embedded store
   * with a data folder runs it in a worker that reads, from the folder's
   * files, the graphs the query does not skip; any other store reads as
   * usual (Neo4j's queries run in its server anyway).
   */
  readonly aside?: boolean;
}

/**
 * A policy already parsed and checked elsewhere (the API checks uploads in a
 * worker thread, src/validation/upload-check.ts): a store may load these
 * triples instead of parsing the Turtle again. They must be the Turtle's.
 */
export interface ParsedPolicy {
  readonly policy: string;
  readonly title?: string;
  /** The triples as N-Triples in UTF-8, one per line, each once; blank node labels unique to this upload. */
  readonly ntriples: Uint8Array;
  /** How many lines ntriples holds. */
  readonly triples: number;
  /** SHA-256 of the Turtle. */
  readonly sha256: string;
  /** The answer the embedded store keeps of the policy, computed where it was parsed (src/store/oxigraph-store.ts, summariseNTriples). */
  readonly summary?: KeptSummary;
  /** The Turtle itself in UTF-8, when its text was decoded only where it was parsed (an API upload: see PolicySource). */
  readonly turtle?: Uint8Array;
  /** What planning a selective regeneration reads of this version, computed where it was parsed (src/evolution/version-facts.ts), for a store to keep with it. */
  readonly facts?: KeptFacts;
}

/** A version's facts as a store keeps them (src/evolution/version-facts.ts): their bytes, with the fingerprint of the code that computed them. */
export interface KeptFacts {
  readonly code: string;
  readonly bytes: Uint8Array;
}

/**
 * What loadPolicy is given: Turtle as text, or (an API upload, whose 44 MB
 * body the server's thread never decodes) only its name and base IRI, with
 * the Turtle's bytes in the ParsedPolicy's `turtle`.
 */
export type PolicySource = TurtleSource | Omit<TurtleSource, 'text'>;

/** The Turtle of a policy to load as text: the source's, or decoded from the parsed policy's bytes. */
export function policyText(source: PolicySource, parsed?: ParsedPolicy): string {
  if ('text' in source) return source.text;
  if (parsed?.turtle) return new TextDecoder().decode(parsed.turtle);
  throw new StudioError(`${source.file}: no Turtle to load (neither its text nor its bytes)`);
}

/** A named query's answer on one policy's graph alone, with the SHA-256 of the query's text, as a store keeps it. */
export interface KeptSummary {
  readonly name: string;
  readonly query: string;
  readonly rows: readonly Row[];
}

/** Reports progress of a long operation: done out of total units. */
export type Progress = (done: number, total: number) => void;

export interface GraphStore {
  readonly engine: StoreEngine;

  /**
   * Loads one policy's Turtle, replacing whatever an earlier load of the same
   * policy (by its studio:Policy IRI) left. All or nothing: on any error the
   * store keeps what it had. With `parsed`, a store may take the triples from
   * it rather than parse the Turtle (the embedded store does, in pieces,
   * letting other requests run between them).
   */
  loadPolicy(source: PolicySource, progress?: Progress, parsed?: ParsedPolicy, options?: LoadOptions): Promise<LoadedPolicy>;

  /** The policies loaded, by policy IRI. */
  listPolicies(): Promise<LoadedPolicy[]>;

  /**
   * The replaced versions kept, of one policy or of all, newest first (the
   * current version is not among them: listPolicies gives it). A load that
   * changes a policy keeps the version it replaces; an identical load keeps
   * nothing new.
   */
  listVersions(policy?: string): Promise<PolicyVersion[]>;

  /**
   * The source of one version of a policy, kept or current, as it was
   * loaded (its SHA-256 is the version's); undefined when the store keeps no
   * version of that policy with that SHA-256.
   */
  readVersion(policy: string, sha256: string): Promise<TurtleSource | undefined>;

  /**
   * The facts kept with a version of a policy when it was loaded
   * (ParsedPolicy.facts), when they were computed by the code `code` names;
   * undefined when the store keeps none of that version, or of other code.
   */
  readVersionFacts(policy: string, sha256: string, code: string): Promise<Uint8Array | undefined>;

  /** Removes a policy, the graphs derived from it and its kept versions; false when it was not loaded. */
  removePolicy(policy: string): Promise<boolean>;

  /**
   * Writes a derived graph, replacing its earlier version (same graph IRI).
   * All or nothing, like loadPolicy. The policy must be loaded.
   */
  putDerivedGraph(graph: Omit<DerivedGraph, 'triples' | 'writtenAt'>, quads: readonly Quad[]): Promise<DerivedGraph>;

  /**
   * Starts writing a new version of a derived graph in pieces (see
   * DerivedGraphWriter). The policy must be loaded; it is checked now, and
   * the graph's IRI too.
   */
  beginDerivedGraph(graph: Omit<DerivedGraph, 'triples' | 'writtenAt'>): Promise<DerivedGraphWriter>;

  /**
   * Changes a derived graph the store keeps, all or nothing (see
   * DerivedGraphPatch), and records the policy version given as the one it
   * now derives from. Its cost follows the patch, not the graph: no triple
   * the patch keeps is rendered or sent again (the embedded store copies the
   * lines of its file that it keeps). The graph must exist, derived from
   * `graph.policy`, which must be loaded.
   */
  patchDerivedGraph(graph: Omit<DerivedGraph, 'triples' | 'writtenAt'>, patch: DerivedGraphPatch): Promise<DerivedGraph>;

  /** The derived graphs kept, of one policy or of all. */
  listDerivedGraphs(policy?: string): Promise<DerivedGraph[]>;

  /** Runs a named query (sparql/<name>.rq or cypher/<name>.cypher). */
  namedQuery(name: string, params?: QueryParams, options?: ReadOptions): Promise<Row[]>;
  /**
   * Runs a named query as namedQuery does, for another thread to read its
   * rows (readPortableRows): the embedded store gives its query thread's
   * SPARQL JSON unread, so that the rows of a large answer are never built
   * in this thread; other stores give the rows.
   */
  namedQueryPortable(name: string, params?: QueryParams, options?: ReadOptions): Promise<PortableRows>;

  /** Runs a read-only query in the engine's own language; writes are refused with ReadOnlyQueryError. */
  query(text: string, options?: ReadOptions): Promise<QueryAnswer>;

  /** The authored triples of one policy, or of all policies, as they were loaded. */
  exportQuads(policy?: string): Promise<Quad[]>;

  close(): Promise<void>;
}
