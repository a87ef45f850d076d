/**
 * A conservative conformance pre-check (issue 22): for a node shape and a
 * focus node, whether shacl-engine's validation of it certainly gives no
 * result at all, decided by a plain function compiled once per shape, so
 * that shacl-engine (about 20 µs per focus node and property shape) is run
 * only on the nodes the pre-check cannot tell about. The findings still all
 * come from shacl-engine: a node the pre-check passes is one it would have
 * passed.
 *
 * Each shape is compiled from shacl-engine's own reading of it (its Shape
 * objects: path, deactivation, severity, and resolveClasses for sh:class
 * with the subclasses in the shapes graph), and each supported constraint
 * does what shacl-engine's validation of that component does
 * (node_modules/shacl-engine/lib/validations/), ill-typed literals, language
 * tags and blank nodes included. A shape with any constraint shacl-engine
 * would run that is not supported here, or with a parameter it is not sure
 * to read the same way (two values where one is expected, a pattern with the
 * stateful g or y flag...), gets "cannot tell" for every node.
 *
 * A check says one of three things:
 * - CONFORMS: shacl-engine gives no result of any severity.
 * - FAILS: it gives one, of a severity that makes a nested report fail, and
 *   gives it again when it meets the same shape and node a second time in
 *   one call. That second meeting matters: shacl-engine then repeats only
 *   the results it kept under that (shape, node, value path), and the
 *   results of a node shape's sh:property and of a property shape's checks
 *   of each value are kept under other keys. So a nested report can conform
 *   on a second meeting where it failed on the first, which would turn an
 *   sh:not or a qualified count around. FAILS is therefore said only from
 *   results kept under the shape's own key (a node shape's own constraints,
 *   a property shape's counts); any other failure is UNKNOWN.
 * - UNKNOWN: anything else. The caller hands the node to shacl-engine.
 * Only CONFORMS lets a focus node be skipped; FAILS is needed inside sh:not,
 * sh:or, sh:xone and qualified counts.
 *
 * Skipping a node cannot change what shacl-engine says of the others: nodes
 * share what shacl-engine remembers within a call only through a
 * sh:qualifiedValueShape (its value shape meets the values with no value
 * path of their own), and such a shape is supported only when its verdict
 * is kept whole under its own key (a node shape with only constraints of
 * its own, see FLAT).
 */

import N3 from 'n3';
import type { DatasetCore, Term } from '@rdfjs/types';
import resolveClasses from 'shacl-engine/lib/resolveClasses.js';
import { termKey, type SubjectDataset } from '../rdf/subject-dataset.js';
import { RDF, SH, XSD } from '../vocabulary.js';
import { sparqlQueries, sparqlRows, type SparqlShape } from './sparql-constraints.js';

const CONFORMS = 0;
const FAILS = 1;
const UNKNOWN = 2;
type Verdict = typeof CONFORMS | typeof FAILS | typeof UNKNOWN;

/** A verdict of a shape on a node of the data. */
type NodeCheck = (node: Term, data: SubjectDataset) => Verdict;
/** A verdict of a property shape's constraint on all the values of its path at once. */
type ValuesCheck = (values: readonly Term[], focus: Term, data: SubjectDataset) => Verdict;

/** Thrown while compiling a shape the pre-check does not decide: the shape then gets UNKNOWN. */
class Undecided extends Error {}

const sh = (name: string) => N3.DataFactory.namedNode(`${SH}${name}`);
const RDF_TYPE = `${RDF}type`;
const SEVERITIES = new Set([`${SH}Violation`, `${SH}Warning`, `${SH}Info`]);
const NODE_KINDS = new Map([
  [`${SH}BlankNode`, new Set(['BlankNode'])],
  [`${SH}BlankNodeOrIRI`, new Set(['BlankNode', 'NamedNode'])],
  [`${SH}BlankNodeOrLiteral`, new Set(['BlankNode', 'Literal'])],
  [`${SH}IRI`, new Set(['NamedNode'])],
  [`${SH}IRIOrLiteral`, new Set(['NamedNode', 'Literal'])],
  [`${SH}Literal`, new Set(['Literal'])],
]);

