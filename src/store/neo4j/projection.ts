/**
 * RDF to property graph and back. Every IRI or blank node becomes a
 * :Resource node with a unique uri; rdf:type becomes labels (readable names,
 * plus the studio superclasses, so a prohibition is :Rule:Prohibition) and
 * the asserted types are kept in rdfTypes; literals become properties;
 * IRIs and blank nodes as objects become relationships. Literal values are
 * stored natively where that loses nothing (strings, integers, booleans,
 * decimals, dates); language tags and datatypes that a native value cannot
 * carry go in parallel properties key__lang and key__dt, so that exporting
 * gives back the same triples.
 */

import N3 from 'n3';
import neo4j, { type Integer } from 'neo4j-driver';
import type { Literal, Quad, Term } from '@rdfjs/types';
import { RDF, XSD } from '../../vocabulary.js';
import { graphName, type NameKind } from './names.js';

const RDF_TYPE = `${RDF}type`;
const LANG_STRING = `${RDF}langString`;
/** Property keys the projection itself uses on :Resource nodes. */
export const RESERVED_KEYS = new Set(['uri', 'graph', 'rdfTypes']);
export const BNODE_SCHEME = 'bnode://';

type Scalar = string | number | boolean | Integer | neo4j.Date<number>;
export type PropertyValue = Scalar | Scalar[];

/** A node the graph describes: what to write on it. */
export interface NodeRow {
  readonly uri: string;
  readonly labels: string[];
  readonly rdfTypes: string[];
  readonly props: Record<string, PropertyValue>;
}

export interface RelationshipRow {
  readonly from: string;
  readonly type: string;
  readonly to: string;
}

/** A name the projection used, and the IRI it stands for, so export can reverse it. */
export interface NameRow {
  readonly name: string;
  readonly kind: NameKind;
  readonly iri: string;
}

export interface Projection {
  readonly nodes: NodeRow[];
  /** Nodes only referenced (objects the graph does not describe). */
  readonly references: string[];
  readonly relationships: RelationshipRow[];
  readonly names: NameRow[];
}

/**
 * Projects triples into rows to write. Blank nodes get uris under
 * bnode://<scope>/ so that two imports never share one.
 */
export function project(quads: readonly Quad[], options: { bnodeScope: string; superclasses: ReadonlyMap<string, readonly string[]> }): Projection {
  const names = new Map<string, NameRow>();
  // A graph uses few predicates and types, each in many triples: each is named once.
  const named: Record<NameKind, Map<string, string>> = { label: new Map(), property: new Map(), relationship: new Map() };
  const name = (iri: string, kind: NameKind): string => {
    const done = named[kind].get(iri);
    if (done !== undefined) return done;
    const n = graphName(iri, kind);
    const key = `${kind} ${n}`;
    const known = names.get(key);
    if (known && known.iri !== iri) throw new Error(`two IRIs project to the ${kind} ${n}: ${known.iri} and ${iri}`);
    names.set(key, { name: n, kind, iri });
    named[kind].set(iri, n);
    return n;
  };
  const uriOf = (term: Term): string => (term.termType === 'BlankNode' ? `${BNODE_SCHEME}${options.bnodeScope}/${term.value}` : term.value);

  const subjects = new Map<string, { types: Set<string>; literals: Map<string, Literal[]> }>();
  const referenced = new Set<string>();
  const relationships: RelationshipRow[] = [];
  for (const quad of quads) {
    const subject = uriOf(quad.subject);
    let entry = subjects.get(subject);
    if (!entry) subjects.set(subject, (entry = { types: new Set(), literals: new Map() }));
    if (quad.predicate.value === RDF_TYPE && quad.object.termType === 'NamedNode') {
      entry.types.add(quad.object.value);
    } else if (quad.object.termType === 'Literal') {
      const key = name(quad.predicate.value, 'property');
      const list = entry.literals.get(key) ?? [];
      list.push(quad.object);
      entry.literals.set(key, list);
    } else {
      const object = uriOf(quad.object);
      referenced.add(object);
      relationships.push({ from: subject, type: name(quad.predicate.value, 'relationship'), to: object });
    }
  }

  const nodes: NodeRow[] = [];
  for (const [uri, { types, literals }] of subjects) {
    const labels = new Set<string>();
    for (const type of types) {
      labels.add(name(type, 'label'));
      for (const superclass of options.superclasses.get(type) ?? []) labels.add(name(superclass, 'label'));
    }
    const props: Record<string, PropertyValue> = {};
    for (const [key, values] of literals) Object.assign(props, encodeLiterals(key, values));
    nodes.push({ uri, labels: [...labels], rdfTypes: [...types], props });
  }
  return {
    nodes,
    references: [...referenced].filter((uri) => !subjects.has(uri)),
    relationships,
    names: [...names.values()],
  };
}

type Kind = 'string' | 'integer' | 'boolean' | 'decimal' | 'date';

