/**
 * Conditions as facts a scenario states: that a condition holds, that it
 * fails, that it is unknown (the ambiguous scenario), or that it lies just
 * inside or just outside its boundary (an exception's boundary pair: a
 * threshold of "at most 50 USD" is met at exactly 50 and missed at 51).
 */

import { STUDIO } from '../vocabulary.js';
import type { Condition } from './policy-context.js';
import type { Hierarchy } from './hierarchy.js';

export type FactMode = 'holds' | 'fails' | 'unknown' | 'inside' | 'outside';

/** A sentence stating a fact, and the terms it names. */
export interface Fact {
  readonly text: string;
  readonly terms: readonly string[];
}

/** States one condition in the given mode; `key` seeds the choice of a narrower jurisdiction or period. */
export function conditionFact(condition: Condition, mode: FactMode, hierarchy: Hierarchy, key: string): Fact {
  const holds = mode === 'holds' || mode === 'inside';
  switch (condition.type) {
    case 'ThresholdCondition':
      return thresholdFact(condition, mode, hierarchy);
    case 'CircumstanceCondition': {
      const circumstance = condition.circumstance;
      if (!circumstance) return labelFact(condition, mode);
      const name = hierarchy.label(circumstance);
      if (mode === 'unknown') return { text: `I don't know whether this is the case: ${name}`, terms: [circumstance] };
      const present = holds !== condition.negated;
      return { text: present ? `this is the case: ${name}` : `this is not the case: ${name}`, terms: [circumstance] };
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
      const name = hierarchy.label(place);
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

function labelFact(condition: Condition, mode: FactMode): Fact {
  if (mode === 'unknown') return { text: `I don't know whether this applies: ${condition.label}`, terms: [] };
  const holds = mode === 'holds' || mode === 'inside';
  return { text: holds ? `this applies: ${condition.label}` : `this does not apply: ${condition.label}`, terms: [] };
}

function thresholdFact(c: Condition, mode: FactMode, hierarchy: Hierarchy): Fact {
  const quantity = c.quantity ? hierarchy.label(c.quantity) : 'amount';
  const terms = c.quantity ? [c.quantity] : [];
  if (mode === 'unknown') return { text: `I don't know the exact ${quantity}`, terms };
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
  return { text: date ? `it happens on ${date}` : `this applies: ${c.label}`, terms: [] };
}