/**
 * Lexical forms taken as certainly valid, by datatype. shacl-engine checks a
 * literal of the right datatype with rdf-validation's XsdValidation; each
 * form here accepts only texts that check accepts too (xsd:string: no
 * surrogate and no U+FFFE/U+FFFF, which it rejects; xsd:date: no time zone).
 * A literal of the right datatype whose text is not accepted here, or of a
 * datatype not listed, is UNKNOWN, never FAILS.
 */
const LEXICAL: Record<string, RegExp> = {
  [`${XSD}string`]: /^[^\ud800-\udfff\ufffe\uffff]*$/,
  [`${XSD}boolean`]: /^(?:true|false|1|0)$/,
  [`${XSD}integer`]: /^[+-]?[0-9]+$/,
  [`${XSD}decimal`]: /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/,
  [`${XSD}date`]: /^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$/,
};

/** An xsd:integer small enough that shacl-engine's parseInt and Number read it alike: the only values compared with sh:minInclusive and its kin here. */
const SMALL_INTEGER = /^[+-]?[0-9]{1,15}$/;

/** The constraints a value shape of sh:qualifiedValueShape may have: each checks the node itself, and keeps its result under the shape's own key. */
const FLAT = new Set(['class', 'datatype', 'nodeKind', 'in', 'minLength', 'maxLength', 'pattern', 'hasValue', 'minInclusive', 'maxInclusive', 'minExclusive', 'maxExclusive'].map((name) => `${SH}${name}`));

// The parts of shacl-engine (its Validator, Shape and grapoi pointers) read here.
interface Pointer {
  readonly term: Term | undefined;
  readonly terms: Term[];
  readonly dataset: DatasetCore;
  out(predicates: Term[]): Pointer;
  node(terms: Term[]): Pointer;
  list(): Iterable<Pointer> | undefined;
  [Symbol.iterator](): Iterator<Pointer>;
}
interface PathStep {
  readonly start: string;
  readonly end: string;
  readonly predicates: Term[];
  readonly quantifier: string;
}
interface EngineShape {
  readonly ptr: Pointer;
  readonly path: (PathStep | undefined)[] | null;
  readonly deactivated: unknown;
  readonly severity: Term | undefined;
}
/** What the pre-check reads of a shacl-engine Validator. */
export interface PrecheckEngine {
  shape(ptr: Pointer): EngineShape | null;
  readonly shapesPtr: { node(terms: Term[]): Pointer };
  /** The constraint components shacl-engine runs, by parameter (sh:class...), the SHACL-SPARQL ones of sparql-constraints.ts included. */
  readonly registry: { readonly validations: { has(term: Term): boolean } };
}

/** The pre-check of a set of shapes: built once from a shacl-engine Validator, asked per (node shape, focus node). */
export class ConformancePrecheck {
  private readonly checks = new Map<string, NodeCheck | null>();
  /** Counts the calls: what a check remembers of the data holds for one call only (the data may grow between calls). */
  private call = 0;

  constructor(private readonly engine: PrecheckEngine) {}

  /** Whether shacl-engine's validation of `shape` on `focus`, over `data`, certainly gives no result. */
  conforms(shape: Term, focus: Term, data: SubjectDataset): boolean {
    this.call++;
    return this.check(shape)(focus, data) === CONFORMS;
  }

  /** The focus nodes of `shape` the pre-check cannot tell about: those shacl-engine must validate. */
  undecided(shape: Term, focus: readonly Term[], data: SubjectDataset): Term[] {
    this.call++;
    const check = this.check(shape);
    return focus.filter((node) => check(node, data) !== CONFORMS);
  }

  /** A shape's check, compiled on first use; a shape that reaches itself while being compiled is UNKNOWN there. */
  private check(term: Term): NodeCheck {
    const key = termKey(term);
    const known = this.checks.get(key);
    if (known) return known;
    if (known === null) return unknown;
    this.checks.set(key, null);
    let check: NodeCheck;
    try {
      const shape = this.engine.shape(this.engine.shapesPtr.node([term]));
      if (!shape) throw new Undecided();
      check = this.compile(shape);
    } catch {
      // Undecided, or a shape shacl-engine would fail on itself (a broken list, a bad pattern): shacl-engine's own error is the one to see.
      check = unknown;
    }
    this.checks.set(key, check);
    return check;
  }

