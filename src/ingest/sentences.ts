/** Sentences and clauses of a text, with their offsets: where atomic provisions are looked for. */

export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Words that end with a period without ending a sentence. */
const ABBREVIATIONS = new Set(
  ['e.g', 'i.e', 'etc', 'a.m', 'p.m', 'no', 'nos', 'mr', 'mrs', 'ms', 'dr', 'u.s', 'u.s.c', 'inc', 'ltd', 'co', 'corp', 'st', 'vs', 'cf', 'approx', 'fig', 'sec', 'secs', 'art', 'para', 'pp', 'p', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'plc', 'v'],
);

/** Splits text[start, end) into sentences: at ". " before a capital, a digit, "(" or "§", and at blank lines. */
export function sentences(text: string, start = 0, end = text.length): Span[] {
  const spans: Span[] = [];
  const boundary = /([.!?])["”’)]*\s+(?=["“(§A-Z0-9])|\n\s*\n/g;
  boundary.lastIndex = start;
  let from = start;
  for (let m = boundary.exec(text); m && m.index < end; m = boundary.exec(text)) {
    if (m[1] === '.') {
      const word = /([A-Za-z.]+)$/.exec(text.slice(Math.max(from, m.index - 12), m.index))?.[1]?.toLowerCase() ?? '';
      if (ABBREVIATIONS.has(word) || /^[a-z]$/i.test(word) || /^(?:[a-z]\.)+[a-z]$/i.test(word)) continue;
    }
    const stop = m[1] ? m.index + 1 : m.index;
    push(spans, text, from, Math.min(stop, end));
    from = m.index + m[0].length;
  }
  push(spans, text, from, end);
  return spans;
}

function push(spans: Span[], text: string, from: number, to: number): void {
  let s = from;
  let e = to;
  while (s < e && /\s/.test(text[s]!)) s++;
  while (e > s && /\s/.test(text[e - 1]!)) e--;
  if (e > s) spans.push({ start: s, end: e });
}

/**
 * Splits a sentence into clauses that may each state a provision: at semicolons, and
 * at a comma that opens an order of its own (", and never ...", ", but do not ...").
 */
export function clauses(text: string, sentence: Span): Span[] {
  const cuts: number[] = [];
  const body = text.slice(sentence.start, sentence.end);
  for (const m of body.matchAll(/;\s+|,\s+(?:and|but|or|nor)\s*,?\s+(?:[^,;]{1,40},\s+)?(?=(?:never|do\s+not|don't|always)\b)/gi)) {
    cuts.push(m.index, m.index + m[0].length);
  }
  const spans: Span[] = [];
  let from = 0;
  for (let i = 0; i < cuts.length; i += 2) {
    spans.push({ start: sentence.start + from, end: sentence.start + cuts[i]! });
    from = cuts[i + 1]!;
  }
  spans.push({ start: sentence.start + from, end: sentence.end });
  // A clause of two words or fewer ("; or") is a joint, not a provision: keep it with its neighbour.
  return spans.filter((s) => text.slice(s.start, s.end).trim().split(/\s+/).length > 2);
}
