/**
 * SHACL-SPARQL for shacl-engine (sh:sparql constraints and sh:SPARQLTarget
 * targets), answered by oxigraph. shacl-engine's own support runs each query
 * with Comunica, whose engine and SPARQL parser take about 2 s to load (most
 * of `studio validate` on a sample policy) and which runs one query per focus
 * node. Here the data is copied into oxigraph once per validation, when a
 * SPARQL shape first needs it, and each query runs once with $this left free:
 * $this is a variable like any other, so its rows give every focus node's
 * results at once, handed out by focus node as shacl-engine asks for them.
 *
 * Only the triples a query can read are copied: those of the predicates its
 * patterns and paths name, and of a pattern with a fixed object only those
 * with that object (`?this a studio:MessageSource` needs no other rdf:type
 * triple); all of them for a query with a variable predicate. At 100k rules
 * the whole data took 9 s to copy; what the shapes' queries read is a tenth
 * of it.
 *
 * Blank nodes are copied as IRIs of their own (urn:studio:skolem:<label>)
 * and turned back into the same blank nodes in the answers, since oxigraph
 * gives the blank nodes of loaded text labels of its own. A query testing
 * isBlank() or isIRI() on them would see an IRI: no shape of ours does.
 */

import N3 from 'n3';
import oxigraph from 'oxigraph';
import type { DatasetCore, Quad, Term } from '@rdfjs/types';
import { nTriples } from '../rdf/serialize.js';
import { SH } from '../vocabulary.js';
import parsePath from 'shacl-engine/lib/parsePath.js';
import { QueryError } from '../errors.js';
import sparqljs from 'sparqljs';
import { termKey } from '../rdf/subject-dataset.js';

const SKOLEM = 'urn:studio:skolem:';
const { namedNode, blankNode, literal, quad } = N3.DataFactory;
/** How errors name a query of the shapes. */
const SHAPES_QUERY = 'of ontology/shapes.ttl (SHACL-SPARQL)';

// The parts of shacl-engine's pointers, shapes and contexts read here.
interface Pointer {
  readonly term: Term;
  readonly terms: Term[];
  readonly value: string | undefined;
  readonly ptrs: Pointer[];
  out(predicates: Term[]): Pointer;
  node(terms: (Term | undefined)[]): Pointer;
  [Symbol.iterator](): Iterator<Pointer>;
}
interface PathStep {
  readonly start: 'subject' | 'object';
  readonly end: 'subject' | 'object';
  readonly predicates: Term[];
  readonly quantifier: 'one' | 'zeroOrOne' | 'zeroOrMore' | 'oneOrMore';
}
/** The parts of a shacl-engine shape read here (conformance-precheck.ts passes its shapes too). */
export interface SparqlShape {
  readonly sparql: Pointer;
  readonly path: PathStep[] | null;
}
interface Context {
  readonly focusNode: Pointer & { readonly dataset: DatasetCore };
  violation(component: Term, args: Record<string, unknown>): void;
  debug(component: Term, args: Record<string, unknown>): void;
}

/** The data of one validation as oxigraph holds it, and the answers of the queries run on it so far. */
interface Mirror {
  readonly store: oxigraph.Store;
  /** The predicates whose triples are copied, and the triples copied of a predicate with a fixed object; `all` once every triple is. */
  readonly copied: Set<string>;
  readonly copiedWith: Map<string, Set<string>>;
  all: boolean;
  /** By query text: every row, by the key of its ?this. */
  readonly answers: Map<string, Map<string, Map<string, Term>[]>>;
}

/** One mirror per dataset validated; a dataset no longer used is let go with its mirror. */
const mirrors = new WeakMap<DatasetCore, Mirror>();

/**
 * Hands the mirror of a dataset to its revision (SubjectDataset.revised),
 * with the triples that changed taken out and put in, rather than copying
 * the whole data again. The answers are dropped: the queries run anew.
 */
