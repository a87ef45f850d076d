/**
 * The embedded store's data folder: what the studio must keep between runs.
 * A manifest lists the graphs; each graph is one file. Every write goes to a
 * temporary file that is flushed and renamed into place, and the manifest is
 * switched last, so a crash at any moment leaves the previous state or the
 * new one, never a half-written file. Writers take a lock file, so that two
 * processes (a server and a CLI command, say) never lose each other's
 * changes: each change is applied to the manifest as it is on disk.
 * A graph too large to write under the lock is written beforehand to a
 * PendingFile (graphs/<name>.<pid>.partial), which only the switch renames
 * into place; a partial file whose process died is removed as an orphan.
 * A derived graph patched since it was written whole keeps its file and
 * lists its patches after it (GraphEntry.patches): a reader reads the file,
 * then for each patch drops the subjects it removed and reads what it added.
 */

import { createHash, randomBytes, type Hash } from 'node:crypto';
import { closeSync, createReadStream, fsyncSync, openSync } from 'node:fs';
import { link, mkdir, open, readFile, readdir, rename, rm, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataFolderError } from '../errors.js';

/** One graph the folder keeps. */
export interface GraphEntry {
  /** The graph's name inside the store. */
  readonly graph: string;
  /**
   * A policy as authored, a graph derived from one (then `policy` names it
   * and `derivedKind` says what it holds), or a version of a policy that a
   * changed one replaced: kept as history, never read into the store.
   */
  readonly kind: 'policy' | 'derived' | 'version';
  readonly derivedKind?: string;
  /** For a derived graph: the SHA-256 of the policy source it was derived from. */
  readonly policySha256?: string;
  /** File name inside graphs/. */
  readonly file: string;
  readonly format: 'text/turtle' | 'application/n-triples' | 'application/n-quads';
  readonly baseIri?: string;
  readonly policy?: string;
  readonly title?: string;
  readonly source?: string;
  readonly sha256: string;
  readonly triples: number;
  readonly loadedAt: string;
  /** For a policy or a version: who loaded it (the API token's name, the user the CLI ran as). */
  readonly loadedBy?: string;
  /** For a policy or a version: the SHA-256 of the version it replaced. */
  readonly revisionOf?: string;
  /** The file's size in bytes, checked when the folder opens (absent in folders written before it was kept). */
  readonly bytes?: number;
  /**
   * For a policy graph: the rows a named query answers on this graph alone,
   * kept so that a command can answer it without reading the graph (the
   * rule-summary query, for `studio stats`). `query` is the SHA-256 of the
   * query's text: rows of another text are not used. Absent in older folders.
   */
  readonly summary?: { readonly name: string; readonly query: string; readonly rows: readonly Readonly<Record<string, string | number | boolean | null>>[] };
  /**
   * For a policy or a version: the file (in graphs/) of the facts computed
   * where it was parsed (src/evolution/version-facts.ts), with the
   * fingerprint of the code that computed them. Absent when it was loaded
   * without them, and in older folders.
   */
  readonly facts?: { readonly file: string; readonly code: string };
  /**
   * For a derived graph: the changes made to it since its file was written
   * whole, oldest first (src/store/oxigraph-store.ts, patchDerivedGraph).
   * `triples` counts the graph with them all. Absent when there are none.
   */
  readonly patches?: readonly GraphPatchEntry[];
  /**
   * For a derived graph in N-Triples: the file of its subject index
   * (src/store/subject-index.ts), for the graph with its patches. Absent in
   * older folders; a patch then reads the graph's file whole.
   */
  readonly subjects?: string;
}

/** A patch of a derived graph: the subjects whose triples it removed, then the triples it added. */
export interface GraphPatchEntry {
  /** The added triples' N-Triples file, in graphs/. */
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  /** How many triples it added (lines of `file`). */
  readonly triples: number;
  /** The file (in graphs/) of the removed subjects' IRIs, one a line: those the graph described. */
  readonly removed: string;
  readonly removedBytes: number;
  /** How many triples of the graph before it went with them. */
  readonly removedTriples: number;
}

