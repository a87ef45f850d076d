/**
 * An RDF/JS dataset indexed the way SHACL validation reads it: by subject,
 * then predicate. shacl-engine asks almost only for the values of one
 * property of one node (match(s, p)), and an N3.Store's three full indexes
 * cost most of validation's memory and a third of its time at 100k rules.
 * The other patterns are answered from indexes built on their first use
 * (by predicate, then object; by object), which validation needs rarely
 * (resolving targets, the SPARQL copy, revalidation, locating a node that
 * is only used).
 *
 * Graphs are not kept: every quad is read as if in the default graph, as the
 * validator merges the vocabulary and the policies into one data graph.
 */

import type { DatasetCore, Quad, Term } from '@rdfjs/types';

const NONE: readonly Quad[] = [];
const NONE_KEYS: readonly string[] = [];
/** Values of one property past which duplicates are looked up in a set rather than the list. */
const WIDE = 16;

/** A term's key, equal for equal terms. */
export function termKey(term: Term): string {
  switch (term.termType) {
    case 'NamedNode':
      return term.value;
    case 'BlankNode':
      return `_:${term.value}`;
    case 'Literal':
      return `"${term.value}"@${term.language}^^${term.datatype.value}`;
    default:
      return `${term.termType}:${term.value}`;
  }
}

/** Quads answering one pattern: a read-only dataset over an array. */
class QuadList implements DatasetCore {
  constructor(private readonly quads: readonly Quad[]) {}
  get size(): number {
    return this.quads.length;
  }
  [Symbol.iterator](): Iterator<Quad> {
    return this.quads[Symbol.iterator]();
  }
  has(quad: Quad): boolean {
    return this.quads.some((q) => q.equals(quad));
  }
  match(subject?: Term | null, predicate?: Term | null, object?: Term | null, graph?: Term | null): DatasetCore {
    return new QuadList(this.quads.filter((q) => matches(q, subject, predicate, object, graph)));
  }
  add(): this {
    throw new TypeError('a match result is read-only');
  }
  delete(): this {
    throw new TypeError('a match result is read-only');
  }
}

function matches(q: Quad, subject?: Term | null, predicate?: Term | null, object?: Term | null, graph?: Term | null): boolean {
  return (
    (!subject || q.subject.equals(subject)) &&
    (!predicate || q.predicate.equals(predicate)) &&
    (!object || q.object.equals(object)) &&
    (!graph || graph.termType === 'DefaultGraph')
  );
}

/** The dataset validation runs on: quads by subject, then by predicate. */
export class SubjectDataset implements DatasetCore {
  private readonly bySubject = new Map<string, Map<string, Quad[]>>();
  /** By predicate: its quads, and by object once a pattern fixes one. */
  private readonly byPredicate = new Map<string, { all: Quad[]; byObject?: Map<string, Quad[]> }>();
  private byObject?: Map<string, Quad[]>;
  private readonly wide = new WeakMap<Quad[], Set<string>>();
  private count = 0;

  constructor(quads: Iterable<Quad> = []) {
    this.addQuads(quads);
  }

  get size(): number {
    return this.count;
  }

  addQuads(quads: Iterable<Quad>): void {
    for (const quad of quads) this.add(quad);
  }

  /** Adds a quad unless the same triple is already there (its graph is dropped). */
  add(quad: Quad): this {
    const subject = termKey(quad.subject);
    let properties = this.bySubject.get(subject);
    if (!properties) this.bySubject.set(subject, (properties = new Map()));
    const values = properties.get(quad.predicate.value);
    if (values === undefined) properties.set(quad.predicate.value, [quad]);
    else if (this.holds(values, quad.object)) return this;
    else values.push(quad);
    this.count++;
    // Indexes built already are kept up to date; the others are built when first needed.
    const ofPredicate = this.byPredicate.get(quad.predicate.value);
    if (ofPredicate) {
      ofPredicate.all.push(quad);
      if (ofPredicate.byObject) pushTo(ofPredicate.byObject, termKey(quad.object), quad);
    }
    if (this.byObject) pushTo(this.byObject, termKey(quad.object), quad);
    return this;
  }

  /** Whether a node's values of one property include an object, remembering it if not; a long list gets a set of its objects' keys. */
  private holds(values: Quad[], object: Term): boolean {
    if (values.length < WIDE) return values.some((q) => q.object.equals(object));
    let keys = this.wide.get(values);
    if (!keys) this.wide.set(values, (keys = new Set(values.map((q) => termKey(q.object)))));
    const key = termKey(object);
    if (keys.has(key)) return true;
    keys.add(key);
    return false;
  }

  delete(): this {
    throw new TypeError('validation data is added, never deleted');
  }

  has(quad: Quad): boolean {
    return this.bySubject.get(termKey(quad.subject))?.get(quad.predicate.value)?.some((q) => q.object.equals(quad.object)) ?? false;
  }

  *[Symbol.iterator](): Iterator<Quad> {
    for (const properties of this.bySubject.values()) for (const values of properties.values()) yield* values;
  }

  /** Every quad of a subject, whatever its predicate. */
  about(subject: Term): readonly Quad[] {
    const properties = this.bySubject.get(termKey(subject));
    return properties ? [...properties.values()].flat() : NONE;
  }