export function carryMirror(from: DatasetCore, to: DatasetCore, removed: readonly Quad[], added: readonly Quad[]): void {
  const mirror = mirrors.get(from);
  if (!mirror) return;
  mirrors.delete(from);
  const copied = (q: Quad) => mirror.all || mirror.copied.has(q.predicate.value) || (mirror.copiedWith.get(q.predicate.value)?.has(termKey(q.object)) ?? false);
  for (const q of removed) if (copied(q)) mirror.store.delete(skolemized(q) as unknown as oxigraph.Quad);
  const copier = copyInto(mirror.store);
  for (const q of added) if (copied(q)) copier.add(q);
  copier.flush();
  mirror.answers.clear();
  mirrors.set(to, mirror);
}

/** Copies into the mirror the triples a query reads that it lacks. */
function mirrorFor(dataset: DatasetCore, query: string): Mirror {
  let mirror = mirrors.get(dataset);
  if (!mirror) mirrors.set(dataset, (mirror = { store: new oxigraph.Store(), copied: new Set(), copiedWith: new Map(), all: false, answers: new Map() }));
  if (mirror.all) return mirror;
  const needed = triplesRead(query);
  const copier = copyInto(mirror.store);
  // A triple copied twice is held once: the store is a set.
  if (needed === 'all') {
    for (const q of dataset.match(null, null, null, null)) if (!mirror.copied.has(q.predicate.value)) copier.add(q);
    mirror.all = true;
  } else {
    for (const [predicate, objects] of needed) {
      if (mirror.copied.has(predicate)) continue;
      if (objects === 'all') {
        for (const q of dataset.match(null, namedNode(predicate), null, null)) copier.add(q);
        mirror.copied.add(predicate);
        continue;
      }
      let done = mirror.copiedWith.get(predicate);
      if (!done) mirror.copiedWith.set(predicate, (done = new Set()));
      for (const [key, object] of objects) {
        if (done.has(key)) continue;
        for (const q of dataset.match(null, namedNode(predicate), object, null)) copier.add(q);
        done.add(key);
      }
    }
  }
  copier.flush();
  return mirror;
}

/** Adds quads to oxigraph in pieces. */
function copyInto(store: oxigraph.Store) {
  const batch: Quad[] = [];
  const flush = () => {
    // Small pieces without a transaction: oxigraph loads a large piece without one several times slower
    // (10k rules in one piece: 6 s against 1 s), and one transaction per piece slows down as the store grows.
    if (batch.length > 0) store.load(nTriples(batch), { format: 'application/n-triples', no_transaction: true });
    batch.length = 0;
  };
  return {
    add(q: Quad) {
      batch.push(skolemized(q));
      if (batch.length === BATCH) flush();
    },
    flush,
  };
}

/** What a query reads: by predicate, every triple or those with the given objects (by key); or 'all'. */
type Read = Map<string, Map<string, Term> | 'all'> | 'all';
const readByQuery = new Map<string, Read>();

/** The triples a query can read, or 'all' when a pattern's predicate is a variable. */
export function triplesRead(query: string): Read {
  let read = readByQuery.get(query);
  if (read === undefined) {
    let parsed: unknown;
    try {
      parsed = new sparqljs.Parser().parse(query);
    } catch (error) {
      throw new QueryError(SHAPES_QUERY, `${error instanceof Error ? error.message : String(error)}\n${query}`, { cause: error });
    }
    const found: Map<string, Map<string, Term> | 'all'> = new Map();
    read = collectTriples(parsed, found) ? found : 'all';
    readByQuery.set(query, read);
  }
  return read;
}

