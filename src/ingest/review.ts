/**
 * Review of a draft written by `studio ingest`: list its provisions, accept (the provision loses studio:Draft),
 * edit one field, or reject (the provision goes, with what only it used: its span, placeholders, conditions,
 * and exceptions that qualified only it). Works on the draft's triples; the caller checks the shapes and
 * writes the result whole.
 */

import N3 from 'n3';
import type { Quad } from '@rdfjs/types';
import { ReviewError } from '../errors.js';
import { PROV, RDF, RDFS, SKOS, STUDIO } from '../vocabulary.js';
import { serializeQuads } from '../rdf/serialize.js';
import { parseTurtle } from '../rdf/turtle.js';

const { namedNode, literal, quad } = N3.DataFactory;
const TYPE = `${RDF}type`;
const KINDS = ['Obligation', 'Prohibition', 'Permission', 'Recommendation'] as const;
const RULE_TYPES = new Set([...KINDS, 'Exception', 'Definition'].map((k) => `${STUDIO}${k}`));

/** The fields an edit may set, and the property each one sets. */
export const EDITABLE_FIELDS = {
  text: `${STUDIO}text`,
  label: `${RDFS}label`,
  kind: TYPE,
  bearer: `${STUDIO}bearer`,
  action: `${STUDIO}action`,
  target: `${STUDIO}target`,
  counterparty: `${STUDIO}counterparty`,
  expectedBehaviour: `${STUDIO}expectedBehaviour`,
} as const;
export type EditableField = keyof typeof EDITABLE_FIELDS;

export interface Edit {
  readonly iri: string;
  readonly field: EditableField;
  readonly value: string;
}

export interface ReviewDecisions {
  readonly accept?: readonly string[];
  readonly reject?: readonly string[];
  readonly edit?: readonly Edit[];
}

/** One provision of the draft as the review lists it. */
export interface ReviewItem {
  readonly iri: string;
  readonly kind: string;
  readonly draft: boolean;
  readonly section?: string;
  readonly text: string;
  /** Placeholder terms (studio:Unresolved) the provision still uses. */
  readonly unresolved: readonly string[];
}

export interface ReviewOutcome {
  readonly quads: Quad[];
  readonly accepted: readonly string[];
  readonly rejected: readonly string[];
  readonly edited: readonly Edit[];
  /** Exceptions rejected with the rule they alone qualified. */
  readonly cascaded: readonly string[];
}

/** The draft being reviewed: its triples, prefixes (to read "draft:sec-1-p1"), and the namespace of its own IRIs. */
export interface Draft {
  readonly file: string;
  readonly quads: readonly Quad[];
  readonly prefixes: Readonly<Record<string, string>>;
  readonly namespace: string;
}

