/**
 * How many lines of a derived graph's N-Triples each subject IRI has, kept
 * beside the graph's file so that a patch need not read the file: it counts
 * the triples it removes and checks that it adds none to a subject the graph
 * keeps from this index alone (src/store/oxigraph-store.ts,
 * patchDerivedGraph). A subject is known by a 64-bit key (the first eight
 * bytes of the SHA-256 of its IRI), so the index is 12 bytes a subject: 1.1 MB
 * for the 93,681 subjects of a 10,000-rule policy's generated graph, where
 * their IRIs alone are 8 MB. Two IRIs of one graph sharing a key (about one
 * chance in 40 million at a million subjects) would have their counts added up:
 * a patch would then count the triples it removes wrong, or refuse to add to
 * the other one. Blank-node subjects are not counted: a patch never names one.
 */

import crypto from 'node:crypto';

const MAGIC = Buffer.from('studsix1');
/** The head: MAGIC, then the number of subjects (4 bytes), then 4 bytes of nothing, so that the keys start at 16. */
const HEAD = 16;
const NEWLINE = 0x0a;
const LESS_THAN = 0x3c;
const SUBJECT_END = Buffer.from('> ');

/** One call per digest where Node has it (20.12 on; twice as quick as a Hash object), else a Hash object. */
const sha256 = typeof crypto.hash === 'function' ? (bytes: Uint8Array) => crypto.hash('sha256', bytes, 'buffer') as unknown as Buffer : (bytes: Uint8Array) => crypto.createHash('sha256').update(bytes).digest();

function keyOfBytes(iri: Uint8Array): bigint {
  return sha256(iri).readBigUInt64LE(0);
}

/** The key of a subject IRI. */
export function subjectKey(iri: string): bigint {
  return keyOfBytes(Buffer.from(iri, 'utf8'));
}

/** Counts the lines of N-Triples text by subject as it is written. */
export class SubjectCounter {
  private readonly counts = new Map<bigint, number>();
  /** `<iri> ` of the line before, its key, and its lines since they were last added to `counts`: a subject's lines mostly come together. */
  private last: { readonly prefix: Buffer; readonly key: bigint; lines: number } | undefined;

  /** Counts whole lines of N-Triples (as bytes). */
  addLines(bytes: Uint8Array): void {
    const piece = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let start = 0, end = piece.indexOf(NEWLINE); end >= 0; start = end + 1, end = piece.indexOf(NEWLINE, start)) {
      if (piece[start] !== LESS_THAN) continue;
      const last = this.last;
      if (last && end - start >= last.prefix.length && piece.compare(last.prefix, 0, last.prefix.length, start, start + last.prefix.length) === 0) {
        last.lines++;
        continue;
      }
      const close = piece.indexOf(SUBJECT_END, start);
      if (close < 0 || close > end) continue;
      this.flush();
      this.last = { prefix: Buffer.from(piece.subarray(start, close + SUBJECT_END.length)), key: keyOfBytes(piece.subarray(start + 1, close)), lines: 1 };
    }
  }

  /** Counts `lines` lines of a subject (a caller that found its lines itself). */
  addSubject(iri: string, lines: number): void {
    this.add(subjectKey(iri), lines);
  }

  index(): SubjectIndex {
    this.flush();
    return SubjectIndex.of(this.counts);
  }

  private flush(): void {
    if (!this.last || this.last.lines === 0) return;
    this.add(this.last.key, this.last.lines);
    this.last.lines = 0;
  }

  private add(key: bigint, lines: number): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + lines);
  }
}

/** The counts, sorted by key, searched by halving. */
export class SubjectIndex {
  private constructor(
    private readonly keys: BigUint64Array,
    private readonly counts: Uint32Array,
  ) {}

  static of(counts: ReadonlyMap<bigint, number>): SubjectIndex {
    const keys = BigUint64Array.from(counts.keys()).sort();
    return new SubjectIndex(keys, Uint32Array.from(keys, (k) => counts.get(k)!));
  }

  /** Reads an index written by bytes(); undefined when the bytes are not one (cut short, damaged). */
  static read(bytes: Uint8Array): SubjectIndex | undefined {
    const head = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (head.length < HEAD || !head.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    const n = head.readUInt32LE(MAGIC.length);
    if (head.length !== HEAD + 12 * n) return undefined;
    // Copied out, so that the arrays are aligned whatever the buffer's offset.
    const keys = new BigUint64Array(n);
    new Uint8Array(keys.buffer).set(head.subarray(HEAD, HEAD + 8 * n));
    const counts = new Uint32Array(n);
    new Uint8Array(counts.buffer).set(head.subarray(HEAD + 8 * n));
    return new SubjectIndex(keys, counts);
  }

  get subjects(): number {
    return this.keys.length;
  }

  /** The lines of a subject (0: the graph does not describe it). */
  lines(iri: string): number {
    const at = this.find(subjectKey(iri));
    return at < 0 ? 0 : this.counts[at]!;
  }

  /** The index after a patch: the removed subjects gone, the added ones counted (on top of what is kept). */
  patched(removed: Iterable<string>, added: ReadonlyMap<string, number>): SubjectIndex {
    const gone = BigUint64Array.from([...removed].map(subjectKey)).sort();
    const addedCounts = new Map<bigint, number>();
    for (const [iri, lines] of added) {
      const key = subjectKey(iri);
      addedCounts.set(key, (addedCounts.get(key) ?? 0) + lines);
    }
    const addedKeys = BigUint64Array.from(addedCounts.keys()).sort();
    // One pass over the three sorted lists (a map of every key took 60 ms at 93,681 subjects).
    const keys = new BigUint64Array(this.keys.length + addedKeys.length);
    const counts = new Uint32Array(keys.length);
    let n = 0;
    const put = (key: bigint, count: number) => {
      if (n > 0 && keys[n - 1] === key) counts[n - 1]! += count;
      else [keys[n], counts[n++]] = [key, count];
    };
    let [g, a] = [0, 0];
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i]!;
      while (a < addedKeys.length && addedKeys[a]! < key) put(addedKeys[a]!, addedCounts.get(addedKeys[a++]!)!);
      while (g < gone.length && gone[g]! < key) g++;
      if (g < gone.length && gone[g] === key) continue;
      put(key, this.counts[i]!);
    }
    while (a < addedKeys.length) put(addedKeys[a]!, addedCounts.get(addedKeys[a++]!)!);
    return new SubjectIndex(keys.slice(0, n), counts.slice(0, n));
  }

  /** The index as a file keeps it: a head (what it is, how many subjects), the keys, the counts (in the machine's byte order). */
  bytes(): Buffer {
    const head = Buffer.alloc(HEAD);
    MAGIC.copy(head);
    head.writeUInt32LE(this.keys.length, MAGIC.length);
    return Buffer.concat([head, Buffer.from(this.keys.buffer, this.keys.byteOffset, this.keys.byteLength), Buffer.from(this.counts.buffer, this.counts.byteOffset, this.counts.byteLength)]);
  }

  private find(key: bigint): number {
    let [low, high] = [0, this.keys.length - 1];
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const at = this.keys[middle]!;
      if (at === key) return middle;
      if (at < key) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }
}
