/**
 * What generation knows of one policy, read from the store with the
 * generation-* named queries: one bulk query per kind of fact rather than one
 * per rule, so that 100k rules cost a handful of queries. Generation then
 * walks this context rule by rule, in IRI order.
 */

import type { GraphStore, LoadedPolicy, ReadOptions, Row } from '../store/graph-store.js';
import { PolicyNotLoadedError } from '../errors.js';
import { STUDIO } from '../vocabulary.js';
import type { SectionRef, TermRef } from './expectations.js';

export type ProvisionKind = 'Obligation' | 'Prohibition' | 'Permission' | 'Recommendation' | 'Exception' | 'Definition';
export const RULE_KINDS: readonly ProvisionKind[] = ['Obligation', 'Prohibition', 'Permission', 'Recommendation'];

/** A declared term of the policy's domain, with its place in its hierarchy. */
export interface Term extends TermRef {
  /** Local name of its class: Role, Action, Asset, Organization, Department, Channel, Jurisdiction, Quantity, Period, Circumstance. */
  readonly type: string;
  readonly broader: readonly string[];
}

/** A condition with the parameters that say when it holds. */
export interface Condition {
  readonly iri: string;
  /** AudienceCondition, JurisdictionCondition, ThresholdCondition, TimeWindowCondition, CircumstanceCondition, CompoundCondition. */
  readonly type: string;
  readonly label: string;
  readonly quantity?: string;
  readonly minInclusive?: number;
  readonly minExclusive?: number;
  readonly maxInclusive?: number;
  readonly maxExclusive?: number;
  readonly unit?: string;
  readonly period?: string;
  readonly startDate?: string;
  readonly endDate?: string;
  readonly circumstance?: string;
  readonly negated: boolean;
  readonly audience?: string;
  readonly jurisdiction?: string;
  /** A compound condition's join (studio:anyOf: any member holds; studio:allOf: all hold) and its members, in order. */
  readonly joinedBy?: 'anyOf' | 'allOf';
  readonly members?: readonly string[];
  /** A threshold's rate set elsewhere (studio:rateReference): the quantity is at most it (above it when negated). */
  readonly rate?: string;
}

/** A rule, exception or definition, with every link generation uses. */
export interface Provision {
  readonly iri: string;
  readonly kind: ProvisionKind;
  readonly label: string;
  readonly text: string;
  readonly section?: SectionRef;
  readonly bearer: string[];
  readonly action: string[];
  readonly target: string[];
  readonly counterparty: string[];
  readonly condition: string[];
  readonly channel: string[];
  /** Local names of the expected behaviours (Refuse, Warn ...). */
  readonly behaviour: string[];
  readonly refersTo: string[];
  readonly overrides: string[];
  readonly exceptionTo: string[];
  readonly defines: string[];
  /** The message source whose instruction triggers the rule (studio:instructedBy), if any. */
  readonly instructedBy: string[];
}

export interface Section extends SectionRef {
  readonly sourceText: string;
  readonly parent?: string;
}

/** A conflict between rules as conflict detection records it; unresolved ones have no principle, winner or loser. */
export interface DetectedConflict {
  readonly iri: string;
  readonly rules: readonly string[];
  readonly certainty?: string;
  readonly principle?: string;
  readonly winner?: string;
  readonly loser?: string;
}

export interface PolicyContext {
  readonly policy: LoadedPolicy;
  readonly provisions: readonly Provision[];
  readonly provision: ReadonlyMap<string, Provision>;
  readonly terms: ReadonlyMap<string, Term>;
  readonly conditions: ReadonlyMap<string, Condition>;
  readonly sections: ReadonlyMap<string, Section>;
  readonly conflicts: readonly DetectedConflict[];
  /** Narrower terms of each term (direct). */
  readonly narrower: ReadonlyMap<string, readonly string[]>;
  /** Whom the policy's deployment contexts serve (studio:Internal, studio:External), sorted, each once. */
  readonly audiences: readonly string[];
  /** The personas of the policy's deployment contexts (studio:persona), each once: they name the assistant. */
  readonly personas: readonly string[];
}

const RELATIONS = ['bearer', 'action', 'target', 'counterparty', 'condition', 'channel', 'behaviour', 'refersTo', 'overrides', 'exceptionTo', 'defines', 'instructedBy'] as const;

const str = (value: Row[string] | undefined): string | undefined => (value === null || value === undefined ? undefined : String(value));
const num = (value: Row[string] | undefined): number | undefined => (value === null || value === undefined ? undefined : Number(value));

