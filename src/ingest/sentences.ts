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
 * Splits a sentence into clauses that each state a provision: at semicolons, at
 * ", and" / ", but" / ", or", and at a bare comma, keeping a cut only when the
 * text on both sides states a rule of its own (a deontic cue on the right, a
 * cue or an order on the left). "Never accept cash, never ask for a gift, and
 * do not ..." gives three clauses; "Small investments, up to 1 percent, need no
 * declaration" stays one.
 */
export function clauses(text: string, sentence: Span, hasCue: (clause: string) => boolean, statesRule: (clause: Span) => boolean): Span[] {
  const body = text.slice(sentence.start, sentence.end);
  const semicolons = new Set<number>();
  const cuts = [...body.matchAll(/;\s+|,\s+(?:and|but|or|nor)\s*,\s+[^,;]{1,40},\s+(?=(?:never|do\s+not|don't)\b)|,?\s+(?:and|but|or|nor)\s+(?=(?:never|do\s+not|don't)\b)|,\s+(?:(?:and|but|or|nor)\s+)?|\s+and\s+(?=(?:an?|the|each|every|any)\s+[\w-]+\s+(?:may|must|shall|should)\b)/gi)];
  const pieces: Span[] = [];
  let from = 0;
  for (const m of cuts) {
    pieces.push({ start: sentence.start + from, end: sentence.start + m.index });
    from = m.index + m[0].length;
    if (m[0].startsWith(';')) semicolons.add(sentence.start + from);
  }
  pieces.push({ start: sentence.start + from, end: sentence.end });
  const merged: Span[] = [];
  for (const piece of pieces) {
    const last = merged.at(-1);
    const pieceText = text.slice(piece.start, piece.end);
    const own = pieceText.trim().split(/\s+/).length > 2 && hasCue(pieceText);
    // A semicolon always separates clauses; a comma only when both sides state a rule.
    if (last && !semicolons.has(piece.start) && !(own && statesRule(last))) merged[merged.length - 1] = { start: last.start, end: piece.end };
    else merged.push(piece);
  }
  return merged;
}
