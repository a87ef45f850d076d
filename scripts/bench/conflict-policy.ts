/**
 * Writes a synthetic policy for the conflict-detection benchmark, and beside
 * it (<file>.truth.json) the conflicts it contains, known by construction:
 * rules come in blocks of 20, each block with an action family of its own, so
 * only rules of one block can meet; inside a block, the rules that may meet
 * are a planted conflict and a planted near miss, each on a bearer "lane" (a
 * staff group no other rule of the block touches; staff groups are declared
 * studio:disjointWith their siblings). A brute-force checker recomputes the
 * conflicts from the Turtle to confirm the truth.
 *
 *   npx tsx scripts/bench/conflict-policy.ts 10000 bench-out/conflicts-10000.ttl
 *   npx tsx scripts/bench/conflict-policy.ts 1000 bench-out/conflicts-1000.ttl --check
 */

import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import N3 from 'n3';
import type { Quad } from '@rdfjs/types';
import { ONTOLOGY_FILE, RDF, RDFS, STUDIO, XSD } from '../../src/vocabulary.js';

export const SYN = 'https://example.org/synthetic-conflicts#';
export const POLICY = `${SYN}policy`;

export type Certainty = 'definite' | 'possible';
export type Principle = 'explicitOverride' | 'lexSuperior' | 'lexSpecialis' | 'lexPosterior';
export type ConflictKind = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g';
export type NearMissKind = 'audience' | 'jurisdiction' | 'threshold' | 'roles' | 'targets' | 'negation' | 'period' | 'modality';

/** A conflict as a detector reports it (the shape of detectConflicts' report.conflicts). */
export interface ReportedConflict {
  readonly prohibition: string;
  readonly permissive: string;
  readonly certainty: Certainty;
  readonly principle: string | null;
  readonly winner: string | null;
}

/** A planted conflict: `kind` is a..g of the benchmark's design, `variant` which form of it. */
export interface TruthConflict extends ReportedConflict {
  readonly kind: ConflictKind;
  readonly variant: string;
}

/** Two rules that look like a conflict and are not one. */
export interface TruthNearMiss {
  readonly a: string;
  readonly b: string;
  readonly kind: NearMissKind;
  readonly variant: string;
}

export interface Truth {
  readonly rules: number;
  readonly triples: number;
  readonly policy: string;
  readonly conflicts: TruthConflict[];
  readonly nearMisses: TruthNearMiss[];
}

/** The truth file beside a policy file. */
export function truthFile(file: string): string {
  return `${file.replace(/\.ttl$/, '')}.truth.json`;
}

// ---------------------------------------------------------------------------
// Terms
// ---------------------------------------------------------------------------

const BLOCK = 20;
const EARLY = '2024-01-01';
const LATE = '2025-07-01';

type RuleKind = 'Obligation' | 'Prohibition' | 'Permission';

/** A declared term of a hierarchy, by prefixed name. */
interface Term {
  readonly name: string;
  readonly label: string;
  readonly broader?: string;
  readonly level: number;
  readonly children: string[];
}

/** A tree of `depth` levels under `top`, `branching` children per term, named by path (syn:role-1-2-1). */
function hierarchy(stem: string, labelStem: string, top: string, branching: number, depth: number): Term[] {
  const terms: Term[] = [];
  let parents: { term?: Term; path: number[] }[] = [{ path: [] }];
  for (let level = 1; level <= depth; level++) {
    const next: typeof parents = [];
    for (const parent of parents) {
      for (let i = 1; i <= branching; i++) {
        const at = [...parent.path, i];
        const term: Term = { name: `syn:${stem}-${at.join('-')}`, label: `${labelStem} ${at.join('.')}`, broader: parent.term?.name ?? top, level, children: [] };
        parent.term?.children.push(term.name);
        terms.push(term);
        next.push({ term, path: at });
      }
    }
    parents = next;
  }
  return terms;
}

/** The branching whose 4-level tree has closest to sqrt(rules) terms. */
function branchingFor(rules: number): number {
  const size = (b: number) => b + b ** 2 + b ** 3 + b ** 4;
  let best = 2;
  for (let b = 3; b <= 8; b++) if (Math.abs(size(b) - Math.sqrt(rules)) < Math.abs(size(best) - Math.sqrt(rules))) best = b;
  return best;
}

const DOMAINS: readonly { label: string; subs: readonly string[] }[] = [
  { label: 'communicate', subs: ['publish', 'disclose', 'discuss', 'report'] },
  { label: 'transact', subs: ['purchase', 'sell', 'invest', 'pay'] },
  { label: 'handle records', subs: ['create records', 'retain records', 'delete records', 'share records'] },
  { label: 'use systems', subs: ['access systems', 'install software', 'configure systems', 'connect devices'] },
];

/** The action family of one block: a parent and three children, under a sub-domain. */
interface Family {
  readonly parent: string;
  readonly children: readonly [string, string, string];
}

/** IT systems: never information (studio:System disjointWith studio:Information in the vocabulary). */
const SYSTEMS: readonly string[] = ['syn:system-crm', 'syn:system-ledger', 'syn:system-intranet'];

const COUNTERPARTIES: readonly string[] = [
  'studio:Supplier', 'studio:Competitor', 'studio:GovernmentEntity', 'studio:Customer', 'studio:GovernmentOfficial',
  'syn:org-distributor', 'syn:org-auditor', 'syn:org-regulator',
];

const STUDIO_LABELS: Record<string, string> = {
  'studio:Supplier': 'a supplier',
  'studio:Competitor': 'a competitor',
  'studio:GovernmentEntity': 'a government entity',
  'studio:Customer': 'a customer',
  'studio:GovernmentOfficial': 'a government official',
  'studio:Manager': 'a manager',
};

// ---------------------------------------------------------------------------
// Conditions: named, declared once, shared wherever they mean the same thing
// ---------------------------------------------------------------------------

interface Condition {
  readonly name: string;
  readonly label: string;
  readonly body: [string, string][];
}

const conditions = new Map<string, Condition>();

function condition(local: string, label: string, type: string, body: [string, string][]): string {
  const name = `syn:cond-${local}`;
  if (!conditions.has(name)) conditions.set(name, { name, label, body: [['a', `studio:${type}`], ...body] });
  return name;
}

const INTERNAL = condition('internal', 'for an internal audience', 'AudienceCondition', [['studio:audience', 'studio:Internal']]);
const EXTERNAL = condition('external', 'for an external audience', 'AudienceCondition', [['studio:audience', 'studio:External']]);

/** Regions and their countries; two terms are related only along studio:broader. */
const JURISDICTIONS: Record<string, { label: string; countries: Record<string, string> }> = {
  emea: { label: 'Europe, Middle East and Africa', countries: { de: 'Germany', fr: 'France', uk: 'the United Kingdom' } },
  americas: { label: 'the Americas', countries: { us: 'the United States', ca: 'Canada', br: 'Brazil' } },
  apac: { label: 'Asia-Pacific', countries: { jp: 'Japan', sg: 'Singapore', au: 'Australia' } },
};
const jurisdictionConditions: string[] = [];
for (const [region, { label, countries }] of Object.entries(JURISDICTIONS)) {
  jurisdictionConditions.push(condition(`jur-${region}`, `in ${label}`, 'JurisdictionCondition', [['studio:jurisdiction', `syn:jur-${region}`]]));
  for (const [code, name] of Object.entries(countries)) {
    jurisdictionConditions.push(condition(`jur-${code}`, `in ${name}`, 'JurisdictionCondition', [['studio:jurisdiction', `syn:jur-${code}`]]));
  }
}
const jur = (code: string) => `syn:cond-jur-${code}`;

