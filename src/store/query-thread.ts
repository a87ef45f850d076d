/**
 * Reads off the event loop, with a deadline. oxigraph's JavaScript query is
 * synchronous: run in the server's thread, one slow query stalls every other
 * request and /health. A QueryThread keeps a copy of the embedded store in a
 * worker thread (read only: when it starts it reads the store's graphs from
 * their files itself, or is sent a dump of those it has no file of; then it
 * is sent each load and drop the store makes) and runs one query at a time
 * there. Dumping a large store in the server's thread took seconds. A query's
 * deadline counts its own run, from when the worker takes it: a quick query
 * queued behind a slow one is not stopped for the other's time (on a busy
 * server, conflict runs got 504s for waiting). The wait for its turn has a
 * bound of its own, past which the query is refused as busy (QueryBusyError).
 * A query past its deadline, or one abandoned (the server closing), terminates the worker,
 * which stops the query for sure; the next query starts a new one (a warm
 * thread starts it at once). A query's deadline does not count the time a
 * starting worker spends reading the store: after a restart, a query over a
 * large store was stopped while its thread was still reading, and the next
 * one again, in a loop. Nor does the wait for a turn.
 */

import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { QueryError, QueryAbortedError, QueryBusyError, QueryTimeoutError } from '../errors.js';
import { SPARQL_JSON } from '../rdf/terms.js';

/**
 * What a query answers in the worker: SPARQL JSON results, or triples as
 * N-Triples. A large result comes with its bindings cut out of `json` and
 * sent as `pieces` (each a JSON array of bindings, in order), so that the
 * server's thread can read them a piece at a time: parsing 50,000 rows at
 * once held it for 300 ms.
 */
export type ThreadAnswer = { readonly json: string; readonly pieces?: readonly string[] } | { readonly ntriples: string };

/** Characters of SPARQL JSON above which the worker sends the bindings in pieces, and the bindings per piece. */
const PIECES_ABOVE = 1 << 20;
const BINDINGS_PER_PIECE = 2_000;

/**
 * Triples a worker's copy may have dropped, beyond as many as it holds, before it is replaced (see `drop` in the
 * worker): the threshold is the live size, this only a floor, so that a small store is not replaced for every few
 * drops. In a soak (3 policies replaced, conflict runs and generation jobs rewriting derived graphs, 270k live
 * triples) each query thread was replaced every 9 minutes or so, its WebAssembly memory between about 115 and 170 MB.
 */
const RECYCLE_ABOVE = 50_000;

/**
 * A graph as a starting worker reads it: from a file of the data folder (in
 * pieces of whole lines, but for Turtle), or from a dump made for it. A file
 * gone by the time the worker reads it was replaced or removed since: the
 * change's own MirrorOps follow, so the worker skips it.
 */
export type ThreadSource =
  | {
      readonly file: string;
      readonly format: string;
      readonly baseIri?: string;
      readonly graph: string;
      /** A patched derived graph's patches, read after its file: each removes its subjects' triples, then adds its own (GraphPatchEntry). */
      readonly patches?: readonly { readonly file: string; readonly removed: string }[];
    }
  | { readonly text: string; readonly format: string; readonly graph?: string };

/** A change the worker's copy must follow. */
export type MirrorOp =
  | { readonly op: 'load'; readonly text: string; readonly format: string; readonly baseIri?: string; readonly graph: string }
  /** N-Triples as bytes the threads share (a SharedArrayBuffer: posting it copies nothing), read by each worker in pieces. */
  | { readonly op: 'load-bytes'; readonly bytes: Uint8Array; readonly graph: string }
  | { readonly op: 'drop'; readonly graph: string }
  /** A graph to read from a file of the data folder, as a starting worker reads its sources. */
  | { readonly op: 'read'; readonly source: ThreadSource & { readonly file: string } };

interface Job {
  readonly id: number;
  readonly text: string;
  readonly label: string;
  readonly deadlineMs: number;
  /** Milliseconds it may wait for its turn (none: as long as it takes). */
  readonly queueMs?: number;
  readonly resolve: (answer: ThreadAnswer) => void;
  readonly reject: (error: Error) => void;
  /** Milliseconds not yet spent of the bound that counts now: the queue's while it waits, then its deadline (the clock stops while the worker reads the store). */
  left: number;
  /** When the deadline's clock last started. */
  since?: number;
  timer?: NodeJS.Timeout;
  detach?: () => void;
}

const OXIGRAPH = createRequire(import.meta.url).resolve('oxigraph');