/** The named queries a context is read from, one bulk query per kind of fact. */
export const CONTEXT_QUERIES = [
  'generation-provisions',
  'generation-relations',
  'generation-terms',
  'generation-conditions',
  'generation-sections',
  'generation-conflicts',
  'generation-channel-names',
  'deployment-contexts',
  'generation-condition-members',
] as const;
export type ContextQuery = (typeof CONTEXT_QUERIES)[number];
/** Each context query's rows, in the order the store gave them. */
export type ContextRows = Readonly<Record<ContextQuery, readonly Row[]>>;

/** A loaded policy as the store lists it; one that is not loaded is a PolicyNotLoadedError. */
export async function loadedPolicy(store: GraphStore, policyIri: string): Promise<LoadedPolicy> {
  const policies = await store.listPolicies();
  const policy = policies.find((p) => p.policy === policyIri);
  if (!policy) throw new PolicyNotLoadedError(policyIri, policies.map((p) => p.policy));
  return policy;
}

/** Reads a loaded policy's context; a policy that is not loaded is a PolicyNotLoadedError. */
export async function readPolicyContext(store: GraphStore, policyIri: string): Promise<PolicyContext> {
  const policy = await loadedPolicy(store, policyIri);
  const params = { policy: policyIri };
  const answers = await Promise.all(CONTEXT_QUERIES.map((query) => store.namedQuery(query, params)));
  const rows = {} as Record<ContextQuery, readonly Row[]>;
  CONTEXT_QUERIES.forEach((query, i) => (rows[query] = answers[i]!));
  return policyContext(policy, rows);
}

/** What of a policy's context its rules alone give: each provision with its fields and links (what an audit grades by). */
export type RuleContext = Pick<PolicyContext, 'policy' | 'provisions' | 'provision'>;

/** A loaded policy's rules alone, from two of the context queries (`options` as for any read). */
export async function readRuleContext(store: GraphStore, policyIri: string, options: ReadOptions = {}): Promise<RuleContext> {
  const policy = await loadedPolicy(store, policyIri);
  const params = { policy: policyIri };
  const [provisionRows, relationRows] = await Promise.all([store.namedQuery('generation-provisions', params, options), store.namedQuery('generation-relations', params, options)]);
  return { policy, ...provisionsOf(provisionRows, relationRows) };
}

/** The provisions from the provisions' and relations' rows, sorted by IRI, and by IRI. */
function provisionsOf(unorderedProvisions: readonly Row[], unorderedRelations: readonly Row[]): Pick<PolicyContext, 'provisions' | 'provision'> {
  // The queries leave the order to us: sorting here is far cheaper than ORDER BY in oxigraph.
  const provisionRows = [...unorderedProvisions].sort((a, b) => compare(String(a.provision), String(b.provision)));
  const relationRows = [...unorderedRelations].sort((a, b) => compare(String(a.provision), String(b.provision)) || compare(String(a.relation), String(b.relation)) || compare(String(a.value), String(b.value)));
  const provision = new Map<string, Provision>();
  for (const row of provisionRows) {
    const iri = String(row.provision);
    if (provision.has(iri)) continue; // a second label or text: the first is kept
    const section = str(row.section);
    provision.set(iri, {
      iri,
      kind: String(row.kind) as ProvisionKind,
      label: str(row.label) ?? localName(iri),
      text: str(row.text) ?? '',
      ...(section ? { section: { iri: section, number: str(row.sectionNumber) ?? '', title: str(row.sectionTitle) ?? '' } } : {}),
      ...Object.fromEntries(RELATIONS.map((r) => [r, []])),
    } as unknown as Provision);
  }
  for (const row of relationRows) {
    const p = provision.get(String(row.provision));
    const relation = String(row.relation) as (typeof RELATIONS)[number];
    if (!p || !RELATIONS.includes(relation)) continue;
    const value = String(row.value);
    p[relation].push(relation === 'behaviour' ? localName(value) : value);
  }
  const provisions = [...provision.values()].sort((a, b) => (a.iri < b.iri ? -1 : a.iri > b.iri ? 1 : 0));
  return { provisions, provision };
}

/**
 * A policy's context from its context queries' rows: where the rows are read
 * does not matter (the generation worker reads them from the answers the
 * server hands it, context-transfer.ts), the same rows give the same context.
 */
