/**
 * Conditions as facts a scenario states: that a condition holds, that it
 * fails, that it is unknown (the ambiguous scenario), or that it lies just
 * inside or just outside its boundary (an exception's boundary pair: a
 * threshold of "at most 50 USD" is met at exactly 50 and missed at 51).
 *
 * A negated condition is stated as its opposite (holding "unless internal"
 * means someone outside is involved). A compound states its members: "A or B"
 * holds by one member picked by the key (the others left unsaid) and fails by
 * every member failing; "A and B" holds by every member holding and fails by
 * one picked member failing while the others hold; unknown is one member
 * unknown and the others set so that it alone decides.
 */

import { createHash } from 'node:crypto';
import { STUDIO } from '../vocabulary.js';
import type { Condition } from './policy-context.js';
import type { Hierarchy } from './hierarchy.js';
import { circumstanceClauses, joinClauses } from './clauses.js';
import { termPhrase } from './term-forms.js';

export type FactMode = 'holds' | 'fails' | 'unknown' | 'inside' | 'outside';

/** A sentence stating a fact, and the terms it names. */
export interface Fact {
  readonly text: string;
  readonly terms: readonly string[];
}

const OPPOSITE: Record<FactMode, FactMode> = { holds: 'fails', fails: 'holds', inside: 'outside', outside: 'inside', unknown: 'unknown' };

/**
 * States one condition in the given mode; `key` seeds the choice of a narrower jurisdiction or period, and of
 * the member of a compound; `conditions` resolves a compound's members (without it a compound is stated by label).
 */
export function conditionFact(condition: Condition, mode: FactMode, hierarchy: Hierarchy, key: string, conditions?: ReadonlyMap<string, Condition>): Fact {
  if (condition.type === 'CompoundCondition') return compoundFact(condition, mode, hierarchy, key, conditions);
  // A circumstance states its own negation; any other negated condition is stated as its opposite.
  if (condition.negated && condition.type !== 'CircumstanceCondition') return conditionFact({ ...condition, negated: false }, OPPOSITE[mode], hierarchy, key, conditions);
  const holds = mode === 'holds' || mode === 'inside';
  switch (condition.type) {
    case 'ThresholdCondition':
      return thresholdFact(condition, mode, hierarchy);
    case 'CircumstanceCondition': {
      const circumstance = condition.circumstance;
      if (!circumstance) return labelFact(condition, mode);
      const clauses = circumstanceClauses(hierarchy.label(circumstance));
      if (mode === 'unknown') return { text: `I don't know whether ${clauses.holds}`, terms: [circumstance] };
      const present = holds !== condition.negated;
      return { text: present ? clauses.holds : clauses.fails, terms: [circumstance] };
    }
    case 'AudienceCondition': {
      const internal = condition.audience === `${STUDIO}Internal`;
      if (mode === 'unknown') return { text: "I can't tell whether everyone involved is inside the organisation", terms: [] };
      return { text: holds === internal ? 'everyone involved is inside the organisation' : 'someone outside the organisation is involved', terms: [] };
    }
    case 'JurisdictionCondition': {
      const jurisdiction = condition.jurisdiction;
      if (!jurisdiction) return labelFact(condition, mode);
      const place = holds ? hierarchy.pick(jurisdiction, `${key} jurisdiction`) : jurisdiction;
      // "the United Kingdom", "the European Union", "Germany": a place as a sentence names it.
      const name = termPhrase(hierarchy.label(place), 'Jurisdiction');
      if (mode === 'unknown') return { text: `I'm not sure whether this counts as happening in ${name}`, terms: [jurisdiction] };
      return { text: holds ? `this happens in ${name}` : `this happens outside ${name}`, terms: [place] };
    }
    case 'TimeWindowCondition': {
      if (condition.period) {
        const period = holds ? hierarchy.pick(condition.period, `${key} period`) : condition.period;
        const name = hierarchy.label(period);
        if (mode === 'unknown') return { text: `I don't know whether we are in the ${name}`, terms: [condition.period] };
        return { text: holds ? `it is during the ${name}` : `it is outside the ${name}`, terms: [period] };
      }
      return dateFact(condition, mode);
    }
    default:
      return labelFact(condition, mode);
  }
}

function compoundFact(condition: Condition, mode: FactMode, hierarchy: Hierarchy, key: string, conditions?: ReadonlyMap<string, Condition>): Fact {
  const parts = (condition.members ?? []).map((m) => conditions?.get(m)).filter((c): c is Condition => c !== undefined);
  // Unresolved members, or nesting deeper than any text needs (a cycle the shapes would have refused): by label.
  if (parts.length === 0 || parts.length !== condition.members?.length || key.split(' ').length > 64) return labelFact(condition, mode);
  const own = condition.negated ? OPPOSITE[mode] : mode; // the mode of the combination without its negation
  const any = condition.joinedBy !== 'allOf';
  const positive = own === 'holds' || own === 'inside';
  const picked = pickIndex(parts.length, `${key} ${conditionKey(condition, conditions)}`);
  const modes: (FactMode | null)[] = parts.map((_, i) => {
    if (own === 'unknown') return i === picked ? 'unknown' : any ? 'fails' : 'holds';
    if (any && positive) return i === picked ? own : null; // one alternative suffices; the others are left unsaid
    if (!any && !positive) return i === picked ? own : 'holds'; // one failing member decides
    return own; // every alternative fails, or every member holds
  });
  const facts = parts.flatMap((part, i) => (modes[i] ? [conditionFact(part, modes[i]!, hierarchy, `${key} ${i}`, conditions)] : []));
  return { text: joinClauses(facts.map((f) => f.text)), terms: facts.flatMap((f) => f.terms) };
}

