/** Amounts and thresholds with units: "more than $25", "50 USD or less", "at least 30 days", "up to 1 percent". */

export type Bound = 'minInclusive' | 'minExclusive' | 'maxInclusive' | 'maxExclusive';

export interface QuantityMatch {
  readonly value: number;
  readonly unit: string;
  /** The bound the wording sets, when it sets one ("more than" is minExclusive); absent for a bare amount. */
  readonly bound?: Bound;
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const UNITS: Record<string, string> = {
  $: 'USD', usd: 'USD', dollars: 'USD', dollar: 'USD', eur: 'EUR', euros: 'EUR', '€': 'EUR', gbp: 'GBP', '£': 'GBP', pounds: 'GBP',
  percent: 'percent', '%': 'percent', 'per cent': 'percent',
  day: 'day', days: 'day', 'calendar days': 'day', 'business days': 'business day', month: 'month', months: 'month', year: 'year', years: 'year',
  hour: 'hour', hours: 'hour', minute: 'minute', minutes: 'minute', second: 'second', seconds: 'second',
};

const NUMBER = String.raw`(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?`;
const AMOUNT = new RegExp(
  String.raw`([$€£])\s?${NUMBER}|${NUMBER}\s?(%|percent|per cent|USD|EUR|GBP|dollars?|euros|pounds|calendar days|business days|days?|months?|years?|hours?|minutes?|seconds?)\b`,
  'gi',
);

const BEFORE: readonly [RegExp, Bound][] = [
  [/\b(?:more\s+than|over|above|exceeds?|exceeding|in\s+excess\s+of|greater\s+than)\s+$/i, 'minExclusive'],
  [/\b(?:not\s+(?:more|greater)\s+than|no\s+(?:more|greater)\s+than|up\s+to|at\s+most|not\s+(?:to\s+)?exceed(?:ing)?|within|maximum\s+of)\s+$/i, 'maxInclusive'],
  [/\b(?:less\s+than|under|below|fewer\s+than)\s+$/i, 'maxExclusive'],
  [/\b(?:at\s+least|not\s+less\s+than|no\s+less\s+than|no\s+fewer\s+than|minimum\s+of)\s+$/i, 'minInclusive'],
];
const AFTER: readonly [RegExp, Bound][] = [
  [/^\)?\s*(?:or\s+less|or\s+fewer|or\s+below)\b/i, 'maxInclusive'],
  [/^\)?\s*(?:or\s+more|or\s+over|or\s+above)\b/i, 'minInclusive'],
];

/** Every amount with a unit in a text, with the bound its wording sets. */
export function quantities(text: string): QuantityMatch[] {
  const found: QuantityMatch[] = [];
  for (const m of text.matchAll(AMOUNT)) {
    const [whole, symbol, intA, fracA, intB, fracB, word] = m;
    const digits = (intA ?? intB)!.replace(/,/g, '');
    const fraction = fracA ?? fracB;
    const value = Number(fraction ? `${digits}.${fraction}` : digits);
    const unit = UNITS[(symbol ?? word)!.toLowerCase()] ?? (symbol ?? word)!;
    const before = text.slice(Math.max(0, m.index - 30), m.index);
    const after = text.slice(m.index + whole.length, m.index + whole.length + 20);
    const bound = BEFORE.find(([p]) => p.test(before))?.[1] ?? AFTER.find(([p]) => p.test(after))?.[1];
    found.push({ value, unit, bound, text: whole, start: m.index, end: m.index + whole.length });
  }
  return found;
}