/** The native kind a literal is stored as without loss, or undefined when only its lexical form will do. */
function nativeKind(literal: Literal): Kind | undefined {
  const datatype = literal.datatype.value;
  const lexical = literal.value;
  if (datatype === `${XSD}string` || datatype === LANG_STRING) return 'string';
  if (datatype === `${XSD}integer` && /^-?(0|[1-9]\d{0,17})$/.test(lexical)) return 'integer';
  if (datatype === `${XSD}boolean` && (lexical === 'true' || lexical === 'false')) return 'boolean';
  if (datatype === `${XSD}decimal` && /^-?(0|[1-9]\d*)(\.\d*[1-9])?$/.test(lexical) && String(Number(lexical)) === lexical) return 'decimal';
  if (datatype === `${XSD}date` && /^\d{4}-\d{2}-\d{2}$/.test(lexical) && !Number.isNaN(Date.parse(lexical))) return 'date';
  return undefined;
}

function nativeValue(literal: Literal, kind: Kind): PropertyValue {
  switch (kind) {
    case 'string':
      return literal.value;
    case 'integer':
      return neo4j.int(literal.value);
    case 'boolean':
      return literal.value === 'true';
    case 'decimal':
      return Number(literal.value);
    case 'date': {
      const [y, m, d] = literal.value.split('-').map(Number) as [number, number, number];
      return new neo4j.Date(y, m, d);
    }
  }
}

/** Encodes the literals of one property: key, plus key__lang and key__dt where needed. */
export function encodeLiterals(key: string, literals: readonly Literal[]): Record<string, PropertyValue> {
  const sorted = [...literals].sort((a, b) => a.value.localeCompare(b.value) || a.language.localeCompare(b.language));
  const kinds = sorted.map(nativeKind);
  const one = <T>(values: T[]): T | T[] => (values.length === 1 ? values[0]! : values);
  const out: Record<string, PropertyValue> = {};
  const sameKind = kinds.every((k) => k !== undefined && k === kinds[0]);
  if (sameKind) {
    out[key] = one(sorted.map((l, i) => nativeValue(l, kinds[i]!))) as PropertyValue;
  } else {
    out[key] = one(sorted.map((l) => l.value));
    out[`${key}__dt`] = one(sorted.map((l) => l.datatype.value));
  }
  if (sorted.some((l) => l.language)) out[`${key}__lang`] = one(sorted.map((l) => l.language));
  return out;
}

/** Turns a stored node back into triples. `iriOf` reverses a name of the given kind. */
export function nodeToQuads(
  node: { uri: string; rdfTypes: readonly string[]; props: Record<string, unknown> },
  iriOf: (name: string, kind: NameKind) => string,
): Quad[] {
  const { namedNode, literal, quad } = N3.DataFactory;
  const subject = termOf(node.uri);
  const quads: Quad[] = node.rdfTypes.map((type) => quad(subject, namedNode(RDF_TYPE), namedNode(type)));
  for (const [key, stored] of Object.entries(node.props)) {
    if (RESERVED_KEYS.has(key) || key.endsWith('__lang') || key.endsWith('__dt')) continue;
    const values = Array.isArray(stored) ? stored : [stored];
    const langs = listOf(node.props[`${key}__lang`]);
    const datatypes = listOf(node.props[`${key}__dt`]);
    const predicate = namedNode(iriOf(key, 'property'));
    values.forEach((value, i) => {
      const lang = langs[i] ? String(langs[i]) : '';
      let object: N3.Literal;
      if (lang) object = literal(String(value), lang);
      else if (datatypes[i] !== undefined) object = literal(String(value), namedNode(String(datatypes[i])));
      else object = literal(...lexicalOf(value));
      quads.push(quad(subject, predicate, object));
    });
  }
  return quads;
}

/** A relationship back as a triple. */
export function relationshipToQuad(from: string, type: string, to: string, iriOf: (name: string, kind: NameKind) => string): Quad {
  return N3.DataFactory.quad(termOf(from), N3.DataFactory.namedNode(iriOf(type, 'relationship')), termOf(to) as N3.Quad_Object);
}

function termOf(uri: string): N3.NamedNode | N3.BlankNode {
  if (uri.startsWith(BNODE_SCHEME)) return N3.DataFactory.blankNode(uri.slice(BNODE_SCHEME.length).replace(/[^A-Za-z0-9_]/g, '_'));
  return N3.DataFactory.namedNode(uri);
}

function listOf(value: unknown): unknown[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

function lexicalOf(value: unknown): [string, N3.NamedNode] {
  const { namedNode } = N3.DataFactory;
  if (neo4j.isInt(value)) return [value.toString(), namedNode(`${XSD}integer`)];
  if (neo4j.isDate(value)) return [value.toString(), namedNode(`${XSD}date`)];
  if (typeof value === 'boolean') return [String(value), namedNode(`${XSD}boolean`)];
  if (typeof value === 'number') return [String(value), namedNode(`${XSD}decimal`)];
  return [String(value), namedNode(`${XSD}string`)];
}