  private compile(shape: EngineShape): NodeCheck {
    // shacl-engine's Registry compiles no validation at all for a deactivated shape.
    if (shape.deactivated) return conforms;
    if (shape.severity && !SEVERITIES.has(shape.severity.value)) throw new Undecided();
    const ptr = shape.ptr;
    const parameters = new Set<string>();
    for (const q of ptr.dataset.match(ptr.term, null, null)) if (this.engine.registry.validations.has(q.predicate)) parameters.add(q.predicate.value);
    return shape.path ? this.propertyShape(shape, shape.path, parameters) : this.nodeShape(shape, parameters);
  }

  /** A node shape: its own constraints on the node (shacl-engine's validateNode runs their `node` and `generic` parts). */
  private nodeShape(shape: EngineShape, parameters: ReadonlySet<string>): NodeCheck {
    const checks: NodeCheck[] = [];
    for (const parameter of parameters) {
      const name = parameter.slice(SH.length);
      if (name === 'closed') {
        const closed = this.closed(shape);
        if (closed) checks.push(closed);
      } else if (name === 'hasValue') {
        const value = one(shape.ptr, 'hasValue');
        checks.push((node) => (value.equals(node) ? CONFORMS : FAILS));
      } else if (name === 'sparql') {
        const queries = sparqlQueries(shape as unknown as SparqlShape);
        checks.push((node, data) => (queries.every((query) => sparqlRows(data, query, node) === 0) ? CONFORMS : FAILS));
      } else if (['minCount', 'maxCount', 'qualifiedValueShape', 'lessThan', 'lessThanOrEquals'].includes(name)) {
        // Only a `property` part: shacl-engine runs none of it on a node shape.
      } else {
        checks.push(this.generic(shape, name));
      }
    }
    return all(checks);
  }

  /** A property shape: its counts on the values of its path, then its checks of each value. */
  private propertyShape(shape: EngineShape, path: readonly (PathStep | undefined)[], parameters: ReadonlySet<string>): NodeCheck {
    const valuesOf = compilePath(path);
    const counts: ValuesCheck[] = [];
    const each: NodeCheck[] = [];
    for (const parameter of parameters) {
      const name = parameter.slice(SH.length);
      if (name === 'minCount') {
        const min = integer(shape.ptr, 'minCount');
        counts.push((values) => (values.length >= min ? CONFORMS : FAILS));
      } else if (name === 'maxCount') {
        const max = integer(shape.ptr, 'maxCount');
        counts.push((values) => (values.length <= max ? CONFORMS : FAILS));
      } else if (name === 'hasValue') {
        const value = one(shape.ptr, 'hasValue');
        counts.push((values) => (values.some((v) => value.equals(v)) ? CONFORMS : FAILS));
      } else if (name === 'qualifiedValueShape') {
        counts.push(this.qualified(shape));
      } else if (name === 'lessThan' || name === 'lessThanOrEquals') {
        // Decided only where there is nothing to compare: shacl-engine compares each value with each of the other property's.
        const other = one(shape.ptr, name);
        if (other.termType !== 'NamedNode') throw new Undecided();
        counts.push((values, focus, data) => (values.length === 0 || data.valuesOf(focus, other.value).length === 0 ? CONFORMS : UNKNOWN));
      } else if (name === 'closed' || name === 'sparql') {
        throw new Undecided();
      } else {
        each.push(this.generic(shape, name));
      }
    }
    const eachValue = all(each);
    return (focus, data) => {
      const values = valuesOf(focus, data);
      let verdict: Verdict = CONFORMS;
      for (const count of counts) {
        const said = count(values, focus, data);
        if (said === FAILS) return FAILS;
        if (said === UNKNOWN) verdict = UNKNOWN;
      }
      if (verdict !== CONFORMS) return verdict;
      // A value's failure is kept under the value's own key: not FAILS (see the file comment), so UNKNOWN.
      for (const value of values) if (eachValue(value, data) !== CONFORMS) return UNKNOWN;
      return CONFORMS;
    };
  }