/** What a reader of a graph is given (DataFolder.read). */
export interface GraphReader {
  /**
   * A piece of the graph's text: Turtle whole; N-Triples and N-Quads in pieces
   * of whole lines, of the graph's file, then of each patch's added triples.
   */
  text(entry: GraphEntry, text: string, trusted: boolean): void;
  /** Before a patch's added triples: the subjects whose triples it removed from the graph read so far. */
  remove?(entry: GraphEntry, subjects: readonly string[]): void;
}

/** Every file of graphs/ an entry names. */
export function entryFiles(entry: GraphEntry): string[] {
  return [entry.file, ...(entry.facts ? [entry.facts.file] : []), ...(entry.patches ?? []).flatMap((p) => [p.file, p.removed]), ...(entry.subjects ? [entry.subjects] : [])];
}

/**
 * Which version of a graph an entry names: its file, or its last patch's
 * (every patch is a new file), for telling whether the graph read is the one
 * the manifest lists now.
 */
export function versionKey(entry: GraphEntry): string {
  return entry.patches?.at(-1)?.file ?? entry.file;
}

interface Manifest {
  /**
   * 2 while some graph has patches, which a studio older than them would not
   * read (it would read the graph's file alone, without them): so that it
   * refuses the folder instead of reading a graph wrong. 1 otherwise.
   */
  readonly version: 1 | 2;
  readonly graphs: readonly GraphEntry[];
}

const MANIFEST = 'manifest.json';
const GRAPHS = 'graphs';
const LOCK = 'write.lock';
/** How long a writer waits for another one before giving up. */
const LOCK_WAIT_MS = 30_000;
/** A lock file without a pid, left by a studio older than the linked lock, is taken over after this long. */
const EMPTY_LOCK_MS = 5_000;
/** The file a lock taker writes its pid to before linking it: write.lock.<pid>.<random>. */
const LOCK_TAKER = /^write\.lock\.(\d+)\.[0-9a-f]+$/;

export class DataFolder {
  private constructor(readonly root: string) {}

  /** Opens (creating if needed) a data folder and removes files a crash left behind. */
  static async open(root: string): Promise<DataFolder> {
    await mkdir(path.join(root, GRAPHS), { recursive: true });
    const folder = new DataFolder(root);
    await folder.locked(() => folder.removeOrphans());
    return folder;
  }

  /**
   * The graphs the manifest lists, without reading them; a file missing, or
   * of another size than the manifest recorded (cut short, or changed by
   * hand), is reported now rather than when the graph is first read.
   */
  async entries(): Promise<GraphEntry[]> {
    // Under the lock, so that no writer switches the manifest and removes the files it listed meanwhile.
    return this.locked(async () => {
      const entries = (await this.readManifest()).graphs;
      for (const entry of entries) {
        const sized: [string, number | undefined][] = [[entry.file, entry.bytes], ...(entry.patches ?? []).flatMap((p): [string, number][] => [[p.file, p.bytes], [p.removed, p.removedBytes]])];
        for (const [name, bytes] of sized) {
          const file = path.join(this.root, GRAPHS, name);
          const info = await stat(file).catch((error: NodeJS.ErrnoException) => error);
          if (info instanceof Error) throw new DataFolderError(`${file}: listed in the manifest but unreadable (${String(info)})${describeEntry(entry)}`);
          if (bytes !== undefined && info.size !== bytes) {
            throw new DataFolderError(`${file}: ${info.size} bytes where the manifest recorded ${bytes}, so it changed since it was written${describeEntry(entry)}`);
          }
        }
      }
      return [...entries];
    });
  }

