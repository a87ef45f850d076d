/**
 * One version of a policy read straight from its quads, for comparing two
 * versions: every provision, section and term as a record of fields (each a
 * sorted list of values), and each condition said by its content so that a
 * blank node and a named condition with the same threshold read the same.
 *
 * The framers read a policy from a store with bulk named queries
 * (src/framers/policy-context.ts); a diff needs two versions side by side
 * without loading either, and two 100k-rule versions must be compared in
 * seconds, so this reader indexes the parsed quads once instead.
 */

import type { Quad, Term } from '@rdfjs/types';
import { DCTERMS, RDF, RDFS, SKOS, STUDIO } from '../vocabulary.js';

/** Values of each field, sorted; IRIs in full, literals by their value, conditions by their content. A field without values is absent. */
export type Fields = Readonly<Record<string, readonly string[]>>;

/** A provision, section or term of one version, by IRI. */
export interface Entity {
  readonly iri: string;
  readonly fields: Fields;
}

/** What a version holds, by IRI. */
export interface PolicySnapshot {
  /** The studio:Policy the quads declare, if any. */
  readonly policy: string | null;
  /** The policy's own fields: its title and version. */
  readonly metadata: Fields;
  /** Rules, exceptions and definitions. */
  readonly provisions: ReadonlyMap<string, Entity>;
  readonly sections: ReadonlyMap<string, Entity>;
  readonly terms: ReadonlyMap<string, Entity>;
  /** The rules each documented conflict names (studio:between), sorted. */
  readonly documentedConflicts: readonly (readonly string[])[];
}

/** How IRIs of the other version map onto this one's before fields are read (a renamed term or section). */
export type Rename = (iri: string) => string;

/** The studio classes (local names) of provisions and of terms. */
export const PROVISION_CLASS_NAMES: readonly string[] = ['Obligation', 'Prohibition', 'Permission', 'Recommendation', 'Exception', 'Definition', 'Default', 'HardLimit', 'Rule', 'Provision'];
export const TERM_CLASS_NAMES: readonly string[] = ['Term', 'Role', 'Action', 'Asset', 'Organization', 'Department', 'Agency', 'Channel', 'Jurisdiction', 'Quantity', 'Period', 'Circumstance', 'Rate'];

/** The rule fields the diff compares, with the predicate each is read from ('condition' is read by content). */
export const PROVISION_FIELDS: Readonly<Record<string, string>> = {
  label: `${RDFS}label`,
  text: `${STUDIO}text`,
  bearer: `${STUDIO}bearer`,
  action: `${STUDIO}action`,
  target: `${STUDIO}target`,
  counterparty: `${STUDIO}counterparty`,
  condition: `${STUDIO}condition`,
  exceptionTo: `${STUDIO}exceptionTo`,
  overrides: `${STUDIO}overrides`,
  notwithstanding: `${STUDIO}notwithstanding`,
  refersTo: `${STUDIO}refersTo`,
  section: `${STUDIO}section`,
  rank: `${STUDIO}authorityRank`,
  effectiveFrom: `${STUDIO}effectiveFrom`,
  effectiveUntil: `${STUDIO}effectiveUntil`,
  expectedBehaviour: `${STUDIO}expectedBehaviour`,
  channel: `${STUDIO}channel`,
  instructedBy: `${STUDIO}instructedBy`,
  overridableBy: `${STUDIO}overridableBy`,
  defines: `${STUDIO}defines`,
};
/** Fields whose values are other provisions (mapped through the provision renames once those are known). */
export const PROVISION_LINKS = ['exceptionTo', 'overrides', 'notwithstanding', 'refersTo'] as const;
/** Fields whose values are terms. */
const TERM_LINKS = ['bearer', 'action', 'target', 'counterparty', 'channel', 'defines', 'broader', 'disjointWith'];

const SECTION_FIELDS: Readonly<Record<string, string>> = {
  number: `${STUDIO}number`,
  title: `${DCTERMS}title`,
  label: `${RDFS}label`,
  sourceText: `${STUDIO}sourceText`,
  partOf: `${STUDIO}partOf`,
  rank: `${STUDIO}authorityRank`,
};

const TERM_FIELDS: Readonly<Record<string, string>> = {
  label: `${RDFS}label`,
  broader: `${STUDIO}broader`,
  disjointWith: `${STUDIO}disjointWith`,
  altLabel: `${SKOS}altLabel`,
  contactPoint: `${STUDIO}contactPoint`,
  gerund: `${STUDIO}gerund`,
  thirdPerson: `${STUDIO}thirdPerson`,
  plural: `${STUDIO}plural`,
  withObject: `${STUDIO}withObject`,
};