/** Parses a draft's Turtle (n3), keeping its prefixes; the draft's namespace is its policy's. */
export function parseDraft(file: string, text: string, baseIri: string): Draft {
  const prefixes: Record<string, string> = {};
  let quads: Quad[];
  try {
    quads = new N3.Parser({ format: 'text/turtle', baseIRI: baseIri }).parse(text, null, (prefix, iri) => {
      prefixes[prefix] = iri.value;
    });
  } catch (error) {
    // The syntax error with its line and column, as every Turtle error of the studio says it.
    parseTurtle({ file, text, baseIri });
    throw new ReviewError(file, `the draft does not parse: ${(error as Error).message}`);
  }
  const policy = quads.find((q) => q.predicate.value === TYPE && q.object.value === `${STUDIO}Policy`)?.subject.value;
  if (!policy) throw new ReviewError(file, 'this is not a draft policy: no studio:Policy in it. Review the file studio ingest wrote.');
  const namespace = prefixes.draft ?? policy.replace(/[^#/]*$/, '');
  return { file, quads, prefixes, namespace };
}

/** A full IRI from what a reviewer types: "<iri>", "https://...", "draft:sec-1-p1", or a local name "sec-1-p1". */
export function resolveIri(draft: Draft, name: string): string {
  const bare = name.replace(/^<(.*)>$/, '$1');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(bare) || bare.startsWith('urn:')) return bare;
  const prefixed = /^([A-Za-z][\w-]*)?:(.*)$/.exec(bare);
  if (prefixed) {
    const ns = draft.prefixes[prefixed[1] ?? ''];
    if (ns === undefined) throw new ReviewError(draft.file, `unknown prefix '${prefixed[1] ?? ''}:' in '${name}'; the draft declares ${Object.keys(draft.prefixes).map((p) => `${p}:`).join(', ')}.`);
    return ns + prefixed[2];
  }
  return draft.namespace + bare;
}

const objectsOf = (quads: readonly Quad[], subject: string, predicate: string) => quads.filter((q) => q.subject.value === subject && q.predicate.value === predicate).map((q) => q.object);

/** The provisions of a draft, drafts and reviewed ones, in the order of the file. */
export function listProvisions(draft: Draft): ReviewItem[] {
  const { quads } = draft;
  const unresolved = new Set(quads.filter((q) => q.predicate.value === TYPE && q.object.value === `${STUDIO}Unresolved`).map((q) => q.subject.value));
  const items: ReviewItem[] = [];
  const seen = new Set<string>();
  for (const q of quads) {
    if (q.predicate.value !== TYPE || !RULE_TYPES.has(q.object.value) || seen.has(q.subject.value)) continue;
    const iri = q.subject.value;
    seen.add(iri);
    const types = objectsOf(quads, iri, TYPE).map((t) => t.value);
    const section = objectsOf(quads, iri, `${STUDIO}section`)[0];
    const number = section ? objectsOf(quads, section.value, `${STUDIO}number`)[0]?.value : undefined;
    items.push({
      iri,
      kind: types.filter((t) => RULE_TYPES.has(t)).map((t) => t.slice(STUDIO.length)).join(', '),
      draft: types.includes(`${STUDIO}Draft`),
      section: number,
      text: objectsOf(quads, iri, `${STUDIO}text`)[0]?.value ?? '',
      unresolved: reachable(quads, iri).filter((n) => unresolved.has(n)),
    });
  }
  return items;
}

/** Named nodes reachable from a node through its outgoing edges, within the nodes it owns (conditions). */
function reachable(quads: readonly Quad[], from: string): string[] {
  const out = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const q of quads) {
      if (q.subject.value !== node || q.object.termType !== 'NamedNode' || q.predicate.value === TYPE || out.has(q.object.value)) continue;
      out.add(q.object.value);
      if (isOwned(quads, q.object.value)) queue.push(q.object.value);
    }
  }
  return [...out];
}

/** Nodes a provision owns: its conditions, spans, and placeholder terms. */
function isOwned(quads: readonly Quad[], node: string): boolean {
  return quads.some((q) => q.subject.value === node && (
    (q.predicate.value === TYPE && (q.object.value === `${STUDIO}Unresolved` || q.object.value.endsWith('Condition'))) ||
    q.predicate.value === `${PROV}wasQuotedFrom`));
}

/** Applies review decisions; throws ReviewError on the first one that names no provision or sets a bad value. */
export function applyReview(draft: Draft, decisions: ReviewDecisions): ReviewOutcome {
  let quads = [...draft.quads];
  const provisions = new Map(listProvisions(draft).map((p) => [p.iri, p]));
  const provision = (name: string) => {
    const iri = resolveIri(draft, name);
    const found = provisions.get(iri);
    if (!found) throw new ReviewError(draft.file, `'${name}' names no provision of this draft (${iri}); list them with studio ingest review ${draft.file}.`);
    return found;
  };
  const accepted: string[] = [];
  const rejected: string[] = [];
  const cascaded: string[] = [];
  const edited: Edit[] = [];
  const rejectSet = new Set((decisions.reject ?? []).map((n) => provision(n).iri));
  for (const name of decisions.accept ?? []) {
    const p = provision(name);
    if (rejectSet.has(p.iri)) throw new ReviewError(draft.file, `'${name}' is both accepted and rejected; choose one.`);
    if (!p.draft) throw new ReviewError(draft.file, `'${name}' is not a draft any more (it was accepted before).`);
    quads = quads.filter((q) => !(q.subject.value === p.iri && q.predicate.value === TYPE && q.object.value === `${STUDIO}Draft`));
    accepted.push(p.iri);
  }
  for (const e of decisions.edit ?? []) {
    const p = provision(e.iri);
    if (rejectSet.has(p.iri)) throw new ReviewError(draft.file, `'${e.iri}' is both edited and rejected; choose one.`);
    quads = applyEdit(draft, quads, p, e);
    edited.push({ ...e, iri: p.iri });
  }
  for (const iri of rejectSet) {
    quads = quads.filter((q) => q.subject.value !== iri);
    rejected.push(iri);
    // An exception that qualified only this rule qualifies nothing now: it goes too.
    for (const e of quads.filter((q) => q.predicate.value === `${STUDIO}exceptionTo` && q.object.value === iri).map((q) => q.subject.value)) {
      const others = quads.filter((q) => q.subject.value === e && q.predicate.value === `${STUDIO}exceptionTo` && q.object.value !== iri);
      if (others.length === 0) {
        quads = quads.filter((q) => q.subject.value !== e);
        cascaded.push(e);
      }
    }
    quads = quads.filter((q) => !(q.predicate.value === `${STUDIO}exceptionTo` && q.object.value === iri));
  }
  return { quads: collectOrphans(quads), accepted, rejected, edited, cascaded };
}

