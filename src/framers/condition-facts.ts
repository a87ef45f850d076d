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
 *
 * `stated` is the condition as the rule lays it down, for an answer about the
 * rule in general rather than a situation: "the loan amount requested is more
 * than 25000 GBP", "this happens in the European Union" (no narrower place or
 * value picked), a compound's members all said, joined by "or" or "and".
 */

import { createHash } from 'node:crypto';
import { STUDIO } from '../vocabulary.js';
import type { Condition } from './policy-context.js';
import type { Hierarchy } from './hierarchy.js';
import { circumstanceClauses, joinClauses } from './clauses.js';
import { termPhrase } from './term-forms.js';

export type FactMode = 'holds' | 'fails' | 'unknown' | 'inside' | 'outside' | 'stated';

/** A sentence stating a fact, and the terms it names. */
export interface Fact {
  readonly text: string;
  readonly terms: readonly string[];
  /**
   * Where only part of the text decides (all of a compound's members stated,
   * one of them failing): that part, for "because ...". Otherwise the text is
   * the reason whole.
   */
  readonly because?: string;
}

const OPPOSITE: Record<Exclude<FactMode, 'stated'>, FactMode> = { holds: 'fails', fails: 'holds', inside: 'outside', outside: 'inside', unknown: 'unknown' };

/**
 * States one condition in the given mode; `key` seeds the choice of a narrower jurisdiction or period, and of
 * the member of a compound; `conditions` resolves a compound's members (without it a compound is stated by label).
 */