// Plain CommonJS, so that it runs the same from src (tsx) and dist.
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const oxigraph = require(workerData.oxigraph);
const store = new oxigraph.Store();
function load(text, format, baseIri, graph) {
  store.load(text, { format, ...(baseIri ? { base_iri: baseIri } : {}), ...(graph ? { to_graph_name: oxigraph.namedNode(graph) } : {}), no_transaction: true });
}
function loadBytes(bytes, graph) {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let start = 0; start < buffer.length; ) {
    let end = Math.min(start + (16 << 20), buffer.length);
    if (end < buffer.length) {
      const newline = buffer.lastIndexOf(10, end - 1);
      end = newline >= start ? newline + 1 : buffer.indexOf(10, end) + 1 || buffer.length;
    }
    load(buffer.toString('utf8', start, end), 'application/n-triples', undefined, graph);
    start = end;
  }
}
function readFile(s) {
  if (!readOne(s)) return;
  for (const patch of s.patches || []) {
    let removed;
    try {
      removed = fs.readFileSync(patch.removed, 'utf8');
    } catch (error) {
      if (error.code === 'ENOENT') return;
      throw error;
    }
    const graph = oxigraph.namedNode(s.graph);
    for (const subject of removed.split('\\n')) {
      if (!subject) continue;
      for (const q of store.match(oxigraph.namedNode(subject), null, null, graph)) {
        store.delete(q);
        dropped++;
      }
    }
    if (!readOne({ file: patch.file, format: s.format, graph: s.graph })) return;
  }
}
// False when the file is gone: replaced or removed since; the change's own MirrorOps follow.
function readOne(s) {
  let fd;
  try {
    fd = fs.openSync(s.file, 'r');
  } catch (error) {
    if (error.code === 'ENOENT') return false;
    throw error;
  }
  try {
    if (s.format === 'text/turtle') {
      load(fs.readFileSync(fd, 'utf8'), s.format, s.baseIri, s.graph);
      return true;
    }
    // Pieces of whole lines: a generated graph's file can be larger than a string.
    const buffer = Buffer.alloc(16 << 20);
    let kept = 0;
    for (;;) {
      const read = fs.readSync(fd, buffer, kept, buffer.length - kept, null);
      const end = read === 0 ? kept : buffer.lastIndexOf(10, kept + read - 1) + 1;
      if (end > 0) load(buffer.toString('utf8', 0, end), s.format, undefined, s.graph);
      if (read === 0) return true;
      kept = kept + read - end;
      buffer.copy(buffer, 0, end, end + kept);
      if (kept === buffer.length) throw new Error(s.file + ': a line longer than 16 MB');
    }
  } finally {
    fs.closeSync(fd);
  }
}
// Triples dropped since this copy was read. oxigraph's in-memory store keeps the memory of dropped triples (0.5.11:
// about 200 bytes each, for as long as the store lives), so a thread that follows many replacements grows without
// bound. Once the dropped triples outnumber the live ones (and recycleAbove), the thread asks to be replaced by a new
// one, which reads the store afresh; it asks once, and again only if told its successor failed (rearm), once it has
// dropped as many triples again.
let dropped = 0;
let recycling = false;
let askAbove = workerData.recycleAbove;
function drop(graph) {
  // The graph's triples counted by a query over it alone: store.size walks the whole store (0.13 s at a million
  // triples), so it is asked only once the dropped triples pass recycleAbove.
  const [row] = store.query('SELECT (COUNT(*) AS ?n) WHERE { GRAPH <' + graph + '> { ?s ?p ?o } }');
  dropped += Number(row.get('n').value);
  store.update('DROP SILENT GRAPH <' + graph + '>');
  if (!recycling && dropped > askAbove && dropped > store.size) {
    recycling = true;
    parentPort.postMessage({ recycle: true });
  }
}
function apply(m) {
  if (m.op === 'open') for (const s of m.sources) s.file !== undefined ? readFile(s) : load(s.text, s.format, undefined, s.graph);
  else if (m.op === 'load-bytes') loadBytes(m.bytes, m.graph);
  else if (m.op === 'load') store.load(m.text, { format: m.format, ...(m.baseIri ? { base_iri: m.baseIri } : {}), to_graph_name: oxigraph.namedNode(m.graph), no_transaction: true });
  else if (m.op === 'drop') drop(m.graph);
  else if (m.op === 'read') readFile(m.source);
  else if (m.op === 'rearm') {
    recycling = false;
    askAbove = Math.max(askAbove, 2 * dropped);
  }
  // The store is read: from now on the deadlines of queries count.
  if (m.op === 'open') parentPort.postMessage({ ready: true });
}
parentPort.on('message', (m) => {
  if (m.op !== 'query') return apply(m);
  const options = { use_default_graph_as_union: true };
  try {
    let result;
    try {
      result = store.query(m.text, { ...options, results_format: workerData.json });
    } catch (error) {
      if (!String(error).includes('RDF format')) throw error;
      result = store.query(m.text, options);
    }
    if (typeof result === 'string' && result.length > workerData.piecesAbove) {
      const parsed = JSON.parse(result);
      const bindings = (parsed.results && parsed.results.bindings) || [];
      parsed.results = { bindings: [] };
      const pieces = [];
      for (let i = 0; i < bindings.length; i += workerData.perPiece) pieces.push(JSON.stringify(bindings.slice(i, i + workerData.perPiece)));
      parentPort.postMessage({ id: m.id, json: JSON.stringify(parsed), pieces });
    } else if (typeof result === 'string') parentPort.postMessage({ id: m.id, json: result });
    else parentPort.postMessage({ id: m.id, ntriples: new oxigraph.Store(result).dump({ format: 'application/n-triples', from_graph_name: oxigraph.defaultGraph() }) });
  } catch (error) {
    parentPort.postMessage({ id: m.id, error: error instanceof Error ? error.message : String(error) });
  }
});
`;

export class QueryThread {
  private worker: Worker | undefined;
  private running: Job | undefined;
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  /** True while the worker reads the store (its 'open'), when deadlines do not count. */
  private loading = false;

  /**
   * `sources` gives the store's graphs as a worker that starts reads them.
   * A `warm` thread starts its worker now, and a new one as soon as one is
   * stopped, so that a query seldom waits for the store to be read.
   */
  constructor(
    private readonly sources: () => ThreadSource[],
    private readonly options: {
      readonly warm?: boolean;
      /** Triples dropped (past the live ones) after which a worker is replaced, to give back the memory oxigraph keeps of them. */
      readonly recycleAbove?: number;
    } = {},
  ) {
    if (options.warm) this.startWorker();
  }

  /**
   * The worker that will replace the current one, reading the store while
   * the current one goes on answering (it is sent every change too); it
   * takes over once it has read the store and no query runs.
   */
  private successor: { readonly worker: Worker; ready: boolean } | undefined;
  /** Workers replaced so far this way. */
  recycled = 0;
  /** Successors that failed to read the store (the current worker stayed). */
  failedSuccessors = 0;

  /** True while a worker holds a copy of the store (then it must be sent each change). */
  get started(): boolean {
    return this.worker !== undefined;
  }

  /** Follows a change of the store, when a worker holds a copy (one that starts later reads the store as it is then). */
  mirror(op: MirrorOp): void {
    this.worker?.postMessage(op);
    this.successor?.worker.postMessage(op);
  }

  /**
   * Runs a read-only query in the worker. Past `deadlineMs` of its own run
   * (the worker's reading of the store not counted) it is stopped with
   * QueryTimeoutError; past `queueMs` waiting for its turn it is refused with
   * QueryBusyError; `signal` abandons it with QueryAbortedError.
   */
  run(text: string, label: string, bounds: { readonly deadlineMs: number; readonly queueMs?: number; readonly signal?: AbortSignal }): Promise<ThreadAnswer> {
    const { deadlineMs, queueMs, signal } = bounds;
    if (this.closed || signal?.aborted) return Promise.reject(new QueryAbortedError(label));
    return new Promise<ThreadAnswer>((resolve, reject) => {
      const job: Job = { id: this.nextId++, text, label, deadlineMs, ...(queueMs !== undefined ? { queueMs } : {}), resolve, reject, left: queueMs ?? Infinity };
      if (!this.loading) this.startClock(job);
      if (signal) {
        const onAbort = () => this.fail(job, new QueryAbortedError(label));
        signal.addEventListener('abort', onAbort, { once: true });
        job.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(job);
      this.next();
    });
  }

  /** Stops the worker and refuses what is queued or running. */
  close(): void {
    this.closed = true;
    for (const job of [...this.queue, ...(this.running ? [this.running] : [])]) this.fail(job, new QueryAbortedError(job.label));
    this.stopWorker();
  }

  private next(): void {
    if (this.running || this.closed) return;
    if (this.successor?.ready) this.takeOver();
    const job = this.queue.shift();
    if (!job) return;
    this.running = job;
    // Its turn: from now on its deadline counts.
    clearTimeout(job.timer);
    job.timer = undefined;
    job.since = undefined;
    job.left = job.deadlineMs;
    try {
      this.startWorker().postMessage({ op: 'query', id: job.id, text: job.text });
      if (!this.loading) this.startClock(job);
    } catch (error) {
      this.fail(job, new QueryError(job.label, `the query thread cannot start (${String(error)})`));
    }
  }

  /** Starts (or restarts) the clock of a job's bound: its deadline when it runs, the queue's while it waits (none: no clock). */
  private startClock(job: Job): void {
    job.since = performance.now();
    if (job.left === Infinity) return;
    const error = () => (this.running === job ? new QueryTimeoutError(job.label, job.deadlineMs) : new QueryBusyError(job.label, job.queueMs ?? 0));
    job.timer = setTimeout(() => this.fail(job, error()), Math.max(0, job.left));
  }

  /** Stops the clock of every job's deadline while a worker reads the store. */
  private pauseClocks(): void {
    for (const job of this.jobs()) {
      if (job.since === undefined) continue;
      clearTimeout(job.timer);
      job.left -= performance.now() - job.since;
      job.since = undefined;
    }
  }

  private jobs(): Job[] {
    return [...(this.running ? [this.running] : []), ...this.queue];
  }

  private startWorker(): Worker {
    if (this.worker) return this.worker;
    this.loading = true;
    this.pauseClocks();
    this.worker = this.spawn();
    return this.worker;
  }

  /** A new worker, sent the store's graphs to read. */
  private spawn(): Worker {
    const worker = new Worker(WORKER_CODE, {
      eval: true,
      workerData: { oxigraph: OXIGRAPH, json: SPARQL_JSON, piecesAbove: PIECES_ABOVE, perPiece: BINDINGS_PER_PIECE, recycleAbove: this.options.recycleAbove ?? RECYCLE_ABOVE },
    });
    worker.unref();
    worker.postMessage({ op: 'open', sources: this.sources() });
    worker.on('message', (message: { id: number; ready?: boolean; recycle?: boolean; json?: string; pieces?: string[]; ntriples?: string; error?: string }) => {
      if (message.recycle) {
        if (this.worker === worker && !this.successor && !this.closed) this.successor = { worker: this.spawn(), ready: false };
        return;
      }
      if (message.ready && this.successor?.worker === worker) {
        this.successor.ready = true;
        this.next();
        return;
      }
      if (message.ready) {
        if (this.worker !== worker) return;
        this.loading = false;
        for (const job of this.jobs()) if (job.since === undefined) this.startClock(job);
        return;
      }
      const job = this.running;
      if (!job || job.id !== message.id) return;
      this.settle(job);
      if (message.error !== undefined) job.reject(new QueryError(job.label, message.error));
      else job.resolve(message.json !== undefined ? { json: message.json, ...(message.pieces ? { pieces: message.pieces } : {}) } : { ntriples: message.ntriples ?? '' });
      this.next();
    });
    worker.on('error', (error) => {
      if (this.successor?.worker === worker) {
        // A successor that fails leaves the current worker in place, which asks again once it has dropped as much again.
        this.successor = undefined;
        this.failedSuccessors++;
        this.worker?.postMessage({ op: 'rearm' });
        void worker.terminate();
        return;
      }
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.loading = false;
      for (const job of this.jobs()) if (job.since === undefined) this.startClock(job);
      const job = this.running;
      if (job) this.fail(job, new QueryError(job.label, `the query thread failed (${error.message})`));
    });
    return worker;
  }

  /** The successor, which has read the store, replaces the current worker (no query runs). */
  private takeOver(): void {
    const old = this.worker;
    this.worker = this.successor!.worker;
    this.successor = undefined;
    this.recycled++;
    if (old) void old.terminate();
  }

  /** Ends a job with an error; a running one takes its worker with it, so that the query really stops. */
  private fail(job: Job, error: Error): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    else if (this.running === job) this.stopWorker();
    else return;
    this.settle(job);
    job.reject(error);
    this.next();
  }

  private settle(job: Job): void {
    clearTimeout(job.timer);
    job.detach?.();
    if (this.running === job) this.running = undefined;
  }

  private stopWorker(): void {
    // A worker started now reads the store afresh: no successor is needed.
    if (this.successor) void this.successor.worker.terminate();
    this.successor = undefined;
    const worker = this.worker;
    this.worker = undefined;
    this.loading = false;
    if (worker) void worker.terminate();
    // A warm thread reads the store again at once, rather than when the next query comes.
    if (worker && this.options.warm && !this.closed) this.startWorker();
  }
}