/** Walks a parsed query; false when some pattern may read any predicate. */
function collectTriples(node: unknown, found: Map<string, Map<string, Term> | 'all'>): boolean {
  if (Array.isArray(node)) return node.every((item) => collectTriples(item, found));
  if (typeof node !== 'object' || node === null) return true;
  const record = node as Record<string, unknown>;
  if ('subject' in record && 'predicate' in record && 'object' in record) {
    const predicate = record.predicate as { termType?: string; value?: string };
    const object = record.object as Term;
    if (predicate.termType === 'NamedNode' && (object.termType === 'NamedNode' || object.termType === 'Literal')) {
      const objects = found.get(predicate.value!) ?? new Map<string, Term>();
      if (objects !== 'all') found.set(predicate.value!, objects.set(termKey(object), object));
    } else {
      const predicates = new Set<string>();
      if (!predicateIris(record.predicate, predicates)) return false;
      for (const iri of predicates) found.set(iri, 'all');
    }
    return collectTriples(record.subject, found) && collectTriples(record.object, found);
  }
  return Object.values(record).every((value) => collectTriples(value, found));
}

/** The IRIs of a pattern's predicate or property path; false for a variable or a negated property set. */
function predicateIris(predicate: unknown, found: Set<string>): boolean {
  const term = predicate as { termType?: string; value?: string; type?: string; pathType?: string; items?: unknown[] };
  if (term.termType === 'NamedNode') {
    found.add(term.value!);
    return true;
  }
  if (term.type === 'path' && term.pathType !== '!') return (term.items ?? []).every((item) => predicateIris(item, found));
  return false;
}

/** Triples per piece copied into oxigraph. */
const BATCH = 5_000;

function skolemized(q: Quad): Quad {
  return q.subject.termType === 'BlankNode' || q.object.termType === 'BlankNode' ? quad(skolem(q.subject) as N3.Quad_Subject, q.predicate as N3.Quad_Predicate, skolem(q.object) as N3.Quad_Object) : q;
}

function skolem(term: Term): Term {
  return term.termType === 'BlankNode' ? namedNode(`${SKOLEM}${term.value}`) : term;
}

/** An oxigraph term of an answer as the n3 term the dataset holds. */
function fromOxigraph(term: oxigraph.Term): Term {
  switch (term.termType) {
    case 'NamedNode':
      return term.value.startsWith(SKOLEM) ? blankNode(term.value.slice(SKOLEM.length)) : namedNode(term.value);
    case 'BlankNode':
      return blankNode(term.value);
    case 'Literal':
      return term.language ? literal(term.value, term.language) : literal(term.value, namedNode(term.datatype.value));
    default:
      throw new QueryError(SHAPES_QUERY, `an answer holds a ${term.termType}, which no result can name`);
  }
}

/** A term's key, the same for the n3 and the oxigraph forms of a term. */
function keyOf(term: Term | oxigraph.Term): string {
  if (term.termType === 'Literal') return `"${term.value}"@${term.language}^^${term.datatype.value}`;
  return `${term.termType} ${term.value}`;
}

/** Runs a SELECT on the whole data once, keeping its rows by their ?this. */
function answer(dataset: DatasetCore, query: string): Map<string, Map<string, Term>[]> {
  const mirror = mirrorFor(dataset, query);
  let rows = mirror.answers.get(query);
  if (!rows) {
    let result: ReturnType<oxigraph.Store['query']>;
    try {
      result = mirror.store.query(query, { use_default_graph_as_union: true });
    } catch (error) {
      throw new QueryError(SHAPES_QUERY, `${error instanceof Error ? error.message : String(error)}\n${query}`, { cause: error });
    }
    if (!Array.isArray(result) || (result.length > 0 && !(result[0] instanceof Map))) throw new QueryError(SHAPES_QUERY, `not a SELECT:\n${query}`);
    rows = new Map();
    for (const row of result as Map<string, oxigraph.Term>[]) {
      const focus = row.get('this');
      if (!focus) throw new QueryError(SHAPES_QUERY, `selects no $this, which the studio needs to tell whose results its rows are:\n${query}`);
      const converted = new Map([...row].map(([name, term]) => [name, fromOxigraph(term)]));
      const key = keyOf(converted.get('this')!);
      rows.set(key, [...(rows.get(key) ?? []), converted]);
    }
    mirror.answers.set(query, rows);
  }
  return rows;
}

const sh = (name: string) => namedNode(`${SH}${name}`);
const OWL_IMPORTS = namedNode('http://www.w3.org/2002/07/owl#imports');