const QUANTITIES: Record<string, { label: string; unit: string }> = {
  amount: { label: 'amount', unit: 'USD' },
  headcount: { label: 'headcount', unit: 'persons' },
  days: { label: 'duration', unit: 'days' },
};

interface Bounds {
  readonly minInclusive?: number;
  readonly minExclusive?: number;
  readonly maxInclusive?: number;
  readonly maxExclusive?: number;
}

const BOUND_WORDS: Record<keyof Bounds, [string, string]> = {
  minInclusive: ['ge', 'at least'],
  minExclusive: ['gt', 'more than'],
  maxInclusive: ['le', 'at most'],
  maxExclusive: ['lt', 'less than'],
};

/** A threshold condition, named after its quantity and bounds (syn:cond-amount-ge-10-le-200). */
function threshold(quantity: string, bounds: Bounds): string {
  const { label, unit } = QUANTITIES[quantity]!;
  const keys = (Object.keys(BOUND_WORDS) as (keyof Bounds)[]).filter((k) => bounds[k] !== undefined);
  const local = `${quantity}-${keys.map((k) => `${BOUND_WORDS[k][0]}-${String(bounds[k]).replace('.', 'p')}`).join('-')}`;
  const words = keys.map((k) => `${BOUND_WORDS[k][1]} ${bounds[k]}`).join(' and ');
  return condition(local, `when the ${label} is ${words} ${unit}`, 'ThresholdCondition', [
    ['studio:quantity', `syn:qty-${quantity}`],
    ['studio:unit', JSON.stringify(unit)],
    ...keys.map((k): [string, string] => [`studio:${k}`, `"${bounds[k]}"^^xsd:decimal`]),
  ]);
}

/** Overlapping intervals on one quantity: a definite conflict when the rest meets (kind f). */
const OVERLAPPING: readonly [string, string, string][] = [
  ['at-most-100-vs-more-than-50', threshold('amount', { maxInclusive: 100 }), threshold('amount', { minExclusive: 50 })],
  ['touching-inclusive-at-200', threshold('amount', { minInclusive: 10, maxInclusive: 200 }), threshold('amount', { minInclusive: 200 })],
  ['less-than-100-vs-at-least-99.5', threshold('amount', { maxExclusive: 100 }), threshold('amount', { minInclusive: 99.5 })],
  ['days-at-least-30-vs-less-than-31', threshold('days', { minInclusive: 30 }), threshold('days', { maxExclusive: 31 })],
];

/** Intervals on one quantity that never meet (near misses). */
const DISJOINT: readonly [string, string, string][] = [
  ['at-most-50-vs-more-than-50', threshold('amount', { maxInclusive: 50 }), threshold('amount', { minExclusive: 50 })],
  ['less-than-200-vs-at-least-200', threshold('amount', { maxExclusive: 200 }), threshold('amount', { minInclusive: 200 })],
  ['touching-exclusive-at-200', threshold('amount', { minInclusive: 10, maxInclusive: 200 }), threshold('amount', { minExclusive: 200 })],
  ['headcount-0-10-vs-10-20', threshold('headcount', { minInclusive: 0, maxInclusive: 10 }), threshold('headcount', { minExclusive: 10, maxInclusive: 20 })],
];

const thresholdConditions = [
  ...OVERLAPPING.flatMap(([, a, b]) => [a, b]),
  ...DISJOINT.flatMap(([, a, b]) => [a, b]),
  threshold('headcount', { minExclusive: 5 }),
  threshold('days', { maxInclusive: 10 }),
];

/** Circumstances: name, label, and the wording of the condition that it holds and that it does not. */
const CIRCUMSTANCES: readonly [string, string, string, string][] = [
  ['manager-approval', 'written manager approval', 'with written manager approval', 'without written manager approval'],
  ['legal-review', 'legal review completed', 'after legal review', 'before legal review'],
  ['customer-consent', 'customer consent given', "with the customer's consent", "without the customer's consent"],
  ['emergency', 'emergency', 'in an emergency', 'outside an emergency'],
  ['audit-open', 'audit in progress', 'while an audit is in progress', 'while no audit is in progress'],
  ['contract-signed', 'contract signed', 'under a signed contract', 'without a signed contract'],
  ['board-approval', 'board approval', 'with board approval', 'without board approval'],
  ['risk-assessed', 'risk assessment done', 'after a risk assessment', 'before a risk assessment'],
  ['data-anonymised', 'data anonymised', 'once the data is anonymised', 'while the data is not anonymised'],
  ['training-complete', 'training completed', 'after completing the training', 'before completing the training'],
  ['incident-open', 'open security incident', 'during an open security incident', 'when no security incident is open'],
  ['budget-approved', 'budget approved', 'within an approved budget', 'without an approved budget'],
];
const circumstance = (i: number) => condition(CIRCUMSTANCES[i]![0], CIRCUMSTANCES[i]![2], 'CircumstanceCondition', [['studio:circumstance', `syn:circ-${CIRCUMSTANCES[i]![0]}`]]);
const notCircumstance = (i: number) =>
  condition(`no-${CIRCUMSTANCES[i]![0]}`, CIRCUMSTANCES[i]![3], 'CircumstanceCondition', [
    ['studio:circumstance', `syn:circ-${CIRCUMSTANCES[i]![0]}`],
    ['studio:negated', 'true'],
  ]);
const circumstanceConditions = CIRCUMSTANCES.flatMap((_, i) => [circumstance(i), notCircumstance(i)]);

const PERIODS: readonly [string, string][] = [
  ['blackout', 'the quarterly blackout'],
  ['tender', 'a tender period'],
  ['audit', 'the annual audit'],
  ['year-end', 'the year-end close'],
];
const period = (i: number) => condition(`period-${PERIODS[i]![0]}`, `during ${PERIODS[i]![1]}`, 'TimeWindowCondition', [['studio:period', `syn:period-${PERIODS[i]![0]}`]]);
const timeConditions = [
  ...PERIODS.map((_, i) => period(i)),
  condition('window-2025-h1', 'between 1 January and 30 June 2025', 'TimeWindowCondition', [['studio:startDate', '"2025-01-01"^^xsd:date'], ['studio:endDate', '"2025-06-30"^^xsd:date']]),
  condition('window-2025-h2', 'between 1 July and 31 December 2025', 'TimeWindowCondition', [['studio:startDate', '"2025-07-01"^^xsd:date'], ['studio:endDate', '"2025-12-31"^^xsd:date']]),
];

/** Background rules draw one "where" condition and one "when" condition at most, so none contradicts itself. */
const WHERE = [INTERNAL, EXTERNAL, ...jurisdictionConditions];
const WHEN = [...thresholdConditions, ...circumstanceConditions, ...timeConditions];

// ---------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------