function applyEdit(draft: Draft, quads: Quad[], p: ReviewItem, e: Edit): Quad[] {
  const predicate = EDITABLE_FIELDS[e.field];
  if (!predicate) throw new ReviewError(draft.file, `unknown field '${e.field}'; a review edits ${Object.keys(EDITABLE_FIELDS).join(', ')}.`);
  const subject = namedNode(p.iri);
  if (e.field === 'kind') {
    if (!(KINDS as readonly string[]).includes(e.value)) throw new ReviewError(draft.file, `kind '${e.value}' is not one of ${KINDS.join(', ')}.`);
    if (!KINDS.some((k) => p.kind.includes(k))) throw new ReviewError(draft.file, `${p.iri} is a ${p.kind}, not a rule: its kind cannot become ${e.value}.`);
    const kept = quads.filter((q) => !(q.subject.value === p.iri && q.predicate.value === TYPE && KINDS.some((k) => q.object.value === `${STUDIO}${k}`)));
    return [...kept, quad(subject, namedNode(TYPE), namedNode(`${STUDIO}${e.value}`))];
  }
  let object: N3.Literal | N3.NamedNode;
  if (e.field === 'text' || e.field === 'label') {
    if (e.value.trim() === '') throw new ReviewError(draft.file, `the ${e.field} of ${p.iri} cannot be empty.`);
    object = literal(e.value);
  } else {
    object = namedNode(resolveIri(draft, e.value));
  }
  const kept = quads.filter((q) => !(q.subject.value === p.iri && q.predicate.value === predicate));
  const added = [quad(subject, namedNode(predicate), object)];
  if (e.field === 'text') added.push(quad(subject, namedNode(`${SKOS}note`), literal('text edited in review; the source span (dcterms:source) keeps the words of the document')));
  return [...kept, ...added];
}

/** Drops what no provision uses any more: spans, conditions and placeholder terms that nothing points to. */
function collectOrphans(quads: Quad[]): Quad[] {
  for (;;) {
    const referenced = new Set(quads.filter((q) => q.object.termType === 'NamedNode' && q.predicate.value !== TYPE).map((q) => q.object.value));
    const subjects = new Set(quads.map((q) => q.subject.value));
    const orphans = [...subjects].filter((s) => !referenced.has(s) && isOwned(quads, s));
    if (orphans.length === 0) return quads;
    const gone = new Set(orphans);
    quads = quads.filter((q) => !gone.has(q.subject.value));
  }
}

/** The reviewed draft as Turtle: the draft's header comments, a line counting the decisions, then its triples with its prefixes. */
export function reviewedTurtle(draft: Draft, text: string, decisions: ReviewDecisions): { readonly outcome: ReviewOutcome; readonly turtle: string } {
  const outcome = applyReview(draft, decisions);
  const header = text.match(/^(?:#[^\n]*\n)*/)?.[0] ?? '';
  const turtle = `${header}# Reviewed with studio ingest review: ${outcome.accepted.length} accepted, ${outcome.edited.length} edited, ${outcome.rejected.length + outcome.cascaded.length} rejected.\n\n`
    + serializeQuads(outcome.quads, 'ttl', { ...draft.prefixes });
  return { outcome, turtle };
}