export function policyContext(policy: LoadedPolicy, rows: ContextRows): PolicyContext {
  const {
    'generation-provisions': unorderedProvisions,
    'generation-relations': unorderedRelations,
    'generation-terms': termRows,
    'generation-conditions': conditionRows,
    'generation-sections': sectionRows,
    'generation-conflicts': conflictRows,
    'generation-channel-names': channelNameRows,
    'deployment-contexts': contextRows,
    'generation-condition-members': memberRows,
  } = rows;

  const { provisions, provision } = provisionsOf(unorderedProvisions, unorderedRelations);

  const terms = new Map<string, Term>();
  const narrower = new Map<string, string[]>();
  for (const row of termRows) {
    const iri = String(row.term);
    const known = terms.get(iri);
    const broader = str(row.broader);
    if (!known) {
      const forms = defined({ gerund: str(row.gerund), thirdPerson: str(row.thirdPerson), plural: str(row.plural), withObject: str(row.withObject) });
      terms.set(iri, { iri, type: String(row.type), label: str(row.label) ?? localName(iri), broader: broader ? [broader] : [], ...(Object.keys(forms).length > 0 ? { forms } : {}) });
    }
    else if (broader && !known.broader.includes(broader)) (known.broader as string[]).push(broader);
    if (broader && broader !== iri) {
      const list = narrower.get(broader) ?? [];
      if (!list.includes(iri)) list.push(iri);
      narrower.set(broader, list);
    }
  }

  // A channel's other names (skos:altLabel, studio:contactPoint), for graders to accept.
  for (const row of [...channelNameRows].sort((a, b) => compare(String(a.channel), String(b.channel)) || compare(String(a.name), String(b.name)))) {
    const term = terms.get(String(row.channel));
    const name = str(row.name);
    if (!term || !name) continue;
    const names = (term.altNames ?? []) as string[];
    if (!names.includes(name)) terms.set(term.iri, { ...term, altNames: [...names, name] });
  }

  // Compound conditions' members, in list order.
  const members = new Map<string, { joinedBy: 'anyOf' | 'allOf'; members: { member: string; position: number }[] }>();
  for (const row of memberRows) {
    const compound = String(row.compound);
    const entry = members.get(compound) ?? { joinedBy: String(row.joinedBy) === 'allOf' ? 'allOf' : 'anyOf', members: [] };
    entry.members.push({ member: String(row.member), position: Number(row.position) });
    members.set(compound, entry);
  }
  const conditions = new Map<string, Condition>();
  for (const row of conditionRows) {
    const iri = String(row.condition);
    if (conditions.has(iri)) continue;
    conditions.set(iri, {
      iri,
      type: String(row.type),
      label: str(row.label) ?? localName(iri),
      ...defined({
        quantity: str(row.quantity),
        minInclusive: num(row.minInclusive),
        minExclusive: num(row.minExclusive),
        maxInclusive: num(row.maxInclusive),
        maxExclusive: num(row.maxExclusive),
        unit: str(row.unit),
        period: str(row.period),
        startDate: str(row.startDate),
        endDate: str(row.endDate),
        circumstance: str(row.circumstance),
        audience: str(row.audience),
        jurisdiction: str(row.jurisdiction),
        rate: str(row.rate),
      }),
      negated: row.negated === true || row.negated === 'true',
      ...(members.has(iri) ? { joinedBy: members.get(iri)!.joinedBy, members: members.get(iri)!.members.sort((a, b) => a.position - b.position || compare(a.member, b.member)).map((m) => m.member) } : {}),
    });
  }

  const sections = new Map<string, Section>();
  for (const row of sectionRows) {
    const iri = String(row.section);
    if (sections.has(iri)) continue;
    const parent = str(row.parent);
    sections.set(iri, { iri, number: str(row.number) ?? '', title: str(row.title) ?? '', sourceText: str(row.sourceText) ?? '', ...(parent ? { parent } : {}) });
  }

  const conflictMap = new Map<string, { iri: string; rules: string[]; certainty?: string; principle?: string; winner?: string; loser?: string }>();
  for (const row of conflictRows) {
    const iri = String(row.conflict);
    const entry = conflictMap.get(iri) ?? { iri, rules: [] };
    const rule = String(row.rule);
    if (!entry.rules.includes(rule)) entry.rules.push(rule);
    Object.assign(entry, defined({ certainty: str(row.certainty), principle: str(row.principle), winner: str(row.winner), loser: str(row.loser) }));
    conflictMap.set(iri, entry);
  }

  for (const list of narrower.values()) list.sort();
  const audiences = [...new Set(contextRows.map((r) => str(r.audience)).filter((a): a is string => a !== undefined))].sort();
  const personas = [...new Set(contextRows.map((r) => str(r.persona)).filter((p): p is string => p !== undefined))].sort();
  return { policy, provisions, provision, terms, conditions, sections, conflicts: [...conflictMap.values()], narrower, audiences, personas };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The part of an IRI after its last '#' or '/'. */
export function localName(iri: string): string {
  if (iri.startsWith(STUDIO)) return iri.slice(STUDIO.length);
  return iri.slice(Math.max(iri.lastIndexOf('#'), iri.lastIndexOf('/')) + 1);
}

function defined<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Partial<T>;
}