  /**
   * The graphs the manifest lists now, reading those `select` picks out of
   * them, under the lock so that no writer switches files meanwhile. Turtle
   * comes to `read` whole; N-Triples and N-Quads, which can be far larger, in
   * pieces of whole lines, and a patched graph's patches after its file.
   */
  async read(select: (entries: readonly GraphEntry[]) => readonly GraphEntry[], read: GraphReader): Promise<GraphEntry[]> {
    return this.locked(async () => {
      const entries = (await this.readManifest()).graphs;
      for (const entry of select(entries)) await this.readGraph(entry, read);
      return [...entries];
    });
  }

  /**
   * `trusted`: the text is a derived graph's file whose bytes are still those
   * the manifest's SHA-256 names, as the studio wrote them (every triple
   * checked when appended), so a reader may skip checking it again. A file
   * changed since (edited by hand, damaged) is never trusted.
   */
  private async readGraph(entry: GraphEntry, read: GraphReader): Promise<void> {
    let file = path.join(this.root, GRAPHS, entry.file);
    try {
      if (entry.format === 'text/turtle') read.text(entry, await readFile(file, 'utf8'), false);
      else {
        const trusted = entry.kind === 'derived' && (await fileSha256(file)) === entry.sha256;
        for await (const piece of linePieces(file)) read.text(entry, piece, trusted);
        for (const patch of entry.patches ?? []) {
          file = path.join(this.root, GRAPHS, patch.removed);
          if (!read.remove) throw new DataFolderError(`${file}: a patch this reader cannot apply`);
          read.remove(entry, (await readFile(file, 'utf8')).split('\n').filter(Boolean));
          file = path.join(this.root, GRAPHS, patch.file);
          const patchTrusted = (await fileSha256(file)) === patch.sha256;
          for await (const piece of linePieces(file)) read.text(entry, piece, patchTrusted);
        }
      }
    } catch (error) {
      if (error instanceof DataFolderError) throw error;
      if ((error as NodeJS.ErrnoException).code === undefined) throw error;
      throw new DataFolderError(`${file}: listed in the manifest but unreadable (${String(error)})`);
    }
  }

