/**
 * Everything the API does with an uploaded policy before it reaches the
 * store, in one pass over one parse (`studio load` shares preparePolicy): the Turtle is parsed once, checked
 * against the upload limits, validated against the shapes, its studio:Policy
 * found, and written out as N-Triples (blank nodes renamed so that they meet
 * no other graph's) for the store to load without parsing Turtle again. It
 * runs in a worker thread (upload-thread.ts), so it never holds up the
 * server; the outcome is plain data, to cross the thread boundary.
 */

import { createHash, randomBytes } from 'node:crypto';
import type { Quad, Term } from '@rdfjs/types';
import { parseTurtle, type TurtleSource } from '../rdf/turtle.js';
import { nTriplesLines } from '../rdf/serialize.js';
import { subjectLines } from './locate.js';
import { InvalidTripleError, PolicyDeclarationError, TurtleSyntaxError } from '../errors.js';
import { DCTERMS, STUDIO } from '../vocabulary.js';
import type { KeptValidation, PolicyValidator, Violation } from './validator.js';
import type { KeptFacts, KeptSummary } from '../store/graph-store.js';
import { keptFacts } from '../evolution/version-facts.js';
import N3 from 'n3';

/** What a user may upload at most (config.ts: "uploads" and STUDIO_MAX_*). */
export interface UploadLimits {
  /** Triples in one upload (over it: 413). */
  readonly maxTriples: number;
  /** Characters in one literal (over it: 422). */
  readonly maxLiteralLength: number;
  /** Blank nodes nested in blank nodes or lists, counted from a named node (over it: 422). */
  readonly maxNestingDepth: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { maxTriples: 1_000_000, maxLiteralLength: 100_000, maxNestingDepth: 64 };

/** Which limit an upload is over. */
export type UploadLimitName = 'triples' | 'literal-length' | 'nesting-depth';

/** An upload ready for the store: the policy it declares and its triples as N-Triples. */
export interface CheckedPolicy {
  readonly policy: string;
  readonly title?: string;
  /** The triples as N-Triples in UTF-8, one per line, each once, blank nodes labelled for this upload only (bytes, so that the worker hands them over without a copy). */
  readonly ntriples: Uint8Array;
  /** Distinct triples: what the store will hold. */
  readonly triples: number;
  /** SHA-256 of the Turtle as uploaded. */
  readonly sha256: string;
  /** The IRIs that are subjects of its triples, once each (for the isolation check). */
  readonly subjects: readonly string[];
  /** What the embedded store keeps of the policy (upload-worker.ts adds it). */
  readonly summary?: KeptSummary;
  /** The Turtle in UTF-8, as uploaded (upload-worker.ts adds it: the server's thread never decodes the upload). */
  readonly turtle?: Uint8Array;
  /** What planning a selective regeneration reads of this version (evolution/version-facts.ts), for the store to keep with it. */
  readonly facts?: KeptFacts;
}

/** What checking an upload found: exactly one of these. */
export type UploadOutcome =
  | { readonly kind: 'syntax'; readonly file: string; readonly line: number; readonly column: number; readonly detail: string }
  | { readonly kind: 'limit'; readonly limit: UploadLimitName; readonly found: number; readonly max: number; readonly where?: string }
  | { readonly kind: 'invalid'; readonly violations: readonly Violation[] }
  | { readonly kind: 'declaration'; readonly file: string; readonly found: readonly string[] }
  | ({ readonly kind: 'valid' } & CheckedPolicy);

const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';

/**
 * The validations of recent uploads, by file name, so that the next upload of
 * the same name (most often the same policy with an edit) is revalidated
 * where it changed rather than whole. Which one is given changes only the
 * time taken, never the findings.
 */
export interface RecentValidations {
  recall(file: string): KeptValidation | undefined;
  remember(file: string, kept: KeptValidation, triples: number): void;
}

/** Parses, limits, validates and serializes one upload (see the file comment). */
export async function checkUpload(validator: PolicyValidator, source: TurtleSource, limits: UploadLimits, recent?: RecentValidations): Promise<UploadOutcome> {
  let quads: Quad[];
  try {
    quads = parseTurtle(source);
  } catch (error) {
    if (error instanceof TurtleSyntaxError) return { kind: 'syntax', file: error.file, line: error.line, column: error.column, detail: error.detail };
    throw error;
  }
  const over = overLimit(source, quads, limits);
  if (over) return over;
  const { violations, kept } = await validator.revalidateParsed(source, quads, recent?.recall(source.file));
  recent?.remember(source.file, kept, quads.length);
  if (violations.length > 0) return { kind: 'invalid', violations };
  return preparePolicy(source, quads);
}

/**
 * The part of the check that follows validation, shared with `studio load`
 * (which validates its files together, then prepares each): the one
 * studio:Policy the quads declare, and the quads as N-Triples for the store.
 */
export function preparePolicy(source: TurtleSource, quads: readonly Quad[]): Extract<UploadOutcome, { kind: 'syntax' | 'declaration' | 'valid' }> {
  const declared = [...new Set(quads.filter((q) => q.predicate.value === `${RDF}type` && q.object.value === `${STUDIO}Policy`).map((q) => q.subject.value))];
  if (declared.length !== 1) {
    const error = new PolicyDeclarationError(source.file, declared);
    return { kind: 'declaration', file: error.file, found: error.found };
  }
  const policy = declared[0]!;
  const title = quads.find((q) => q.subject.value === policy && q.predicate.value === `${DCTERMS}title`)?.object.value;
  let lines: string[];
  try {
    lines = [...new Set(nTriplesLines(relabelBlankNodes(quads)))];
  } catch (error) {
    // A term n3 read but N-Triples cannot hold (an IRI that is not absolute, say).
    if (error instanceof InvalidTripleError) return { kind: 'syntax', file: source.file, line: 1, column: 1, detail: error.message };
    throw error;
  }
  return {
    kind: 'valid',
    policy,
    ...(title !== undefined ? { title } : {}),
    ntriples: new TextEncoder().encode(lines.length > 0 ? `${lines.join('\n')}\n` : ''),
    triples: lines.length,
    sha256: createHash('sha256').update(source.text).digest('hex'),
    subjects: [...new Set(quads.filter((q) => q.subject.termType === 'NamedNode').map((q) => q.subject.value))],
    // Computed while the quads are at hand, for the store to keep with the version (a selective regeneration then need not parse it).
    facts: keptFacts(quads, policy),
  };
}

/** The first limit the upload is over, checked in the order triples, literal length, nesting depth. */
export function overLimit(source: TurtleSource, quads: readonly Quad[], limits: UploadLimits): UploadOutcome | undefined {
  if (quads.length > limits.maxTriples) return { kind: 'limit', limit: 'triples', found: quads.length, max: limits.maxTriples };
  for (const quad of quads) {
    if (quad.object.termType === 'Literal' && quad.object.value.length > limits.maxLiteralLength) {
      return { kind: 'limit', limit: 'literal-length', found: quad.object.value.length, max: limits.maxLiteralLength, where: place(source, quad.subject, quad.predicate) };
    }
  }
  const deepest = nestingDepth(quads);
  if (deepest.depth > limits.maxNestingDepth) {
    return { kind: 'limit', limit: 'nesting-depth', found: deepest.depth, max: limits.maxNestingDepth, where: place(source, deepest.root) };
  }
  return undefined;
}

/**
 * How deep blank nodes nest: a blank node that is the object of a named
 * node's triple is at depth 1, one inside it at 2, and so on. Going down a
 * list (rdf:rest) does not nest; a list inside a list item does. Returns the
 * greatest depth and the node where that chain starts.
 */
export function nestingDepth(quads: readonly Quad[]): { depth: number; root?: Term } {
  const children = new Map<string, { node: string; deeper: boolean }[]>();
  const isChild = new Set<string>();
  for (const q of quads) {
    if (q.object.termType !== 'BlankNode') continue;
    const from = q.subject.termType === 'BlankNode' ? `_:${q.subject.value}` : q.subject.value;
    const to = `_:${q.object.value}`;
    let list = children.get(from);
    if (!list) children.set(from, (list = []));
    list.push({ node: to, deeper: q.predicate.value !== `${RDF}rest` });
    isChild.add(to);
  }
  let best: { depth: number; root?: Term } = { depth: 0 };
  const seen = new Set<string>();
  for (const q of quads) {
    const root = q.subject.termType === 'BlankNode' ? `_:${q.subject.value}` : q.subject.value;
    if (seen.has(root) || (q.subject.termType === 'BlankNode' && isChild.has(root))) continue;
    seen.add(root);
    // Depth-first without recursion: a chain may be deeper than the call stack.
    const stack: { node: string; depth: number }[] = [{ node: root, depth: q.subject.termType === 'BlankNode' ? 1 : 0 }];
    while (stack.length > 0) {
      const { node, depth } = stack.pop()!;
      if (depth > best.depth) best = { depth, root: q.subject };
      for (const child of children.get(node) ?? []) {
        if (seen.has(child.node)) continue;
        seen.add(child.node);
        stack.push({ node: child.node, depth: depth + (child.deeper ? 1 : 0) });
      }
    }
  }
  return best;
}

/** "file:line (subject predicate)" for a message, as far as the subject can be placed. */
function place(source: TurtleSource, subject?: Term, predicate?: Term): string {
  if (!subject) return source.file;
  const line = subject.termType === 'NamedNode' ? subjectLines(source.text).get(subject.value) : undefined;
  const node = subject.termType === 'NamedNode' ? `<${subject.value}>` : 'a blank node';
  return `${source.file}${line ? `:${line}` : ''} (${node}${predicate ? ` <${predicate.value}>` : ''})`;
}

/** The quads with every blank node given a label unique to this upload, so that loading them as N-Triples meets no other graph's blank nodes. */
function relabelBlankNodes(quads: readonly Quad[]): Quad[] {
  const prefix = `u${randomBytes(8).toString('hex')}b`;
  const labels = new Map<string, N3.BlankNode>();
  const relabel = <T extends Term>(term: T): T => {
    if (term.termType !== 'BlankNode') return term;
    let label = labels.get(term.value);
    if (!label) labels.set(term.value, (label = N3.DataFactory.blankNode(`${prefix}${labels.size}`)));
    return label as unknown as T;
  };
  return quads.map((q) =>
    q.subject.termType !== 'BlankNode' && q.object.termType !== 'BlankNode'
      ? q
      : N3.DataFactory.quad(relabel(q.subject) as N3.Quad_Subject, q.predicate as N3.Quad_Predicate, relabel(q.object) as N3.Quad_Object),
  );
}