const TYPE = `${RDF}type`;

/** Subject → its quads (one array per subject: a map per subject would cost a 100k-rule diff seconds of GC). */
type Index = Map<string, Quad[]>;

/** The objects of one predicate of a node. */
function objects(node: readonly Quad[] | undefined, predicate: string): Term[] {
  const out: Term[] = [];
  if (node) for (const q of node) if (q.predicate.value === predicate) out.push(q.object);
  return out;
}

/** A term as a key: IRIs as they are, blank nodes as _:label, literals by value (numbers by their number). */
function key(term: Term): string {
  if (term.termType === 'BlankNode') return `_:${term.value}`;
  // n3's literals give their datatype's IRI without building a term for it; other RDF/JS literals through .datatype.
  if (term.termType === 'Literal' && NUMERIC.test((term as { datatypeString?: string }).datatypeString ?? term.datatype.value)) {
    const n = Number(term.value);
    return Number.isNaN(n) ? term.value : String(n);
  }
  return term.value;
}
const NUMERIC = /#(integer|decimal|double|float|long|int|short|byte|(non)?(Negative|Positive)Integer|nonNegativeInteger|unsigned\w+)$/;

function indexQuads(quads: readonly Quad[]): Index {
  const index: Index = new Map();
  for (const q of quads) {
    const s = key(q.subject);
    const node = index.get(s);
    if (node) node.push(q);
    else index.set(s, [q]);
  }
  return index;
}

/** Reads a version; `rename` maps the IRIs of terms and sections onto the other version's (identity by default). */
export function readSnapshot(quads: readonly Quad[], rename: Rename = (iri) => iri): PolicySnapshot {
  const index = indexQuads(quads);
  const studioTypes = (node: readonly Quad[]) => {
    const types: string[] = [];
    for (const q of node) if (q.predicate.value === TYPE && q.object.termType === 'NamedNode' && q.object.value.startsWith(STUDIO)) types.push(q.object.value.slice(STUDIO.length));
    return types;
  };

  let policy: string | null = null;
  const provisions = new Map<string, Entity>();
  const sections = new Map<string, Entity>();
  const terms = new Map<string, Entity>();
  const documentedConflicts: string[][] = [];
  const conditionText = new Map<string, string>();
  const describe = (term: Term) => describeCondition(index, key(term), rename, conditionText, 0);

  for (const [subject, node] of index) {
    const types = studioTypes(node);
    if (types.length === 0 || subject.startsWith('_:')) continue;
    if (types.includes('Policy') && policy === null) policy = subject;
    if (types.includes('DocumentedConflict')) documentedConflicts.push(sorted(objects(node, `${STUDIO}between`).map(key)));
    if (types.some((t) => PROVISION_CLASS_NAMES.includes(t))) {
      const fields = readFields(node, PROVISION_BY_PREDICATE, rename);
      const conditions = objects(node, PROVISION_FIELDS.condition!);
      if (conditions.length > 0) fields.condition = sorted(conditions.map(describe));
      fields.kind = sorted(types.filter((t) => PROVISION_CLASS_NAMES.includes(t)));
      provisions.set(subject, { iri: subject, fields });
    } else if (types.includes('Section')) {
      sections.set(subject, { iri: subject, fields: readFields(node, SECTION_BY_PREDICATE, rename) });
    } else if (types.some((t) => TERM_CLASS_NAMES.includes(t))) {
      const fields = readFields(node, TERM_BY_PREDICATE, rename);
      fields.type = sorted(types.filter((t) => TERM_CLASS_NAMES.includes(t)));
      terms.set(subject, { iri: subject, fields });
    }
  }
  const policyNode = policy ? index.get(policy) : undefined;
  const metadata = policyNode ? readFields(policyNode, METADATA_BY_PREDICATE, rename) : {};
  return { policy, metadata, provisions, sections, terms, documentedConflicts };
}

/** The fields of one node, read from the predicates it has (absent fields are left out, never empty). */
function readFields(node: readonly Quad[], fieldOf: ReadonlyMap<string, string>, rename: Rename): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const q of node) {
    const field = fieldOf.get(q.predicate.value);
    if (field === undefined || field === 'condition') continue;
    const value = LINKS.has(field) && q.object.termType === 'NamedNode' ? rename(q.object.value) : key(q.object);
    const list = out[field];
    if (list) list.push(value);
    else out[field] = [value];
  }
  for (const field in out) if (out[field]!.length > 1) out[field] = sorted(out[field]!);
  return out;
}