  /**
   * Applies one change under the lock: writes the new graph files durably,
   * then switches the manifest to change(entries on disk), then deletes files
   * no entry uses. Returns the entries now on disk.
   */
  async update(files: Readonly<Record<string, string | Uint8Array | Iterable<string> | PendingFile>>, change: (entries: readonly GraphEntry[]) => GraphEntry[]): Promise<GraphEntry[]> {
    return this.locked(async () => {
      for (const [file, content] of Object.entries(files)) {
        if (content instanceof PendingFile) await content.moveTo(path.join(this.root, GRAPHS, file));
        else await writeDurably(path.join(this.root, GRAPHS, file), content);
      }
      const graphs = change((await this.readManifest()).graphs);
      const manifest: Manifest = { version: graphs.some((g) => g.patches?.length) ? 2 : 1, graphs };
      await writeDurably(path.join(this.root, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
      await this.removeOrphans();
      return graphs;
    });
  }

  /** Starts a graph file written in pieces outside the lock; update() moves it into place as graphs/<name>. */
  async createGraphFile(name: string): Promise<PendingFile> {
    return PendingFile.create(path.join(this.root, GRAPHS), name);
  }

  /** The bytes of a file in graphs/ that an entry names beside its graph (its facts); undefined when it cannot be read (removed meanwhile). */
  async readGraphFile(name: string): Promise<Buffer | undefined> {
    return readFile(path.join(this.root, GRAPHS, name)).catch(() => undefined);
  }

  /** The content of a file in graphs/ (a graph's, a patch's), in pieces of whole lines (of about `size` bytes), never decoded. */
  fileBytes(name: string, size?: number): AsyncGenerator<Buffer> {
    return lineBytes(path.join(this.root, GRAPHS, name), size);
  }

  private async readManifest(): Promise<Manifest> {
    let text: string;
    try {
      text = await readFile(path.join(this.root, MANIFEST), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, graphs: [] };
      throw error;
    }
    try {
      const manifest = JSON.parse(text) as Manifest;
      if ((manifest.version !== 1 && manifest.version !== 2) || !Array.isArray(manifest.graphs)) throw new Error('unknown manifest version');
      return manifest;
    } catch (error) {
      throw new DataFolderError(`${path.join(this.root, MANIFEST)}: not a manifest this studio can read (${String(error)})`);
    }
  }

  /** Runs work holding the folder's lock; a lock left by a dead process is taken over. */
  private async locked<T>(work: () => Promise<T>): Promise<T> {
    const lock = path.join(this.root, LOCK);
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      // The pid is written to a file of our own first and then linked to the
      // lock's name, which fails if the lock exists: the lock is never seen
      // empty, even when a process is killed while taking it.
      const mine = `${lock}.${process.pid}.${randomBytes(4).toString('hex')}`;
      await writeFile(mine, String(process.pid));
      try {
        await link(mine, lock);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = Number(await readFile(lock, 'utf8').catch(() => ''));
        if ((holder > 0 && !isAlive(holder)) || (!(holder > 0) && (await olderThan(lock, EMPTY_LOCK_MS)))) {
          await unlink(lock).catch(() => undefined);
          continue;
        }
        if (Date.now() > deadline) throw new DataFolderError(`${lock}: another studio process (pid ${holder || 'unknown'}) has been writing to this data folder for ${LOCK_WAIT_MS / 1000} s`);
        await sleep(50);
      } finally {
        await unlink(mine).catch(() => undefined);
      }
    }
    try {
      return await work();
    } finally {
      await unlink(lock).catch(() => undefined);
    }
  }

  private async removeOrphans(): Promise<void> {
    const used = new Set((await this.readManifest()).graphs.flatMap(entryFiles));
    for (const name of await readdir(path.join(this.root, GRAPHS))) {
      // A graph still being written by a live process is not an orphan yet.
      const writer = PARTIAL.exec(name);
      if (writer && isAlive(Number(writer[1]))) continue;
      if (!used.has(name)) await unlink(path.join(this.root, GRAPHS, name)).catch(() => undefined);
    }
    for (const name of await readdir(this.root)) {
      if (name.endsWith('.tmp')) await rm(path.join(this.root, name), { force: true });
      // A lock taker's own file, left when its process was killed before it could remove it.
      const taker = LOCK_TAKER.exec(name);
      if (taker && !isAlive(Number(taker[1]))) await rm(path.join(this.root, name), { force: true });
    }
  }
}

/** Which graph an entry is, for a message about its file. */
function describeEntry(entry: GraphEntry): string {
  const what = entry.kind === 'policy' ? 'policy' : entry.kind === 'version' ? `version ${entry.sha256.slice(0, 12)} of` : `${entry.derivedKind ?? 'derived'} graph of`;
  return ` (${what} ${entry.policy ?? entry.graph}, from ${entry.source ?? 'the studio'}); reload the policy from its Turtle with 'studio load'`;
}

async function olderThan(file: string, ms: number): Promise<boolean> {
  const info = await stat(file).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > ms;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The name of a file being written in pieces: <name>.<pid>.partial. */
const PARTIAL = /\.(\d+)\.partial$/;

/**
 * A file written in pieces, beside its final place, with its SHA-256
 * computed as it is written. moveTo() flushes it and renames it into place
 * durably; discard() deletes it.
 */
export class PendingFile {
  private readonly hash: Hash = createHash('sha256');
  private digest: string | undefined;
  /** How many bytes were appended. */
  bytes = 0;
  private closed = false;

  private constructor(
    /** Where the pieces go until the file is moved. */
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /** Creates <directory>/<name>.<pid>.partial. */
  static async create(directory: string, name: string): Promise<PendingFile> {
    const file = path.join(directory, `${name}.${process.pid}.partial`);
    return new PendingFile(file, await open(file, 'w'));
  }

  /** Appends text (as UTF-8) or bytes. */
  async append(content: string | Uint8Array): Promise<void> {
    if (this.closed) throw new DataFolderError(`${this.path}: already finished`);
    // Text is encoded once, for the hash, the count and the write alike: three passes over a generation batch's text
    // (about 5 MB) were the longest stretches of the server's thread during a generation job (about 15 ms of CPU each, 7 now).
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    this.hash.update(bytes);
    this.bytes += bytes.byteLength;
    await this.handle.write(bytes);
  }

  /** Flushes and closes the file; returns its SHA-256. */
  async finish(): Promise<string> {
    if (!this.closed) {
      this.closed = true;
      try {
        await this.handle.sync();
      } finally {
        await this.handle.close();
      }
      this.digest = this.hash.digest('hex');
    }
    return this.digest!;
  }

  /** Finishes the file and renames it to `file`, durably (the directory is flushed too). */
  async moveTo(file: string): Promise<void> {
    await this.finish();
    await rename(this.path, file);
    syncDirectory(path.dirname(file));
  }

  /** Closes and deletes the file, if it is still here. */
  async discard(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.handle.close().catch(() => undefined);
    }
    await unlink(this.path).catch(() => undefined);
  }
}

function syncDirectory(directory: string): void {
  const handle = openSync(directory, 'r');
  try {
    fsyncSync(handle);
  } finally {
    closeSync(handle);
  }
}

/**
 * A text in pieces of about `size` characters, never splitting a surrogate
 * pair, for writeDurably: written whole, a 44 MB upload was turned into
 * bytes in one go, which held the server's thread for over 100 ms.
 */
export function* textPieces(text: string, size = 1 << 20): Generator<string> {
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + size, text.length);
    // A piece never ends on a high surrogate: the pair goes whole into this piece or the next.
    if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end += end - 1 > start ? -1 : 1;
    yield text.slice(start, end);
    start = end;
  }
}