  /** A constraint shacl-engine checks on one node: a node shape's focus node, or each value of a property shape. */
  private generic(shape: EngineShape, name: string): NodeCheck {
    const ptr = shape.ptr;
    switch (name) {
      case 'class': {
        // Each sh:class is checked apart; its subclasses are read from the shapes graph, the types from the data, as shacl-engine does.
        const classes = [...ptr.out([sh('class')])].map((p) => new Set([...resolveClasses(p)].map(termKey)));
        // The same few values (the policy, its sections, roles, actions) come up for most focus nodes: their verdicts
        // are remembered for the length of a call, which spares reading their types from all over the heap again.
        const known = new Map<string, Verdict>();
        let knownIn = -1;
        return (node, data) => {
          if (knownIn !== this.call) {
            known.clear();
            knownIn = this.call;
          }
          const key = termKey(node);
          let said = known.get(key);
          if (said === undefined) {
            const types = data.valuesOf(node, RDF_TYPE);
            said = classes.every((set) => types.some((q) => set.has(termKey(q.object)))) ? CONFORMS : FAILS;
            known.set(key, said);
          }
          return said;
        };
      }
      case 'datatype': {
        const datatype = one(ptr, 'datatype');
        if (datatype.termType !== 'NamedNode') throw new Undecided();
        const lexical = LEXICAL[datatype.value];
        return (node) => {
          if (node.termType !== 'Literal' || node.datatype.value !== datatype.value) return FAILS;
          return lexical?.test(node.value) ? CONFORMS : UNKNOWN;
        };
      }
      case 'nodeKind': {
        const kind = one(ptr, 'nodeKind');
        const kinds = kind.termType === 'NamedNode' ? NODE_KINDS.get(kind.value) : undefined;
        if (!kinds) throw new Undecided();
        return (node) => (kinds.has(node.termType) ? CONFORMS : FAILS);
      }
      case 'in': {
        const items = [...(listOf(ptr, 'in') ?? undecided())].map((item) => item.term!);
        const keys = new Set(items.map(termKey));
        // A key that matches is checked with equals too: n3's equality tells literals apart by base direction, a key does not.
        return (node) => (!keys.has(termKey(node)) ? FAILS : items.some((item) => item.equals(node)) ? CONFORMS : UNKNOWN);
      }
      case 'minLength':
      case 'maxLength': {
        const length = integer(ptr, name);
        const fits = name === 'minLength' ? (n: number) => n >= length : (n: number) => n <= length;
        return (node) => (node.termType !== 'BlankNode' && fits(node.value.length) ? CONFORMS : FAILS);
      }
      case 'pattern': {
        const flagTerms = ptr.out([sh('flags')]).terms;
        if (flagTerms.length > 1) throw new Undecided();
        const flags = flagTerms[0]?.value;
        // With g or y shacl-engine's one RegExp carries lastIndex from node to node.
        if (flags && /[gy]/.test(flags)) throw new Undecided();
        const regex = new RegExp(one(ptr, 'pattern').value, flags);
        return (node) => (regex.test(node.value) ? CONFORMS : FAILS);
      }
      case 'minInclusive':
      case 'maxInclusive':
      case 'minExclusive':
      case 'maxExclusive': {
        const bound = one(ptr, name);
        if (!isSmallInteger(bound)) throw new Undecided();
        const limit = Number(bound.value);
        const holds = { minInclusive: (c: number) => c >= 0, maxInclusive: (c: number) => c <= 0, minExclusive: (c: number) => c > 0, maxExclusive: (c: number) => c < 0 }[name];
        return (node) => {
          // shacl-engine's compareTerms: no comparison with anything but a literal, which fails the constraint.
          if (node.termType !== 'Literal') return FAILS;
          return isSmallInteger(node) ? (holds(Number(node.value) - limit) ? CONFORMS : FAILS) : UNKNOWN;
        };
      }
      case 'or':
      case 'and':
      case 'xone': {
        // shacl-engine joins every list given into one.
        const members = [...ptr.out([sh(name)])].flatMap((list) => [...(list.list() ?? undecided())]).map((item) => this.member(item));
        return logical[name](members);
      }
      case 'not': {
        const inner = this.member(ptr.out([sh('not')]));
        return (node, data) => {
          const said = inner(node, data);
          return said === FAILS ? CONFORMS : said === CONFORMS ? FAILS : UNKNOWN;
        };
      }
      case 'node': {
        const shapes = [...ptr.out([sh('node')])].map((p) => this.member(p));
        return all(shapes);
      }
      case 'property': {
        // The property shapes keep their results under their own keys: their failure is the holder's UNKNOWN.
        const properties = [...ptr.out([sh('property')])].map((p) => this.member(p));
        return (node, data) => (properties.every((property) => property(node, data) === CONFORMS) ? CONFORMS : UNKNOWN);
      }
      default:
        throw new Undecided();
    }
  }