interface RuleSpec {
  readonly kind: RuleKind;
  bearer: string;
  action: string;
  targets: string[];
  counterparty?: string;
  conditions: string[];
  rank?: number;
  from?: string;
  until?: string;
  overrides?: string;
  refersTo?: string;
  comment?: string;
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so a size always gives the same file. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A role subtree that only one planted pair of a block uses: its root and the root's children. */
interface Lane {
  readonly root: string;
  readonly children: readonly string[];
}

interface Planted {
  readonly p: RuleSpec;
  readonly q: RuleSpec;
}

const iri = (name: string) => (name.startsWith('syn:') ? SYN + name.slice(4) : name.startsWith('studio:') ? STUDIO + name.slice(7) : name);

const CONFLICT_KINDS: readonly ConflictKind[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const NEAR_MISS_KINDS: readonly NearMissKind[] = ['audience', 'jurisdiction', 'threshold', 'roles', 'targets', 'negation', 'period', 'modality'];

/**
 * A planted conflict on lane `lane`: P the prohibition, Q the obligation or permission.
 * Every form changes one thing against identical terms, so one principle decides it.
 */
function plantConflict(kind: ConflictKind, v: number, lane: Lane, family: Family, asset: Term, permissive: RuleKind, counterparty: string) {
  const base = (ruleKind: RuleKind): RuleSpec => ({ kind: ruleKind, bearer: lane.root, action: family.children[1], targets: [asset.name], conditions: [], from: EARLY });
  const p = base('Prohibition');
  const q = base(permissive);
  // The side the deciding difference favours alternates, and its phase shifts every 4 forms.
  const pWins = (v + Math.floor(v / 4)) % 2 === 0;
  const favoured = pWins ? p : q;
  const other = pWins ? q : p;
  let variant: string;
  let principle: Principle | null;
  let certainty: Certainty = 'definite';
  switch (kind) {
    case 'a': {
      variant = `${pWins ? 'prohibition' : 'permissive'}-overrides${v % 4 >= 2 ? '-with-counterparty' : ''}`;
      if (v % 4 >= 2) p.counterparty = q.counterparty = counterparty;
      favoured.overrides = 'OTHER';
      principle = 'explicitOverride';
      break;
    }
    case 'b': {
      const explicitLower = v % 4 === 1 || v % 4 === 3;
      variant = `${pWins ? 'prohibition' : 'permissive'}-rank-3-vs-${explicitLower ? 'explicit-2' : 'inherited-2'}`;
      favoured.rank = 3;
      if (explicitLower) other.rank = 2;
      principle = 'lexSuperior';
      break;
    }
    case 'c': {
      const dimension = (['narrower-bearer', 'narrower-action', 'narrower-target', 'target-vs-none'] as const)[v % 4]!;
      variant = `${pWins ? 'prohibition' : 'permissive'}-${dimension}`;
      if (dimension === 'narrower-bearer') favoured.bearer = lane.children[0]!;
      if (dimension === 'narrower-action') other.action = family.parent;
      if (dimension === 'narrower-target') favoured.targets = [asset.children[0]!];
      if (dimension === 'target-vs-none') other.targets = [];
      principle = 'lexSpecialis';
      break;
    }
    case 'd': {
      const shared = v % 4 >= 2;
      variant = `${pWins ? 'prohibition' : 'permissive'}-later${shared ? '-shared-condition' : ''}`;
      favoured.from = LATE;
      if (shared) p.conditions = q.conditions = [INTERNAL];
      principle = 'lexPosterior';
      break;
    }
    case 'e': {
      variant = (['no-dates', 'shared-condition', 'same-counterparty'] as const)[v % 3]!;
      if (variant === 'no-dates') p.from = q.from = undefined;
      if (variant === 'shared-condition') p.conditions = q.conditions = [circumstance(v % CIRCUMSTANCES.length)];
      if (variant === 'same-counterparty') p.counterparty = q.counterparty = counterparty;
      principle = null;
      break;
    }
    case 'f': {
      const [name, a, b] = OVERLAPPING[v % OVERLAPPING.length]!;
      variant = `${name}-${pWins ? 'prohibition' : 'permissive'}-rank-3`;
      p.conditions = [a];
      q.conditions = [b];
      favoured.rank = 3;
      principle = 'lexSuperior';
      break;
    }
    case 'g': {
      const forms = ['circumstances', 'circumstance-vs-negated-other', 'quantities', 'periods', 'counterparties-may-coincide', 'targets-may-coincide'] as const;
      const form = forms[v % forms.length]!;
      variant = `${form}-${pWins ? 'prohibition' : 'permissive'}-rank-3`;
      const i = v % CIRCUMSTANCES.length;
      const j = (i + 1 + (v % 5)) % CIRCUMSTANCES.length;
      if (form === 'circumstances') [p.conditions, q.conditions] = [[circumstance(i)], [circumstance(j)]];
      if (form === 'circumstance-vs-negated-other') [p.conditions, q.conditions] = [[circumstance(i)], [notCircumstance(j)]];
      if (form === 'quantities') [p.conditions, q.conditions] = [[threshold('amount', { maxInclusive: 100 })], [threshold('headcount', { minExclusive: 5 })]];
      if (form === 'periods') [p.conditions, q.conditions] = [[period(v % PERIODS.length)], [period((v + 1) % PERIODS.length)]];
      // Terms neither broader nor declared disjoint may coincide: a customer who is also a government official.
      if (form === 'counterparties-may-coincide') [p.counterparty, q.counterparty] = ['studio:Customer', 'studio:GovernmentOfficial'];
      if (form === 'targets-may-coincide') [p.targets, q.targets] = [[asset.children[0]!], [asset.children[1]!]];
      favoured.rank = 3;
      principle = 'lexSuperior';
      certainty = 'possible';
      break;
    }
  }
  const winner = principle === null ? null : favoured;
  return { planted: { p, q } satisfies Planted, kind, variant, certainty, principle, winner };
}

/** A planted near miss on its own lane: the two rules look like a conflict and can never both apply. */
function plantNearMiss(kind: NearMissKind, v: number, lane: Lane, family: Family, asset: Term, permissive: RuleKind) {
  // Every other near miss puts the prohibition on the family's parent action, one more overlap that does not make a conflict.
  const p: RuleSpec = { kind: 'Prohibition', bearer: lane.root, action: v % 2 === 1 ? family.parent : family.children[1], targets: [asset.name], conditions: [], from: EARLY };
  const q: RuleSpec = { kind: permissive, bearer: lane.root, action: family.children[1], targets: [asset.name], conditions: [], from: EARLY };
  let variant: string;
  let a = p;
  let b = q;
  switch (kind) {
    case 'audience':
      variant = v % 2 === 0 ? 'prohibition-internal' : 'prohibition-external';
      [p.conditions, q.conditions] = v % 2 === 0 ? [[INTERNAL], [EXTERNAL]] : [[EXTERNAL], [INTERNAL]];
      break;
    case 'jurisdiction': {
      const pairs: [string, string, string][] = [['de', 'us', 'countries-of-two-regions'], ['de', 'fr', 'sibling-countries'], ['emea', 'jp', 'region-vs-country-elsewhere']];
      const [x, y, name] = pairs[v % pairs.length]!;
      variant = name;
      [p.conditions, q.conditions] = [[jur(x)], [jur(y)]];
      break;
    }
    case 'threshold': {
      const [name, x, y] = DISJOINT[v % DISJOINT.length]!;
      variant = name;
      [p.conditions, q.conditions] = v % 2 === 0 ? [[x], [y]] : [[y], [x]];
      break;
    }
    case 'roles':
      variant = 'sibling-roles';
      p.bearer = lane.children[0]!;
      q.bearer = lane.children[1]!;
      break;
    case 'targets':
      // Every syn:asset-* is information, and the vocabulary declares studio:System disjoint with studio:Information.
      variant = 'information-vs-system';
      q.targets = [SYSTEMS[v % SYSTEMS.length]!];
      break;
    case 'negation': {
      const i = v % CIRCUMSTANCES.length;
      variant = v % 2 === 0 ? 'prohibition-negated' : 'permissive-negated';
      [p.conditions, q.conditions] = v % 2 === 0 ? [[notCircumstance(i)], [circumstance(i)]] : [[circumstance(i)], [notCircumstance(i)]];
      break;
    }
    case 'period': {
      variant = v % 2 === 0 ? 'prohibition-ends-before' : 'permissive-ends-before';
      const [earlier, later] = v % 2 === 0 ? [p, q] : [q, p];
      earlier.until = '2024-12-31';
      later.from = '2025-01-01';
      break;
    }
    case 'modality':
      variant = 'obligation-vs-permission';
      a = { ...q, kind: 'Obligation' };
      b = { ...q, kind: 'Permission' };
      break;
  }
  return { planted: { p: a, q: b } satisfies Planted, kind, variant };
}

/** Deontic wording, by kind. */
const MODAL: Record<RuleKind, string> = { Obligation: 'must', Prohibition: 'must not', Permission: 'may' };

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/** Turtle text by subject, counting triples and remembering labels for the rules' sentences. */
class TurtleText {
  triples = 0;
  readonly labels = new Map<string, string>(Object.entries(STUDIO_LABELS));

  /** One subject with its predicates and objects. */
  statement(subject: string, body: readonly (readonly [string, string | readonly string[]])[]): string {
    const lines = body.map(([p, o]) => {
      const objects = typeof o === 'string' ? [o] : o;
      this.triples += objects.length;
      return `${p} ${objects.join(', ')}`;
    });
    return `${subject} ${lines.join(' ;\n    ')} .\n`;
  }

  /** A declared term with its label and, if any, its broader term and the terms it is disjoint with. */
  term(name: string, type: string, label: string, broader?: string, disjointWith: readonly string[] = []): string {
    this.labels.set(name, label);
    return this.statement(name, [
      ['a', `studio:${type}`],
      ['rdfs:label', JSON.stringify(label)],
      ...(broader ? [['studio:broader', broader] as const] : []),
      ...(disjointWith.length > 0 ? [['studio:disjointWith', disjointWith] as const] : []),
    ]);
  }
}

/** The terms every block draws on. */
interface Vocabulary {
  readonly roles: readonly Term[];
  readonly assets: readonly Term[];
  /** Level-2 roles: each planted pair gets one of these subtrees to itself within its block. */
  readonly lanes: readonly Term[];
  /** Assets with narrower ones, for planted targets. */
  readonly laneAssets: readonly Term[];
  /** Whether two roles or assets overlap (the same, or one under the other). */
  readonly related: (a: string, b: string) => boolean;
  /** Per staff group of levels 1 to 3, its later siblings: staff groups partition the staff, so no one is in two. */
  readonly disjointWith: ReadonlyMap<string, readonly string[]>;
}

function vocabulary(rules: number): Vocabulary {
  const branching = branchingFor(rules);
  const roles = hierarchy('role', 'staff group', 'studio:Employee', branching, 4);
  const assets = hierarchy('asset', 'information set', 'studio:Information', branching, 4);
  const byName = new Map([...roles, ...assets].map((t) => [t.name, t]));
  const ancestors = (name: string) => {
    const up = new Set<string>();
    for (let at: string | undefined = name; at; at = byName.get(at)?.broader) up.add(at);
    return up;
  };
  const disjointWith = new Map<string, string[]>();
  for (const r of roles.filter((r) => r.level <= 3)) {
    const siblings = r.level === 1 ? roles.filter((s) => s.level === 1).map((s) => s.name) : byName.get(r.broader!)!.children;
    disjointWith.set(r.name, siblings.slice(siblings.indexOf(r.name) + 1));
  }
  return {
    roles,
    assets,
    lanes: roles.filter((r) => r.level === 2),
    laneAssets: assets.filter((a) => a.level === 2 || a.level === 3),
    related: (a, b) => ancestors(a).has(b) || ancestors(b).has(a),
    disjointWith,
  };
}

/** Prefixes, the regulation and policy, and every term and condition the rules use. */
function declarations(t: TurtleText, rules: number, v: Vocabulary): string {
  let text = `@prefix studio: <${STUDIO}> .
@prefix rdfs: <${RDFS}> .
@prefix xsd: <${XSD}> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix syn: <${SYN}> .

`;
  text += t.statement('syn:regulation', [['a', 'studio:Regulation'], ['dcterms:title', JSON.stringify(`Synthetic regulation with planted conflicts, ${rules} rules`)], ['studio:authorityRank', '2']]);
  text += t.statement('syn:policy', [['a', 'studio:Policy'], ['dcterms:title', '"Synthetic conflicts policy"'], ['studio:version', '"1"'], ['studio:implements', 'syn:regulation']]);
  text += t.term('syn:channel-helpdesk', 'Channel', 'compliance helpdesk');
  text += '\n# Roles and assets\n';
  for (const r of v.roles) text += t.term(r.name, 'Role', r.label, r.broader, v.disjointWith.get(r.name));
  for (const a of v.assets) text += t.term(a.name, 'Asset', a.label, a.broader);
  SYSTEMS.forEach((name, i) => (text += t.term(name, 'Asset', ['the CRM system', 'the ledger system', 'the intranet'][i]!, 'studio:System')));
  text += '\n# Counterparties, jurisdictions, quantities, circumstances, periods\n';
  text += t.term('syn:org-distributor', 'Organization', 'a distributor', 'studio:Supplier');
  text += t.term('syn:org-auditor', 'Organization', 'an external auditor', 'studio:Supplier');
  text += t.term('syn:org-regulator', 'Organization', 'a regulator');
  for (const [region, { label, countries }] of Object.entries(JURISDICTIONS)) {
    text += t.term(`syn:jur-${region}`, 'Jurisdiction', label);
    for (const [code, name] of Object.entries(countries)) text += t.term(`syn:jur-${code}`, 'Jurisdiction', name, `syn:jur-${region}`);
  }
  for (const [name, { label }] of Object.entries(QUANTITIES)) text += t.term(`syn:qty-${name}`, 'Quantity', label);
  for (const [name, label] of CIRCUMSTANCES) text += t.term(`syn:circ-${name}`, 'Circumstance', label);
  for (const [name, label] of PERIODS) text += t.term(`syn:period-${name}`, 'Period', label);
  text += '\n# Conditions\n';
  for (const c of conditions.values()) {
    t.labels.set(c.name, c.label);
    text += t.statement(c.name, [...c.body, ['rdfs:label', JSON.stringify(c.label)]]);
  }
  text += '\n# Actions: domains and sub-domains (no rule uses them directly)\n';
  DOMAINS.forEach((d, i) => {
    text += t.term(`syn:act-${i + 1}`, 'Action', d.label);
    d.subs.forEach((s, j) => (text += t.term(`syn:act-${i + 1}-${j + 1}`, 'Action', s, `syn:act-${i + 1}`)));
  });
  return text;
}

/** One block's rules by slot, and the truth it plants. */
interface BlockPlan {
  readonly specs: RuleSpec[];
  readonly conflict?: TruthConflict;
  readonly nearMiss?: TruthNearMiss;
}

/**
 * The rules of one block. Every other full block plants one conflict and one
 * near miss, each on a lane (a level-2 role subtree) of its own; the others
 * are background: obligations and permissions on steps 1 and 2 of the
 * family, prohibitions on step 3 only (never the parent), bearers off the lanes.
 */
function planBlock(block: number, size: number, v: Vocabulary, family: Family, rng: () => number): BlockPlan {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
  const ruleName = (slot: number) => `syn:rule-${block * BLOCK + slot}`;
  const specs: (RuleSpec | undefined)[] = new Array(size).fill(undefined);
  // A manager may be in any staff group, so managers bear rules only in blocks without planted pairs.
  let bearers = [...v.roles.map((r) => r.name), 'studio:Manager'];
  let conflict: TruthConflict | undefined;
  let nearMiss: TruthNearMiss | undefined;

  if (size === BLOCK && block % 2 === 0) {
    const half = block / 2;
    const x = v.lanes[(2 * half) % v.lanes.length]!;
    const y = v.lanes[(2 * half + 1) % v.lanes.length]!;
    bearers = v.roles.map((r) => r.name).filter((r) => !v.related(r, x.name) && !v.related(r, y.name));
    const slots = shuffle([...Array(BLOCK).keys()], rng).slice(0, 4);
    const permissive: RuleKind = half % 2 === 0 ? 'Permission' : 'Obligation';

    const kind = CONFLICT_KINDS[half % CONFLICT_KINDS.length]!;
    const c = plantConflict(kind, Math.floor(half / CONFLICT_KINDS.length), { root: x.name, children: x.children }, family, v.laneAssets[half % v.laneAssets.length]!, permissive, COUNTERPARTIES[half % COUNTERPARTIES.length]!);
    const [sp, sq] = rng() < 0.5 ? [slots[0]!, slots[1]!] : [slots[1]!, slots[0]!];
    const { p, q } = c.planted;
    if (p.overrides) p.overrides = ruleName(sq);
    if (q.overrides) q.overrides = ruleName(sp);
    p.comment = `Planted conflict ${kind} (${c.variant}) with ${ruleName(sq)}.`;
    q.comment = `Planted conflict ${kind} (${c.variant}) with ${ruleName(sp)}.`;
    [specs[sp], specs[sq]] = [p, q];
    conflict = {
      prohibition: iri(ruleName(sp)),
      permissive: iri(ruleName(sq)),
      certainty: c.certainty,
      principle: c.principle,
      winner: c.winner === null ? null : iri(ruleName(c.winner === p ? sp : sq)),
      kind,
      variant: c.variant,
    };

    const nearKind = NEAR_MISS_KINDS[(half + Math.floor(half / NEAR_MISS_KINDS.length)) % NEAR_MISS_KINDS.length]!;
    const n = plantNearMiss(nearKind, Math.floor(half / NEAR_MISS_KINDS.length), { root: y.name, children: y.children }, family, v.laneAssets[(half + 7) % v.laneAssets.length]!, permissive);
    const [sa, sb] = [slots[2]!, slots[3]!];
    n.planted.p.comment = `Near miss: ${nearKind} (${n.variant}), looks like a conflict with ${ruleName(sb)} and is none.`;
    n.planted.q.comment = `Near miss: ${nearKind} (${n.variant}), looks like a conflict with ${ruleName(sa)} and is none.`;
    [specs[sa], specs[sb]] = [n.planted.p, n.planted.q];
    nearMiss = { a: iri(ruleName(sa)), b: iri(ruleName(sb)), kind: nearKind, variant: n.variant };
  }

  const backgroundProhibitions: number[] = [];
  for (let slot = 0; slot < size; slot++) {
    if (specs[slot]) continue;
    const draw = rng();
    const kind: RuleKind = draw < 0.4 ? 'Obligation' : draw < 0.7 ? 'Permission' : 'Prohibition';
    const spec: RuleSpec = {
      kind,
      bearer: pick(bearers),
      action: kind === 'Prohibition' ? family.children[2] : family.children[rng() < 0.5 ? 0 : 1],
      targets: [],
      conditions: [],
    };
    const targetCount = kind !== 'Prohibition' && rng() < 0.15 ? 2 : rng() < 0.75 ? 1 : 0;
    while (spec.targets.length < targetCount) {
      const target = rng() < 0.05 ? pick(SYSTEMS) : pick(v.assets).name;
      if (!spec.targets.includes(target)) spec.targets.push(target);
    }
    if (rng() < 0.3) spec.counterparty = pick(COUNTERPARTIES);
    if (rng() < 0.35) spec.conditions.push(pick(WHERE));
    if (rng() < 0.35) spec.conditions.push(pick(WHEN));
    const rank = rng();
    if (rank < 0.1) spec.rank = 3;
    else if (rank < 0.15) spec.rank = 2;
    const date = rng();
    if (date < 0.7) spec.from = EARLY;
    else if (date < 0.85) spec.from = '2025-01-01';
    if (rng() < 0.1) spec.until = '2026-12-31';
    if (slot > 0 && rng() < 0.1) spec.refersTo = ruleName(Math.floor(rng() * slot));
    // A later prohibition sometimes supersedes an earlier one: an override that is no conflict.
    if (kind === 'Prohibition' && backgroundProhibitions.length > 0 && rng() < 0.1) spec.overrides = ruleName(pick(backgroundProhibitions));
    if (kind === 'Prohibition') backgroundProhibitions.push(slot);
    specs[slot] = spec;
  }
  return { specs: specs as RuleSpec[], ...(conflict ? { conflict } : {}), ...(nearMiss ? { nearMiss } : {}) };
}

/** A rule as Turtle, with a sentence made from its terms' labels. */
function ruleText(t: TurtleText, index: number, section: string, spec: RuleSpec): string {
  const behaviours =
    spec.kind === 'Prohibition'
      ? index % 2 === 0 ? ['studio:Refuse', 'studio:CiteSection'] : ['studio:Warn']
      : spec.kind === 'Obligation'
        ? [['studio:DirectToChannel'], ['studio:AskForInformation'], ['studio:Inform']][index % 3]!
        : ['studio:Inform'];
  const label = (name: string) => t.labels.get(name) ?? name;
  const bearer = label(spec.bearer);
  const sentence =
    `${bearer[0]!.toUpperCase()}${bearer.slice(1)} ${MODAL[spec.kind]} ${label(spec.action)}` +
    (spec.targets.length > 0 ? ` on ${spec.targets.map(label).join(' or ')}` : '') +
    (spec.counterparty ? ` with ${label(spec.counterparty)}` : '') +
    spec.conditions.map((c) => ` ${label(c)}`).join(',') +
    '.';
  const body: [string, string | readonly string[]][] = [
    ['a', `studio:${spec.kind}`],
    ['studio:inPolicy', 'syn:policy'],
    ['studio:section', section],
    ['rdfs:label', `"rule ${index}"`],
    ['studio:text', JSON.stringify(sentence)],
    ['studio:bearer', spec.bearer],
    ['studio:action', spec.action],
  ];
  if (spec.targets.length > 0) body.push(['studio:target', spec.targets]);
  if (spec.counterparty) body.push(['studio:counterparty', spec.counterparty]);
  if (spec.conditions.length > 0) body.push(['studio:condition', spec.conditions]);
  body.push(['studio:expectedBehaviour', behaviours]);
  if (behaviours.includes('studio:DirectToChannel')) body.push(['studio:channel', 'syn:channel-helpdesk']);
  if (spec.rank !== undefined) body.push(['studio:authorityRank', String(spec.rank)]);
  if (spec.from) body.push(['studio:effectiveFrom', `"${spec.from}"^^xsd:date`]);
  if (spec.until) body.push(['studio:effectiveUntil', `"${spec.until}"^^xsd:date`]);
  if (spec.overrides) body.push(['studio:overrides', spec.overrides]);
  if (spec.refersTo) body.push(['studio:refersTo', spec.refersTo]);
  if (spec.comment) body.push(['rdfs:comment', JSON.stringify(spec.comment)]);
  return t.statement(`syn:rule-${index}`, body);
}

/** One block as Turtle: its action family, its section (and chapter), its rules, and perhaps an exception. */
function blockText(t: TurtleText, block: number, size: number, family: Family, specs: readonly RuleSpec[]): string {
  const first = block * BLOCK;
  const domain = block % DOMAINS.length;
  const sub = Math.floor(block / DOMAINS.length) % 4;
  const verb = DOMAINS[domain]!.subs[sub]!;
  let text = `\n# Block ${block}\n`;
  text += t.term(family.parent, 'Action', `${verb} under procedure ${block}`, `syn:act-${domain + 1}-${sub + 1}`);
  family.children.forEach((child, k) => (text += t.term(child, 'Action', `${verb} under procedure ${block}, step ${k + 1}`, family.parent)));
  const chapter = Math.floor(block / 5);
  if (block % 5 === 0) {
    text += t.statement(`syn:chapter-${chapter}`, [['a', 'studio:Section'], ['studio:number', `"${chapter + 1}"`], ['dcterms:title', `"Chapter ${chapter + 1}"`], ['studio:sourceText', `"Provisions of chapter ${chapter + 1}."`], ['studio:partOf', 'syn:regulation']]);
  }
  const section = `syn:section-${block}`;
  text += t.statement(section, [['a', 'studio:Section'], ['studio:number', `"${chapter + 1}.${(block % 5) + 1}"`], ['dcterms:title', `"Procedure ${block}"`], ['studio:sourceText', `"Synthetic provisions ${first + 1} to ${first + size}."`], ['studio:partOf', `syn:chapter-${chapter}`]]);
  specs.forEach((spec, slot) => (text += ruleText(t, first + slot, section, spec)));
  // An exception in two blocks of three, on a background rule: exceptions are not rules and take no part in conflicts.
  const slot = specs.findIndex((s, i) => i % 7 === block % 7 && !s.comment);
  if (slot >= 0 && block % 3 !== 2) {
    const when = block % 2 === 0 ? circumstance(block % CIRCUMSTANCES.length) : threshold('days', { maxInclusive: 10 });
    text += t.statement(`syn:exception-${first + slot}`, [
      ['a', 'studio:Exception'],
      ['studio:exceptionTo', `syn:rule-${first + slot}`],
      ['studio:inPolicy', 'syn:policy'],
      ['studio:section', section],
      ['rdfs:label', `"exception to rule ${first + slot}"`],
      ['studio:text', JSON.stringify(`Rule ${first + slot} does not apply ${t.labels.get(when)}.`)],
      ['studio:condition', when],
      ['studio:expectedBehaviour', 'studio:Inform'],
    ]);
  }
  return text;
}

/** Writes the policy to `file` and its truth beside it, resolving when both are flushed. */
export async function writeConflictPolicy(rules: number, file: string): Promise<Truth> {
  await mkdir(path.dirname(file), { recursive: true });
  const out = createWriteStream(file);
  const write = (text: string) => {
    if (!out.write(text)) return new Promise<void>((resolve) => out.once('drain', () => resolve()));
    return undefined;
  };
  const t = new TurtleText();
  const v = vocabulary(rules);
  await write(declarations(t, rules, v));
  const rng = random(0xc0ffee);
  const conflicts: TruthConflict[] = [];
  const nearMisses: TruthNearMiss[] = [];
  for (let block = 0; block < Math.ceil(rules / BLOCK); block++) {
    const size = Math.min(BLOCK, rules - block * BLOCK);
    const family: Family = { parent: `syn:act-f${block}`, children: [`syn:act-f${block}-1`, `syn:act-f${block}-2`, `syn:act-f${block}-3`] };
    const plan = planBlock(block, size, v, family, rng);
    if (plan.conflict) conflicts.push(plan.conflict);
    if (plan.nearMiss) nearMisses.push(plan.nearMiss);
    await write(blockText(t, block, size, family, plan.specs));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  const truth: Truth = { rules, triples: t.triples, policy: POLICY, conflicts, nearMisses };
  await writeFile(truthFile(file), JSON.stringify(truth, null, 1) + '\n');
  return truth;
}

/** Fisher-Yates with the given random numbers. */
function shuffle<T>(items: T[], rng: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

// ---------------------------------------------------------------------------
// Brute-force checker: the conflict semantics, pair by pair, for small files
// ---------------------------------------------------------------------------

/** Subject -> predicate -> objects, over the policy and the vocabulary. */
class Triples {
  private readonly index = new Map<string, Map<string, Quad['object'][]>>();

  add(quads: Iterable<Quad>): void {
    for (const q of quads) {
      let bySubject = this.index.get(q.subject.value);
      if (!bySubject) this.index.set(q.subject.value, (bySubject = new Map()));
      const objects = bySubject.get(q.predicate.value);
      if (objects) objects.push(q.object);
      else bySubject.set(q.predicate.value, [q.object]);
    }
  }

  values(subject: string, predicate: string): string[] {
    return (this.index.get(subject)?.get(predicate) ?? []).map((o) => o.value);
  }

  value(subject: string, predicate: string): string | undefined {
    return this.index.get(subject)?.get(predicate)?.[0]?.value;
  }

  /** Every subject and object linked by the predicate. */
  *pairs(predicate: string): Generator<[string, string]> {
    for (const [subject, predicates] of this.index) for (const o of predicates.get(predicate) ?? []) yield [subject, o.value];
  }

  subjectsOfType(type: string): string[] {
    const found: string[] = [];
    for (const [subject, predicates] of this.index) if (predicates.get(`${RDF}type`)?.some((o) => o.value === type)) found.push(subject);
    return found;
  }
}

interface CheckedRule {
  readonly iri: string;
  readonly kind: RuleKind;
  readonly policy: string | undefined;
  readonly bearer: string;
  readonly action: string;
  readonly targets: readonly string[];
  readonly counterparties: readonly string[];
  readonly conditions: readonly string[];
  readonly rank: number;
  readonly from: string | undefined;
  readonly until: string | undefined;
  readonly overrides: ReadonlySet<string>;
}

type Relation = 'compatible' | 'disjoint' | 'undecidable';
/** Whether two terms (or two sets of terms) can denote the same thing: 'unknown' when the graph cannot tell. */
type Overlap = 'yes' | 'no' | 'unknown';

/**
 * All conflicts of a policy file, by the studio's semantics, in O(n^2): a
 * prohibition against an obligation or permission of the same policy whose
 * actions are the same or one under the other (studio:broader+), whose
 * bearers, targets and counterparties are not disjoint (no target or
 * counterparty = any; two terms overlap when one is under the other, are
 * disjoint when they or their ancestors are declared studio:disjointWith,
 * and may coincide otherwise), whose effective periods overlap, and no pair
 * of whose conditions is provably disjoint. "possible" when terms may
 * coincide or a pair of conditions cannot be decided from the graph. Then the
 * resolution: explicit override, lex superior (nearest rank), lex
 * specialis, lex posterior.
 */
export async function bruteForceConflicts(file: string): Promise<ReportedConflict[]> {
  const triples = new Triples();
  for (const source of [ONTOLOGY_FILE, file]) triples.add(new N3.Parser({ format: 'text/turtle' }).parse(await readFile(source, 'utf8')));
  const S = (local: string) => `${STUDIO}${local}`;

  const ancestorCache = new Map<string, Set<string>>();
  const ancestors = (term: string): Set<string> => {
    let found = ancestorCache.get(term);
    if (found) return found;
    found = new Set([term]);
    ancestorCache.set(term, found);
    for (const up of triples.values(term, S('broader'))) for (const a of ancestors(up)) found.add(a);
    return found;
  };
  const overlaps = (a: string, b: string) => ancestors(a).has(b) || ancestors(b).has(a);
  const anyOverlap = (as: readonly string[], bs: readonly string[]) => as.length === 0 || bs.length === 0 || as.some((a) => bs.some((b) => overlaps(a, b)));
  const declaredDisjoint = new Set<string>();
  for (const [a, b] of triples.pairs(S('disjointWith'))) declaredDisjoint.add(`${a} ${b}`).add(`${b} ${a}`);
  const termOverlap = (a: string, b: string): Overlap => {
    if (overlaps(a, b)) return 'yes';
    for (const x of ancestors(a)) for (const y of ancestors(b)) if (declaredDisjoint.has(`${x} ${y}`)) return 'no';
    return 'unknown';
  };
  const setOverlap = (as: readonly string[], bs: readonly string[]): Overlap => {
    if (as.length === 0 || bs.length === 0) return 'yes';
    const pairs = as.flatMap((a) => bs.map((b) => termOverlap(a, b)));
    return pairs.includes('yes') ? 'yes' : pairs.every((o) => o === 'no') ? 'no' : 'unknown';
  };
  const within = (narrow: readonly string[], broad: readonly string[]) => broad.length === 0 || (narrow.length > 0 && narrow.every((n) => broad.some((b) => ancestors(n).has(b))));

  const rankOf = (node: string | undefined): number | undefined => {
    for (let at = node, depth = 0; at && depth < 50; at = triples.value(at, S('partOf')), depth++) {
      const rank = triples.value(at, S('authorityRank'));
      if (rank !== undefined) return Number(rank);
    }
    return undefined;
  };

  const rules: CheckedRule[] = [];
  for (const kind of ['Obligation', 'Prohibition', 'Permission'] as const) {
    for (const rule of triples.subjectsOfType(S(kind))) {
      const policy = triples.value(rule, S('inPolicy'));
      const regulation = policy ? triples.value(policy, S('implements')) : undefined;
      rules.push({
        iri: rule,
        kind,
        policy,
        bearer: triples.value(rule, S('bearer'))!,
        action: triples.value(rule, S('action'))!,
        targets: triples.values(rule, S('target')),
        counterparties: triples.values(rule, S('counterparty')),
        conditions: triples.values(rule, S('condition')),
        rank: Number(triples.value(rule, S('authorityRank')) ?? rankOf(triples.value(rule, S('section'))) ?? rankOf(regulation) ?? 1),
        from: triples.value(rule, S('effectiveFrom')),
        until: triples.value(rule, S('effectiveUntil')),
        overrides: new Set(triples.values(rule, S('overrides'))),
      });
    }
  }

  const conditionKind = (c: string) =>
    ['AudienceCondition', 'JurisdictionCondition', 'ThresholdCondition', 'TimeWindowCondition', 'CircumstanceCondition'].find((k) => triples.values(c, `${RDF}type`).includes(S(k)));
  const interval = (c: string) => {
    const num = (p: string) => (triples.value(c, S(p)) === undefined ? undefined : Number(triples.value(c, S(p))));
    const lower = num('minExclusive') !== undefined ? { v: num('minExclusive')!, closed: false } : num('minInclusive') !== undefined ? { v: num('minInclusive')!, closed: true } : { v: -Infinity, closed: false };
    const upper = num('maxExclusive') !== undefined ? { v: num('maxExclusive')!, closed: false } : num('maxInclusive') !== undefined ? { v: num('maxInclusive')!, closed: true } : { v: Infinity, closed: false };
    return { lower, upper };
  };
  const relation = (a: string, b: string): Relation => {
    if (a === b) return 'compatible';
    const kind = conditionKind(a);
    if (kind !== conditionKind(b)) return 'compatible';
    switch (kind) {
      case 'AudienceCondition':
        return triples.value(a, S('audience')) === triples.value(b, S('audience')) ? 'compatible' : 'disjoint';
      case 'JurisdictionCondition':
        return anyOverlap(triples.values(a, S('jurisdiction')), triples.values(b, S('jurisdiction'))) ? 'compatible' : 'disjoint';
      case 'ThresholdCondition': {
        if (triples.value(a, S('quantity')) !== triples.value(b, S('quantity'))) return 'undecidable';
        const [x, y] = [interval(a), interval(b)];
        const lower = x.lower.v > y.lower.v || (x.lower.v === y.lower.v && !x.lower.closed) ? x.lower : y.lower;
        const upper = x.upper.v < y.upper.v || (x.upper.v === y.upper.v && !x.upper.closed) ? x.upper : y.upper;
        return lower.v < upper.v || (lower.v === upper.v && lower.closed && upper.closed) ? 'compatible' : 'disjoint';
      }
      case 'CircumstanceCondition': {
        if (triples.value(a, S('circumstance')) !== triples.value(b, S('circumstance'))) return 'undecidable';
        const negated = (c: string) => triples.value(c, S('negated')) === 'true';
        return negated(a) === negated(b) ? 'compatible' : 'disjoint';
      }
      case 'TimeWindowCondition': {
        const [pa, pb] = [triples.value(a, S('period')), triples.value(b, S('period'))];
        if (pa || pb) return pa === pb ? 'compatible' : 'undecidable';
        const [sa, ea, sb, eb] = [triples.value(a, S('startDate')), triples.value(a, S('endDate')), triples.value(b, S('startDate')), triples.value(b, S('endDate'))];
        return (ea !== undefined && sb !== undefined && ea < sb) || (eb !== undefined && sa !== undefined && eb < sa) ? 'disjoint' : 'compatible';
      }
      default:
        return 'compatible';
    }
  };
  const periodsOverlap = (a: CheckedRule, b: CheckedRule) => !(a.until && b.from && a.until < b.from) && !(b.until && a.from && b.until < a.from);
  const moreSpecific = (x: CheckedRule, y: CheckedRule) =>
    ancestors(x.bearer).has(y.bearer) &&
    ancestors(x.action).has(y.action) &&
    within(x.targets, y.targets) &&
    within(x.counterparties, y.counterparties) &&
    y.conditions.every((c) => x.conditions.includes(c));

  const found: ReportedConflict[] = [];
  const prohibitions = rules.filter((r) => r.kind === 'Prohibition');
  const permissives = rules.filter((r) => r.kind !== 'Prohibition');
  for (const p of prohibitions) {
    for (const q of permissives) {
      if (p.policy !== q.policy || !overlaps(p.action, q.action) || !periodsOverlap(p, q)) continue;
      const terms = [termOverlap(p.bearer, q.bearer), setOverlap(p.targets, q.targets), setOverlap(p.counterparties, q.counterparties)];
      if (terms.includes('no')) continue;
      const relations = p.conditions.flatMap((a) => q.conditions.map((b) => relation(a, b)));
      if (relations.includes('disjoint')) continue;
      let principle: Principle | null = null;
      let winner: string | null = null;
      if (p.overrides.has(q.iri) !== q.overrides.has(p.iri)) [principle, winner] = ['explicitOverride', p.overrides.has(q.iri) ? p.iri : q.iri];
      else if (p.rank !== q.rank) [principle, winner] = ['lexSuperior', p.rank > q.rank ? p.iri : q.iri];
      else if (moreSpecific(p, q) !== moreSpecific(q, p)) [principle, winner] = ['lexSpecialis', moreSpecific(p, q) ? p.iri : q.iri];
      else if (p.from && q.from && p.from !== q.from) [principle, winner] = ['lexPosterior', p.from > q.from ? p.iri : q.iri];
      const certainty = terms.includes('unknown') || relations.includes('undecidable') ? 'possible' : 'definite';
      found.push({ prohibition: p.iri, permissive: q.iri, certainty, principle, winner });
    }
  }
  return found;
}

// ---------------------------------------------------------------------------
// Scoring a report against the truth (used by the checker and the benchmark)
// ---------------------------------------------------------------------------

/** How a report compares with the truth, in numbers. */
export interface ScoreCounts {
  readonly truth: number;
  readonly reported: number;
  readonly truePositives: number;
  readonly precision: number;
  readonly recall: number;
  /** Of the true positives, the share whose certainty matches. */
  readonly certaintyAgreement: number;
  /** Of the true positives, the share whose principle and winner both match. */
  readonly resolutionAgreement: number;
  /** Reported pairs that are planted near misses. */
  readonly nearMissesReported: number;
}

/** The counts, and the pairs behind every disagreement. */
export interface Score extends ScoreCounts {
  readonly missed: TruthConflict[];
  readonly reportedNearMisses: TruthNearMiss[];
  /** Reported pairs that are neither planted conflicts nor planted near misses. */
  readonly strayPairs: ReportedConflict[];
  readonly certaintyMismatches: { truth: TruthConflict; reported: ReportedConflict }[];
  readonly resolutionMismatches: { truth: TruthConflict; reported: ReportedConflict }[];
}

/** Compares reported conflicts with the truth, pair by pair (a pair is its prohibition and its permissive rule). */
export function score(truth: Truth, reported: readonly ReportedConflict[]): Score {
  const key = (c: { prohibition: string; permissive: string }) => `${c.prohibition} ${c.permissive}`;
  const expected = new Map(truth.conflicts.map((c) => [key(c), c]));
  const seen = new Map(reported.map((c) => [key(c), c]));
  const nearMiss = new Map<string, TruthNearMiss>(truth.nearMisses.flatMap((n) => [[`${n.a} ${n.b}`, n], [`${n.b} ${n.a}`, n]]));
  const matched = [...seen.values()].flatMap((r) => (expected.has(key(r)) ? [{ truth: expected.get(key(r))!, reported: r }] : []));
  const extra = [...seen.values()].filter((r) => !expected.has(key(r)));
  const reportedNearMisses = extra.flatMap((r) => nearMiss.get(key(r)) ?? []);
  const certaintyMismatches = matched.filter((m) => m.truth.certainty !== m.reported.certainty);
  const resolutionMismatches = matched.filter((m) => m.truth.principle !== m.reported.principle || m.truth.winner !== m.reported.winner);
  const ratio = (part: number, whole: number) => (whole === 0 ? 1 : part / whole);
  return {
    truth: expected.size,
    reported: seen.size,
    truePositives: matched.length,
    precision: ratio(matched.length, seen.size),
    recall: ratio(matched.length, expected.size),
    certaintyAgreement: ratio(matched.length - certaintyMismatches.length, matched.length),
    resolutionAgreement: ratio(matched.length - resolutionMismatches.length, matched.length),
    nearMissesReported: reportedNearMisses.length,
    missed: truth.conflicts.filter((c) => !seen.has(key(c))),
    reportedNearMisses,
    strayPairs: extra.filter((r) => !nearMiss.has(key(r))),
    certaintyMismatches,
    resolutionMismatches,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2).filter((a) => a !== '--check');
  const rules = Number(args[0] ?? 1000);
  const file = args[1] ?? `bench-out/conflicts-${rules}.ttl`;
  const truth = await writeConflictPolicy(rules, file);
  process.stdout.write(`${file}: ${truth.rules} rules, ${truth.triples} triples, ${truth.conflicts.length} planted conflicts, ${truth.nearMisses.length} near misses\n`);
  if (process.argv.includes('--check')) {
    const result = score(truth, await bruteForceConflicts(file));
    process.stdout.write(
      `brute force: ${result.reported} conflicts, ${result.truePositives} planted found, ${result.missed.length} missed, ` +
        `${result.nearMissesReported} near misses and ${result.strayPairs.length} other pairs reported, ` +
        `${result.certaintyMismatches.length} certainty and ${result.resolutionMismatches.length} resolution mismatches\n`,
    );
    for (const m of result.missed) process.stdout.write(`  missed: ${JSON.stringify(m)}\n`);
    for (const n of result.reportedNearMisses) process.stdout.write(`  near miss: ${JSON.stringify(n)}\n`);
    for (const e of result.strayPairs) process.stdout.write(`  stray: ${JSON.stringify(e)}\n`);
    for (const m of [...result.certaintyMismatches, ...result.resolutionMismatches]) process.stdout.write(`  mismatch: ${JSON.stringify(m)}\n`);
    const clean = result.reported === result.truePositives && result.missed.length + result.certaintyMismatches.length + result.resolutionMismatches.length === 0;
    process.exitCode = clean ? 0 : 1;
  }
}