const LINKS = new Set([...TERM_LINKS, 'section', 'partOf']);
const fieldsByPredicate = (fields: Readonly<Record<string, string>>) => new Map(Object.entries(fields).map(([field, predicate]) => [predicate, field]));
const PROVISION_BY_PREDICATE = fieldsByPredicate(PROVISION_FIELDS);
const SECTION_BY_PREDICATE = fieldsByPredicate(SECTION_FIELDS);
const TERM_BY_PREDICATE = fieldsByPredicate(TERM_FIELDS);
const METADATA_BY_PREDICATE = fieldsByPredicate({ title: `${DCTERMS}title`, version: `${STUDIO}version` });

function sorted(values: string[]): string[] {
  return [...new Set(values)].sort();
}

/** The local name of an IRI, for descriptions people read. */
export function localName(iri: string): string {
  if (iri.startsWith(STUDIO)) return iri.slice(STUDIO.length);
  const at = Math.max(iri.lastIndexOf('#'), iri.lastIndexOf('/'), iri.startsWith('urn:') ? iri.lastIndexOf(':') : -1);
  return at >= 0 && at < iri.length - 1 ? iri.slice(at + 1) : iri;
}

/**
 * A condition by what it says, never by its IRI or blank node: "marketValue <= 25 USD",
 * "not isCash", "(A or B)". Compound members keep their order; a cycle (refused by the shapes) stops at depth 32.
 */
function describeCondition(index: Index, id: string, rename: Rename, memo: Map<string, string>, depth: number): string {
  const known = memo.get(id);
  if (known !== undefined) return known;
  const node = index.get(id);
  if (!node || depth > 32) return id.startsWith('_:') ? 'unknown condition' : localName(rename(id));
  const one = (predicate: string) => {
    const t = objects(node, `${STUDIO}${predicate}`)[0];
    return t === undefined ? undefined : t.termType === 'NamedNode' ? localName(rename(t.value)) : key(t);
  };
  const negated = one('negated') === 'true';
  const types = objects(node, TYPE).map((t) => t.value.slice(STUDIO.length));
  let text: string;
  const anyOf = objects(node, `${STUDIO}anyOf`)[0];
  const allOf = objects(node, `${STUDIO}allOf`)[0];
  if (anyOf || allOf) {
    const members = listMembers(index, key((anyOf ?? allOf)!)).map((m) => describeCondition(index, key(m), rename, memo, depth + 1));
    text = `(${members.join(anyOf ? ' or ' : ' and ')})`;
  } else if (types.includes('ThresholdCondition')) {
    const bounds = [
      one('minInclusive') !== undefined ? `>= ${one('minInclusive')}` : '',
      one('minExclusive') !== undefined ? `> ${one('minExclusive')}` : '',
      one('maxInclusive') !== undefined ? `<= ${one('maxInclusive')}` : '',
      one('maxExclusive') !== undefined ? `< ${one('maxExclusive')}` : '',
      one('rateReference') !== undefined ? `<= rate ${one('rateReference')}` : '',
    ].filter(Boolean);
    text = `${one('quantity') ?? 'amount'} ${bounds.join(' and ')}${one('unit') ? ` ${one('unit')}` : ''}`;
  } else if (types.includes('CircumstanceCondition')) text = one('circumstance') ?? 'circumstance';
  else if (types.includes('AudienceCondition')) text = `audience ${one('audience') ?? '?'}`;
  else if (types.includes('JurisdictionCondition')) text = `in ${one('jurisdiction') ?? '?'}`;
  else if (types.includes('TimeWindowCondition')) {
    text = one('period') ? `during ${one('period')}` : `between ${one('startDate') ?? '...'} and ${one('endDate') ?? '...'}`;
  } else text = id.startsWith('_:') ? 'unknown condition' : localName(rename(id));
  const described = negated ? `not ${text}` : text;
  memo.set(id, described);
  return described;
}

function listMembers(index: Index, head: string): Term[] {
  const members: Term[] = [];
  let at = head;
  for (let guard = 0; at !== `${RDF}nil` && guard < 10_000; guard++) {
    const node = index.get(at);
    const first = objects(node, `${RDF}first`)[0];
    const rest = objects(node, `${RDF}rest`)[0];
    if (!first || !rest) break;
    members.push(first);
    at = key(rest);
  }
  return members;
}