  /** sh:qualifiedValueShape with a flat value shape, not disjoint: how many values conform, against the bounds. */
  private qualified(shape: EngineShape): ValuesCheck {
    const ptr = shape.ptr;
    const valueShape = single(ptr.out([sh('qualifiedValueShape')]));
    const disjoint = ptr.out([sh('qualifiedValueShapesDisjoint')]).terms;
    if (disjoint.length > 0 && !(disjoint.length === 1 && disjoint[0]!.termType === 'Literal' && disjoint[0]!.value === 'false' && disjoint[0]!.datatype.value === `${XSD}boolean`)) {
      throw new Undecided();
    }
    const engineShape = this.engine.shape(valueShape);
    if (!engineShape || engineShape.path) throw new Undecided();
    for (const q of valueShape.dataset.match(valueShape.term, null, null)) {
      if (this.engine.registry.validations.has(q.predicate) && !FLAT.has(q.predicate.value)) throw new Undecided();
    }
    const member = this.member(valueShape);
    const bound = (name: string) => (ptr.out([sh(name)]).terms.length === 0 ? null : integer(ptr, name));
    const [min, max] = [bound('qualifiedMinCount'), bound('qualifiedMaxCount')];
    return (values, _focus, data) => {
      let conforming = 0;
      for (const value of values) {
        const said = member(value, data);
        if (said === UNKNOWN) return UNKNOWN;
        if (said === CONFORMS) conforming++;
      }
      return (max !== null && conforming > max) || (min !== null && conforming < min) ? FAILS : CONFORMS;
    };
  }

  /** A shape named by a constraint (a member of sh:or, the shape of sh:not...), checked on the node it is given. */
  private member(ptr: Pointer): NodeCheck {
    const term = single(ptr).term!;
    if (term.termType !== 'NamedNode' && term.termType !== 'BlankNode') throw new Undecided();
    return this.check(term);
  }

  /** sh:closed true: the node's predicates are its property shapes' (active ones') first path predicates or ignored ones. */
  private closed(shape: EngineShape): NodeCheck | undefined {
    const closed = one(shape.ptr, 'closed');
    if (closed.termType !== 'Literal' || closed.datatype.value !== `${XSD}boolean` || !['true', 'false'].includes(closed.value)) throw new Undecided();
    if (closed.value === 'false') return undefined;
    const allowed = new Set<string>();
    for (const property of shape.ptr.out([sh('property')])) {
      const child = this.engine.shape(property);
      if (!child) throw new Undecided();
      if (child.deactivated) continue;
      const first = child.path?.[0]?.predicates[0];
      if (!first) throw new Undecided();
      allowed.add(termKey(first));
    }
    // As shacl-engine reads it: no list (or several) ignores nothing.
    for (const item of shape.ptr.out([sh('ignoredProperties')]).list() ?? []) allowed.add(termKey(item.term!));
    return (node, data) => {
      for (const predicate of data.predicatesOf(node)) if (!allowed.has(predicate)) return FAILS;
      return CONFORMS;
    };
  }
}

const conforms: NodeCheck = () => CONFORMS;
const unknown: NodeCheck = () => UNKNOWN;

/** Every check must conform; one that fails makes the whole fail. */
function all(checks: readonly NodeCheck[]): NodeCheck {
  if (checks.length === 0) return conforms;
  if (checks.length === 1) return checks[0]!;
  return (node, data) => {
    let verdict: Verdict = CONFORMS;
    for (const check of checks) {
      const said = check(node, data);
      if (said === FAILS) return FAILS;
      if (said === UNKNOWN) verdict = UNKNOWN;
    }
    return verdict;
  };
}