/** SHA-256 (hex) of a file's bytes. */
async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * Reads a file of lines in pieces of about `size` bytes, each ending at a
 * line's end (a last line without one gets it). The file is cut as bytes, at
 * the last line end of each piece: only the pieces become strings, not each
 * line (a million lines of a generated graph went through readline before,
 * a third of the time reading it back took).
 */
export async function* linePieces(file: string, size = 32 << 20): AsyncGenerator<string> {
  for await (const bytes of lineBytes(file, size)) yield bytes.toString('utf8');
}

/** A file in pieces of whole lines as bytes (see linePieces); the last piece gets a newline if the file ends without one. */
export async function* lineBytes(file: string, size = 32 << 20): AsyncGenerator<Buffer> {
  let chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: Math.min(size, 1 << 20) }) as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    length += chunk.length;
    if (length < size) continue;
    const bytes = Buffer.concat(chunks, length);
    const end = bytes.lastIndexOf(0x0a);
    // A line longer than a piece: the piece grows until it ends.
    if (end < 0) {
      chunks = [bytes];
      continue;
    }
    yield bytes.subarray(0, end + 1);
    const rest = bytes.subarray(end + 1);
    [chunks, length] = [rest.length > 0 ? [rest] : [], rest.length];
  }
  if (length > 0) {
    const bytes = Buffer.concat(chunks, length);
    yield bytes[bytes.length - 1] === 0x0a ? bytes : Buffer.concat([bytes, Buffer.from('\n')]);
  }
}

/**
 * Writes a file so that after a crash it holds either its old content or the
 * new one: a temporary file beside it, flushed, then renamed into place. The
 * content may come in pieces, written one after the other. On a failure the
 * temporary file is removed and the old content stays. The studio's one way
 * to replace a file whole (the data folder, audit runs, reports, datasets).
 */
export async function writeDurably(file: string, content: string | Uint8Array | Iterable<string>): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    if (typeof content === 'string' || content instanceof Uint8Array) await handle.writeFile(content);
    else for (const piece of content) await handle.write(piece, null, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporary, file);
  syncDirectory(path.dirname(file));
}