  /**
   * The dataset after the descriptions of some subjects changed: `quads` are
   * their new triples (any others are ignored). The other subjects'
   * descriptions, and the indexes built so far, are shared with this
   * dataset or patched from it, not built again; neither is added to after.
   */
  revised(changed: ReadonlySet<string>, quads: Iterable<Quad>): { dataset: SubjectDataset; removed: Quad[]; added: Quad[] } {
    const next = new SubjectDataset();
    const removed: Quad[] = [];
    for (const [key, properties] of this.bySubject) {
      if (changed.has(key)) for (const values of properties.values()) removed.push(...values);
      else next.bySubject.set(key, properties);
    }
    next.count = this.count - removed.length;
    for (const quad of quads) if (changed.has(termKey(quad.subject))) next.add(quad);
    const added = [...changed].flatMap((key) => [...(next.bySubject.get(key)?.values() ?? [])].flat());
    const gone = new Set(removed);
    const patch = (index: Map<string, Quad[]>, relevant: (q: Quad) => boolean) => {
      const copy = new Map(index);
      for (const q of removed) {
        if (!relevant(q)) continue;
        const key = termKey(q.object);
        // The first removed quad of a list takes every removed one out of it.
        const list = copy.get(key);
        if (list === undefined || list !== index.get(key)) continue;
        const kept = list.filter((other) => !gone.has(other));
        if (kept.length > 0) copy.set(key, kept);
        else copy.delete(key);
      }
      for (const q of added) if (relevant(q)) pushCopy(copy, index, termKey(q.object), q);
      return copy;
    };
    for (const [predicate, { all, byObject }] of this.byPredicate) {
      const relevant = (q: Quad) => q.predicate.value === predicate;
      next.byPredicate.set(predicate, {
        all: [...all.filter((q) => !gone.has(q)), ...added.filter(relevant)],
        ...(byObject ? { byObject: patch(byObject, relevant) } : {}),
      });
    }
    if (this.byObject) next.byObject = patch(this.byObject, () => true);
    return { dataset: next, removed, added };
  }

  /** A node's quads of one predicate (by IRI), without a dataset around them: what match(s, p) holds. */
  valuesOf(subject: Term, predicate: string): readonly Quad[] {
    return this.bySubject.get(termKey(subject))?.get(predicate) ?? NONE;
  }

  /** The IRIs of the predicates a node has values of. */
  predicatesOf(subject: Term): Iterable<string> {
    return this.bySubject.get(termKey(subject))?.keys() ?? NONE_KEYS;
  }

  /** The quads whose object has the given key: who uses a node. */
  usersOf(key: string): readonly Quad[] {
    return this.objectIndex().get(key) ?? NONE;
  }

  match(subject?: Term | null, predicate?: Term | null, object?: Term | null, graph?: Term | null): DatasetCore {
    if (graph && graph.termType !== 'DefaultGraph') return new QuadList(NONE);
    let found: readonly Quad[];
    if (subject) {
      const properties = this.bySubject.get(termKey(subject));
      if (!properties) found = NONE;
      else if (predicate) found = properties.get(predicate.value) ?? NONE;
      else found = [...properties.values()].flat();
      if (object) found = found.filter((q) => q.object.equals(object));
    } else if (predicate) {
      const ofPredicate = this.predicateIndex(predicate.value);
      if (object) {
        if (!ofPredicate.byObject) {
          ofPredicate.byObject = new Map();
          for (const q of ofPredicate.all) pushTo(ofPredicate.byObject, termKey(q.object), q);
        }
        found = ofPredicate.byObject.get(termKey(object)) ?? NONE;
      } else {
        found = ofPredicate.all;
      }
    } else if (object) {
      found = this.objectIndex().get(termKey(object)) ?? NONE;
    } else {
      found = [...this];
    }
    return new QuadList(found);
  }

  /** One predicate's quads, gathered from the subjects on first use and kept up to date after. */
  private predicateIndex(predicate: string): { all: Quad[]; byObject?: Map<string, Quad[]> } {
    let ofPredicate = this.byPredicate.get(predicate);
    if (!ofPredicate) {
      const all: Quad[] = [];
      for (const properties of this.bySubject.values()) {
        const values = properties.get(predicate);
        if (values) for (const q of values) all.push(q);
      }
      this.byPredicate.set(predicate, (ofPredicate = { all }));
    }
    return ofPredicate;
  }

  private objectIndex(): Map<string, Quad[]> {
    if (!this.byObject) {
      this.byObject = new Map();
      for (const properties of this.bySubject.values()) for (const values of properties.values()) for (const q of values) pushTo(this.byObject, termKey(q.object), q);
    }
    return this.byObject;
  }
}

/** Appends to a list of a patched index without touching the list the original index shares. */
function pushCopy(copy: Map<string, Quad[]>, original: Map<string, Quad[]>, key: string, quad: Quad): void {
  const list = copy.get(key);
  if (list && list !== original.get(key)) list.push(quad);
  else copy.set(key, [...(list ?? []), quad]);
}

function pushTo(index: Map<string, Quad[]>, key: string, quad: Quad): void {
  const list = index.get(key);
  if (list) list.push(quad);
  else index.set(key, [quad]);
}