export function conditionFact(condition: Condition, mode: FactMode, hierarchy: Hierarchy, key: string, conditions?: ReadonlyMap<string, Condition>): Fact {
  if (mode === 'stated') return statedFact(condition, hierarchy, conditions, false, 0);
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

/** A condition as the rule states it (`negate`: its opposite, as a negated compound states its members). */
function statedFact(condition: Condition, hierarchy: Hierarchy, conditions: ReadonlyMap<string, Condition> | undefined, negate: boolean, depth: number): Fact {
  // A circumstance states its own negation (its clauses say "has not been ..."); here it counts with the compound's.
  const negated = condition.negated !== negate;
  switch (condition.type) {
    case 'CompoundCondition': {
      const parts = (condition.members ?? []).map((m) => conditions?.get(m)).filter((c): c is Condition => c !== undefined);
      if (parts.length === 0 || parts.length !== condition.members?.length || depth > 16) return labelFact(condition, negated ? 'fails' : 'holds');
      // Not (A or B) is neither A nor B: each member negated, joined by "and"; not (A and B), by "or".
      const any = (condition.joinedBy !== 'allOf') !== negated;
      const facts = parts.map((part) => statedFact(part, hierarchy, conditions, negated, depth + 1));
      const texts = facts.map((f) => f.text);
      return { text: joinClauses(texts, any ? 'or' : 'and'), terms: facts.flatMap((f) => f.terms) };
    }
    case 'ThresholdCondition':
      return statedThreshold(condition, negated, hierarchy);
    case 'JurisdictionCondition': {
      if (!condition.jurisdiction) break;
      const name = termPhrase(hierarchy.label(condition.jurisdiction), 'Jurisdiction');
      return { text: negated ? `this happens outside ${name}` : `this happens in ${name}`, terms: [condition.jurisdiction] };
    }
    case 'TimeWindowCondition': {
      if (condition.period) {
        const name = hierarchy.label(condition.period);
        return { text: negated ? `it is outside the ${name}` : `it is during the ${name}`, terms: [condition.period] };
      }
      const { startDate: start, endDate: end } = condition;
      if (!start && !end) break;
      const text = negated
        ? start && end ? `it happens before ${start} or after ${end}` : start ? `it happens before ${start}` : `it happens after ${end}`
        : start && end ? `it happens between ${start} and ${end}` : start ? `it happens on or after ${start}` : `it happens on or before ${end}`;
      return { text, terms: [] };
    }
    case 'CircumstanceCondition':
    case 'AudienceCondition':
      // The situation's own statements are already general: the clause that holds, or (negated) fails.
      return conditionFact({ ...condition, negated: false }, negated ? 'fails' : 'holds', hierarchy, '', conditions);
  }
  return labelFact(condition, negated ? 'fails' : 'holds');
}

/** A threshold as its bounds say it: "more than 25000 GBP", "between 10 and 50 USD", the opposite when negated. */
function statedThreshold(c: Condition, negated: boolean, hierarchy: Hierarchy): Fact {
  const quantity = c.quantity ? hierarchy.label(c.quantity) : 'amount';
  const terms = c.quantity ? [c.quantity] : [];
  const unit = c.unit ? ` ${c.unit}` : '';
  if (c.rate) {
    const rate = hierarchy.label(c.rate);
    return { text: negated ? `the ${quantity} is above the ${rate}` : `the ${quantity} is within the ${rate}`, terms: [...terms, c.rate] };
  }
  const own = intervalOf({ ...c, negated: false });
  if (!own) return labelFact(c, negated ? 'fails' : 'holds');
  const above = (b: Bound) => `${b.inclusive ? 'at least' : 'more than'} ${b.value}`;
  const below = (b: Bound) => `${b.inclusive ? 'at most' : 'less than'} ${b.value}`;
  const flip = (b: Bound): Bound => ({ value: b.value, inclusive: !b.inclusive });
  let bound: string;
  if (negated && own.low && own.high) bound = `${below(flip(own.low))}${unit} or ${above(flip(own.high))}`;
  else {
    // One interval: the threshold's own, or the opposite of a one-sided one.
    const { low, high } = negated ? intervalOf({ ...c, negated: true })! : own;
    if (low && high) bound = low.inclusive && high.inclusive ? `between ${low.value} and ${high.value}` : `${above(low)}${unit} and ${below(high)}`;
    else bound = low ? above(low) : below(high!);
  }
  const span = spanOf(quantity, c.unit);
  if (span) return { text: `it has been ${bound}${unit} since ${span.event}`, terms };
  return { text: `the ${quantity} is ${bound}${unit}`, terms };
}

/** A span of time counted since an event ("days since the complaint was made", in days), said as time passed. */
function spanOf(quantity: string, unit: string | undefined): { readonly unit: string; readonly event: string } | undefined {
  const since = /^(\w+) since (.+)$/i.exec(quantity);
  return since && unit && since[1]!.toLowerCase() === unit.toLowerCase() ? { unit, event: since[2]! } : undefined;
}

function compoundFact(condition: Condition, mode: Exclude<FactMode, 'stated'>, hierarchy: Hierarchy, key: string, conditions?: ReadonlyMap<string, Condition>): Fact {
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
  const said = parts.map((part, i) => (modes[i] ? conditionFact(part, modes[i]!, hierarchy, `${key} ${i}`, conditions) : undefined));
  const facts = said.filter((f): f is Fact => f !== undefined);
  // All members stated and one failing: that one is why the combination fails.
  const decides = !any && !positive && own !== 'unknown' && facts.length > 1 ? said[picked] : undefined;
  return { text: joinClauses(facts.map((f) => f.text)), terms: facts.flatMap((f) => f.terms), ...(decides ? { because: decides.because ?? decides.text } : {}) };
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
  const span = spanOf(quantity, c.unit);
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

/** A bound of a threshold's interval. */
interface Bound {
  readonly value: number;
  readonly inclusive: boolean;
}

/** The values a threshold allows, when they are one interval (a negated two-sided threshold is two); undefined for a rate set elsewhere. */
function intervalOf(c: Condition): { readonly low?: Bound; readonly high?: Bound } | undefined {
  if (c.type !== 'ThresholdCondition' || c.rate !== undefined) return undefined;
  const low = c.minExclusive !== undefined ? { value: c.minExclusive, inclusive: false } : c.minInclusive !== undefined ? { value: c.minInclusive, inclusive: true } : undefined;
  const high = c.maxExclusive !== undefined ? { value: c.maxExclusive, inclusive: false } : c.maxInclusive !== undefined ? { value: c.maxInclusive, inclusive: true } : undefined;
  if (!low && !high) return undefined;
  if (!c.negated) return { ...(low ? { low } : {}), ...(high ? { high } : {}) };
  if (low && high) return undefined;
  return low ? { high: { value: low.value, inclusive: !low.inclusive } } : { low: { value: high!.value, inclusive: !high!.inclusive } };
}

/** Thresholds on one quantity in one unit can be compared. */
function quantityKey(c: Condition): string {
  return `${c.quantity ?? ''} ${c.unit ?? ''}`;
}

/** The values both thresholds allow, as one threshold; null when none is allowed by both; undefined when they cannot be compared. */
function intersection(a: Condition, b: Condition): Condition | null | undefined {
  if (quantityKey(a) !== quantityKey(b)) return undefined;
  const x = intervalOf(a);
  const y = intervalOf(b);
  if (!x || !y) return undefined;
  const tighter = (p: Bound | undefined, q: Bound | undefined, sign: 1 | -1): Bound | undefined =>
    !p ? q : !q ? p : p.value * sign > q.value * sign ? p : q.value * sign > p.value * sign ? q : { value: p.value, inclusive: p.inclusive && q.inclusive };
  const low = tighter(x.low, y.low, 1);
  const high = tighter(x.high, y.high, -1);
  if (low && high && (low.value > high.value || (low.value === high.value && !(low.inclusive && high.inclusive)))) return null;
  const { minInclusive: _a, minExclusive: _b, maxInclusive: _c, maxExclusive: _d, ...rest } = a;
  return {
    ...rest,
    negated: false,
    ...(low ? (low.inclusive ? { minInclusive: low.value } : { minExclusive: low.value }) : {}),
    ...(high ? (high.inclusive ? { maxInclusive: high.value } : { maxExclusive: high.value }) : {}),
  };
}

/** Whether some threshold of one list and some of the other, on the same quantity, allow no value in common. */
export function thresholdsExclude(first: readonly Condition[], second: readonly Condition[]): boolean {
  return first.some((a) => second.some((b) => intersection(a, b) === null));
}

/**
 * Conditions that all hold, with the thresholds on one quantity stated once:
 * their intersection, so that a situation gives the quantity one value that
 * meets them all ("more than 50 USD" and "at most 100 USD": one value between).
 * Thresholds that allow nothing together are left as they are (the caller
 * does not stage such a pair).
 */
export function mergeThresholds(conditions: readonly Condition[]): Condition[] {
  const out: Condition[] = [];
  for (const c of conditions) {
    const at = out.findIndex((o) => {
      const both = intersection(o, c);
      return both !== undefined && both !== null;
    });
    if (at < 0) out.push(c);
    else out[at] = intersection(out[at]!, c)!;
  }
  return out;
}
