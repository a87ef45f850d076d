/** Writes quads as Turtle or N-Triples (n3's writer, with prefixes) or JSON-LD (oxigraph's). */

import N3 from 'n3';
import oxigraph from 'oxigraph';
import type { Quad, Term } from '@rdfjs/types';
import { PREFIXES } from '../vocabulary.js';
import { InvalidTripleError } from '../errors.js';

export const EXPORT_FORMATS = ['ttl', 'nt', 'jsonld'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Serializes triples (graph names are dropped) in the given format. */
export function serializeQuads(quads: readonly Quad[], format: ExportFormat, prefixes: Record<string, string> = {}): string {
  const triples = quads.map((q) => N3.DataFactory.quad(q.subject as N3.Quad_Subject, q.predicate as N3.Quad_Predicate, q.object as N3.Quad_Object));
  if (format === 'jsonld') {
    const store = new oxigraph.Store(triples as unknown as oxigraph.Quad[]);
    return store.dump({ format: 'application/ld+json', from_graph_name: oxigraph.defaultGraph() });
  }
  const writer = new N3.Writer(format === 'ttl' ? { prefixes: { ...PREFIXES, ...prefixes } } : { format: 'N-Triples' });
  writer.addQuads(triples);
  let output = '';
  writer.end((error, result) => {
    if (error) throw error;
    output = result;
  });
  return output;
}

/**
 * Triples (graph names dropped) as N-Triples, written directly: the derived
 * graph of a large policy is millions of triples, and this is several times
 * quicker than a general writer. Literals escape quotes, backslashes and
 * control characters; checkTriples refuses what N-Triples cannot hold.
 */
export function nTriples(quads: readonly Quad[]): string {
  checkTriples(quads);
  let out = '';
  for (const q of quads) out += `${tripleLine(q)}\n`;
  return out;
}

/** The same, one line per triple without its newline (for a caller that keeps each line once). */
export function nTriplesLines(quads: readonly Quad[]): string[] {
  checkTriples(quads);
  return quads.map(tripleLine);
}

function tripleLine(q: Quad): string {
  return `${termText(q.subject)} ${termText(q.predicate)} ${termText(q.object)} .`;
}

/**
 * Throws InvalidTripleError for a triple a store cannot keep: a subject that
 * is no IRI or blank node, a predicate that is no IRI, an IRI that is not
 * absolute or holds a character IRIs forbid, a malformed language tag.
 * Writers of derived graphs check before anything is kept.
 */
export function checkTriples(quads: readonly Quad[]): void {
  for (const q of quads) {
    if (q.subject.termType !== 'NamedNode' && q.subject.termType !== 'BlankNode') throw invalid(q, 'the subject must be an IRI or a blank node');
    if (q.predicate.termType !== 'NamedNode') throw invalid(q, 'the predicate must be an IRI');
    if (q.object.termType !== 'NamedNode' && q.object.termType !== 'BlankNode' && q.object.termType !== 'Literal') throw invalid(q, 'the object must be an IRI, a blank node or a literal');
    for (const term of [q.subject, q.predicate, q.object, ...(q.object.termType === 'Literal' ? [q.object.datatype] : [])]) {
      if (term.termType === 'NamedNode' && !ABSOLUTE_IRI.test(term.value)) throw invalid(q, `<${term.value}> is not an absolute IRI`);
    }
    if (q.object.termType === 'Literal' && q.object.language && !LANGUAGE_TAG.test(q.object.language)) throw invalid(q, `'${q.object.language}' is not a language tag`);
  }
}

const ABSOLUTE_IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\u0000-\u0020<>"{}|\\^`]*$/;
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;

function invalid(q: Quad, reason: string): InvalidTripleError {
  return new InvalidTripleError(`cannot keep the triple (${q.subject.value} ${q.predicate.value} ${q.object.value}): ${reason}`);
}

const XSD_STRING = 'http://www.w3.org/2001/XMLSchema#string';
const LITERAL_ESCAPE = /["\\\u0000-\u001f\u007f]/;

function termText(term: Term): string {
  switch (term.termType) {
    case 'NamedNode':
      return `<${term.value}>`;
    case 'BlankNode':
      // A blank node's label keeps its identity inside the file; characters a label cannot hold are spelt out.
      return `_:${/^[A-Za-z0-9_]+$/.test(term.value) ? term.value : term.value.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16)}_`)}`;
    case 'Literal': {
      const text = LITERAL_ESCAPE.test(term.value) ? term.value.replace(new RegExp(LITERAL_ESCAPE.source, 'g'), literalEscape) : term.value;
      if (term.language) return `"${text}"@${term.language}`;
      return term.datatype.value === XSD_STRING ? `"${text}"` : `"${text}"^^${termText(term.datatype)}`;
    }
    default:
      throw new Error(`N-Triples cannot hold a ${term.termType}`);
  }
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

function literalEscape(c: string): string {
  return SHORT_ESCAPES[c] ?? unicodeEscape(c);
}

function unicodeEscape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}