/**
 * A condition as a choice's key: its IRI, or, for a blank node (whose label
 * each load of the policy draws anew, in either store), what it says, so
 * that the same policy gives the same items whichever load it came from.
 */
function conditionKey(condition: Condition, conditions: ReadonlyMap<string, Condition> | undefined, depth = 0): string {
  if (!condition.iri.startsWith('_:') && !condition.iri.startsWith('bnode://')) return condition.iri;
  const { iri: _iri, members, ...said } = condition;
  const parts = depth > 16 ? [] : (members ?? []).map((m) => { const c = conditions?.get(m); return c ? conditionKey(c, conditions, depth + 1) : ''; });
  return JSON.stringify([Object.keys(said).sort().map((k) => [k, (said as Record<string, unknown>)[k]]), parts]);
}

/** A stable index in [0, n) from a key. */
function pickIndex(n: number, key: string): number {
  return parseInt(createHash('sha256').update(key).digest('hex').slice(0, 8), 16) % n;
}

/** A condition the generator cannot state from its parts, stated from its label as a clause. */
function labelFact(condition: Condition, mode: FactMode): Fact {
  const clauses = circumstanceClauses(condition.label);
  if (mode === 'unknown') return { text: `I don't know whether ${clauses.holds}`, terms: [] };
  const holds = mode === 'holds' || mode === 'inside';
  return { text: holds ? clauses.holds : clauses.fails, terms: [] };
}

function thresholdFact(c: Condition, mode: FactMode, hierarchy: Hierarchy): Fact {
  const quantity = c.quantity ? hierarchy.label(c.quantity) : 'amount';
  const terms = c.quantity ? [c.quantity] : [];
  const since = /^(\w+) since (.+)$/i.exec(quantity);
  const span = since && c.unit && since[1]!.toLowerCase() === c.unit.toLowerCase() ? { unit: c.unit, event: since[2]! } : undefined;
  if (mode === 'unknown') return { text: span ? `I don't know exactly how many ${span.unit} it has been since ${span.event}` : `I don't know the exact ${quantity}`, terms };
  if (c.rate) {
    // A rate set elsewhere (a per diem): its value is not in the graph, so the fact names the rate itself.
    const rate = hierarchy.label(c.rate);
    const within = (mode === 'holds' || mode === 'inside') !== c.negated;
    const edge = mode === 'inside' || mode === 'outside';
    const text = within ? (edge ? `the ${quantity} is exactly the ${rate}` : `the ${quantity} is well within the ${rate}`) : edge ? `the ${quantity} is just above the ${rate}` : `the ${quantity} is well above the ${rate}`;
    return { text, terms: [...terms, c.rate] };
  }
  const bounds = [c.minInclusive, c.minExclusive, c.maxInclusive, c.maxExclusive].filter((b): b is number => b !== undefined);
  const step = c.unit === 'percent' || bounds.some((b) => !Number.isInteger(b)) ? 0.1 : 1;
  const low = c.minInclusive ?? (c.minExclusive !== undefined ? c.minExclusive + step : undefined);
  const high = c.maxInclusive ?? (c.maxExclusive !== undefined ? c.maxExclusive - step : undefined);
  let value: number;
  if (mode === 'inside') value = high ?? low ?? 0; // the edge the interval still includes
  else if (mode === 'outside') value = high !== undefined ? high + step : low !== undefined ? low - step : 0;
  else if (mode === 'holds') value = low !== undefined && high !== undefined ? (low + high) / 2 : high !== undefined ? high * 0.8 : (low ?? 0) * 1.5 || step;
  else value = high !== undefined ? high * 1.5 || step * 10 : low !== undefined ? low / 2 : 0; // clearly outside
  const shown = Number(value.toFixed(step < 1 ? 1 : 0));
  // A span of time counted since an event ("days since the complaint was made", in days): said as time passed.
  if (span) return { text: `it has been ${shown} ${span.unit} since ${span.event}`, terms };
  return { text: `the ${quantity} is ${shown}${c.unit ? ` ${c.unit}` : ''}`, terms };
}

function dateFact(c: Condition, mode: FactMode): Fact {
  if (mode === 'unknown') return { text: "I don't know the exact date it will happen", terms: [] };
  const shift = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  let date: string;
  if (mode === 'inside') date = c.endDate ?? c.startDate ?? '';
  else if (mode === 'outside') date = c.endDate ? shift(c.endDate, 1) : c.startDate ? shift(c.startDate, -1) : '';
  else if (mode === 'holds') date = c.startDate ?? c.endDate ?? '';
  else date = c.endDate ? shift(c.endDate, 30) : c.startDate ? shift(c.startDate, -30) : '';
  return date ? { text: `it happens on ${date}`, terms: [] } : labelFact(c, mode);
}