/** The PREFIX lines a constraint's sh:prefixes declare (sh:declare, through owl:imports too). */
function prefixLines(pointer: Pointer, lines: string[] = []): string[] {
  for (const imported of pointer.out([OWL_IMPORTS])) prefixLines(imported, lines);
  for (const declaration of pointer.out([sh('declare')])) {
    lines.push(`PREFIX ${declaration.out([sh('prefix')]).value}: <${declaration.out([sh('namespace')]).value}>`);
  }
  return lines;
}

/** A property shape's path in SPARQL's path syntax, for $PATH. */
function sparqlPath(path: readonly PathStep[]): string {
  const quantifiers = { one: '', zeroOrOne: '?', zeroOrMore: '*', oneOrMore: '+' } as const;
  return path
    .map((step) => {
      const predicates = step.predicates.map((p) => `<${p.value}>`).join('|');
      const inverse = step.start === 'object' ? '^' : '';
      return `${inverse}(${predicates})${quantifiers[step.quantifier]}`;
    })
    .join('/');
}

/** The constraints of a shape's sh:sparql, each with its query as run: its prefixes declared, $PATH written out. */
function constraintsOf(shape: SparqlShape): { query: string; message: Term[]; source: Term[] }[] {
  return [...shape.sparql].map((constraint) => {
    const select = constraint.out([sh('select')]).value;
    if (!select) throw new QueryError(SHAPES_QUERY, 'a sh:sparql constraint has no sh:select');
    let query = [...prefixLines(constraint.out([sh('prefixes')])), select].join('\n');
    if (query.includes('$PATH')) {
      if (!shape.path) throw new QueryError(SHAPES_QUERY, `uses $PATH in a shape without sh:path:\n${select}`);
      query = query.split('$PATH').join(sparqlPath(shape.path));
    }
    return { query, message: constraint.out([sh('message')]).terms, source: constraint.terms };
  });
}

/**
 * The queries of a shape's sh:sparql constraints, for a caller that asks
 * sparqlRows about them (conformance-precheck.ts): the same texts, so the
 * same answers, as shacl-engine's validation gets.
 */
export function sparqlQueries(shape: SparqlShape): string[] {
  return constraintsOf(shape).map((c) => c.query);
}

/** How many rows a query of the shapes gives a focus node: each row is one result. The query runs once per validation, whoever asks first. */
export function sparqlRows(dataset: DatasetCore, query: string, focus: Term): number {
  return answer(dataset, query).get(keyOf(focus))?.length ?? 0;
}

/** sh:sparql: each constraint of the shape, its query run once per validation. */
function compileSparql(shape: SparqlShape) {
  const constraints = constraintsOf(shape);
  return {
    generic: async (context: Context) => {
      const focus = context.focusNode;
      for (const { query, message, source } of constraints) {
        const rows = answer(focus.dataset, query).get(keyOf(focus.term)) ?? [];
        for (const row of rows) {
          const args = Object.fromEntries(row);
          const path = row.has('path') ? parsePath(focus.node([row.get('path')])) : undefined;
          const value = focus.node([row.get('value') ?? focus.term]);
          context.violation(sh('SPARQLConstraintComponent'), { args, message, ...(path ? { path } : {}), source, value });
        }
        if (rows.length === 0) context.debug(sh('SPARQLConstraintComponent'), { source });
      }
    },
  };
}

/** sh:target [ a sh:SPARQLTarget ; sh:select ... ]: the ?this of every row. */
async function resolveSparqlTarget(target: Pointer, context: Context): Promise<Term[]> {
  const select = target.out([sh('select')]).value;
  if (!select) return [];
  return [...answer(context.focusNode.dataset, select).values()].map((rows) => rows[0]!.get('this')!);
}

/** What shacl-engine's Validator takes as `validations` and `targetResolvers`. */
export const sparqlValidations = new Map([[sh('sparql'), compileSparql]]);
export const sparqlTargetResolvers = new Map([[sh('target'), resolveSparqlTarget]]);