const logical: Record<'or' | 'and' | 'xone', (members: NodeCheck[]) => NodeCheck> = {
  and: all,
  or: (members) => (node, data) => {
    let verdict: Verdict = FAILS;
    for (const member of members) {
      const said = member(node, data);
      if (said === CONFORMS) return CONFORMS;
      if (said === UNKNOWN) verdict = UNKNOWN;
    }
    return verdict;
  },
  xone: (members) => (node, data) => {
    let conforming = 0;
    let unknowns = 0;
    for (const member of members) {
      const said = member(node, data);
      if (said === CONFORMS) conforming++;
      else if (said === UNKNOWN) unknowns++;
    }
    if (conforming > 1) return FAILS;
    if (unknowns > 0) return UNKNOWN;
    return conforming === 1 ? CONFORMS : FAILS;
  },
};

/**
 * A path as shacl-engine walks it (grapoi's executeAll): the distinct nodes
 * it reaches. Forward steps only; sh:inversePath, or a step shacl-engine's
 * parsePath could not read, leaves the shape undecided.
 */
function compilePath(path: readonly (PathStep | undefined)[]): (focus: Term, data: SubjectDataset) => Term[] {
  const steps = path.map((step) => {
    if (!step || step.start !== 'subject' || step.end !== 'object' || !step.predicates.every((p) => p.termType === 'NamedNode')) throw new Undecided();
    if (!['one', 'zeroOrOne', 'zeroOrMore', 'oneOrMore'].includes(step.quantifier)) throw new Undecided();
    return { predicates: step.predicates.map((p) => p.value), quantifier: step.quantifier };
  });
  const first = steps[0];
  // The common case, a predicate: a subject's values of it are distinct already (the dataset holds a triple once).
  if (steps.length === 1 && first!.quantifier === 'one' && first!.predicates.length === 1) {
    const predicate = first!.predicates[0]!;
    return (focus, data) => data.valuesOf(focus, predicate).map((q) => q.object);
  }
  return (focus, data) => {
    let nodes = new Map([[termKey(focus), focus]]);
    for (const { predicates, quantifier } of steps) {
      const next = new Map<string, Term>();
      const along = (node: Term, reached: (term: Term) => void) => {
        for (const predicate of predicates) for (const q of data.valuesOf(node, predicate)) reached(q.object);
      };
      for (const node of nodes.values()) {
        if (quantifier === 'one' || quantifier === 'zeroOrOne') {
          if (quantifier === 'zeroOrOne') next.set(termKey(node), node);
          along(node, (term) => next.set(termKey(term), term));
          continue;
        }
        // zeroOrMore: the node and all it reaches; oneOrMore: all it reaches in one step or more (itself only round a cycle).
        const pending: Term[] = [];
        const reach = (term: Term) => {
          const key = termKey(term);
          if (!next.has(key)) {
            next.set(key, term);
            pending.push(term);
          }
        };
        if (quantifier === 'zeroOrMore') reach(node);
        else along(node, reach);
        while (pending.length > 0) along(pending.pop()!, reach);
      }
      nodes = next;
    }
    return [...nodes.values()];
  };
}

/** The one value of a parameter; several (or none) leave the shape undecided, as shacl-engine reads them as no value at all. */
function one(ptr: Pointer, name: string): Term {
  return single(ptr.out([sh(name)])).term!;
}

function single(ptr: Pointer): Pointer {
  if (ptr.terms.length !== 1 || !ptr.term) throw new Undecided();
  return ptr;
}

/** A count parameter: digits only, which shacl-engine's parseInt reads as they are written. */
function integer(ptr: Pointer, name: string): number {
  const text = one(ptr, name).value;
  if (!/^[0-9]{1,15}$/.test(text)) throw new Undecided();
  return Number(text);
}

function listOf(ptr: Pointer, name: string): Iterable<Pointer> | undefined {
  return single(ptr.out([sh(name)])).list();
}

function isSmallInteger(term: Term): boolean {
  return term.termType === 'Literal' && term.datatype.value === `${XSD}integer` && SMALL_INTEGER.test(term.value);
}

function undecided(): never {
  throw new Undecided();
}
