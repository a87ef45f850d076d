/**
 * Modality from deontic language: "shall", "must" (obligation), "shall not",
 * "may not", "is prohibited", "never" (prohibition), "may", "is permitted to"
 * (permission), "should", "is encouraged to" (recommendation); and a sentence
 * that opens with a verb ("Declare any conflict.") as an obligation.
 */

import nlp from 'compromise';

export type Modality = 'Obligation' | 'Prohibition' | 'Permission' | 'Recommendation';

/** A word or phrase of the text that decided something, with its offsets in the text examined. */
export interface Cue {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** Cues by modality; the phrases that contain a shorter cue of another modality come first ("may not" before "may"). */
const CUES: readonly { modality: Modality; pattern: RegExp }[] = [
  // "is never inappropriate and frequently prudent": advice, whatever words of other modalities it holds.
  { modality: 'Recommendation', pattern: /\b(?:is|are)\s+(?:[\w ]{0,40}?\s)?prudent\b/gi },
  { modality: 'Prohibition', pattern: /\b(?:shall|must|may|will|should)\s+(?:not|never)\b(?!\s+be\s+(?:required|necessary|applicable))|\bcannot\b|\b(?:is|are)\s+(?:strictly\s+)?(?:prohibited|forbidden|not\s+(?:permitted|allowed))\b|\bno\s+(?:[\w,'’-]+\s+){0,8}?(?:shall|may|must|can)\b|\b(?:is|are)\s+not\s+to\s+be\b|\bnever\b|\b(?:do\s+not|don't)\b(?=\s+\w)|\b(?:a\s+violation\s+of\s+this\s+(?:rule|part|section)|(?:an?\s+)?(?:abusive|deceptive)\s+telemarketing\s+act\s+or\s+practice)\b/gi },
  { modality: 'Permission', pattern: /\bnothing\s+in\b[^.;]{0,80}?\b(?:prevents?|prohibits?|restricts?)\b|\bneeds?\s+(?:not|no)\b|\b(?:is|are)\s+(?:permitted|allowed|free)\s+to\b|\b(?:is|are)\s+(?:allowed|permitted)\b|\bmay\b|\b(?:is|are)\s+welcome\s+to\b/gi },
  { modality: 'Recommendation', pattern: /\bshould\b|\b(?:is|are)\s+(?:strongly\s+)?encouraged\s+to\b|\bought\s+to\b|\b(?:is|are)\s+recommended\b/gi },
  { modality: 'Obligation', pattern: /\bshall\b|\bmust\b|\b(?:is|are)\s+required\s+to\b|\b(?:has|have)\s+to\b|\bis\s+responsible\s+for\b|\b(?:has|have)\s+an?\s+(?:\w+\s+)?(?:responsibility|duty|obligation)\s+to\b|(?<=^\W*)always\b|\b(?:needs?|requires?)\s+(?:[\w'’-]+\s+){0,3}?(?:approval|pre-clearance|clearance|consent|authori[sz]ation|permission)\b/gi },
];

/**
 * Modal verbs that state no rule: how the text is read or when it applies ("shall not be construed", "shall
 * apply", "takes effect"); a modal in a relative clause, which says who is meant ("an employee who may take an
 * active part ..."), in an embedded question ("whether the employee should decline") or a concession ("even
 * though acceptance may be permitted"); and "may" of possibility ("interests that may be affected", "may appear to be").
 */
const NEUTRAL = new RegExp([
  /\b(?:shall|will|may|must)\s+(?:not\s+)?(?:be\s+(?:construed|deemed|interpreted|considered|cited)|apply|take\s+effect|become\s+effective)\b/.source,
  /\b(?:that|which|who|whom)\b(?:,[^;]{1,120}?,)?\s+(?:may|must|shall|cannot|can)(?:\s+not)?\b/.source,
  /\bwhether\b[^,;]{0,60}?\b(?:should|may|must|shall|can)(?:\s+not)?\b/.source,
  /\b(?:even\s+though|although|though)\b[^,;]{0,80}?\b(?:may|must|shall|should)(?:\s+not)?\b/.source,
  /\bmay\s+(?:also\s+)?(?:appear|be,|(?:be\s+)?(?:\w+ly\s+)?(?:affected|influenced))/.source,
].join('|'), 'gi');

/** Every deontic cue of a text, with its modality, in text order (overlapping weaker cues dropped). */
export function deonticCues(text: string): (Cue & { modality: Modality })[] {
  const neutral = [...text.matchAll(NEUTRAL)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  const found: (Cue & { modality: Modality })[] = [];
  for (const { modality, pattern } of CUES) {
    for (const m of text.matchAll(pattern)) {
      const start = m.index;
      const end = start + m[0].length;
      if ([...found, ...neutral].some((f) => start < f.end && f.start < end)) continue;
      found.push({ text: m[0], start, end, modality });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** A leading adverbial clause or phrase up to its comma: "If ...,", "When ...,", "Until ...,", "Above that amount,". */
const LEADING_CLAUSE = /^\s*(?:subject\s+to|if|when|whenever|until|unless|where|once|before|after|while|as\s+soon\s+as|above|below|during|in|on|for|within|outside|inside)\b[^,;]{1,120},\s*/i;

/** Whether the sentence is an order in the imperative ("Declare any conflict ..."), read by compromise. */
export function isImperative(sentence: string): boolean {
  const words = sentence.replace(/^[^A-Za-z]+/, '');
  // A lone word is a heading ("Overview."); "Subject to ..." opens a condition; "Travel, subsistence, ..." a list of nouns.
  if (!/^[A-Za-z'’-]+\s+\w/.test(words) || /^subject\s+to\b/i.test(words)) return false;
  const first = nlp(words).terms().json()[0] as { terms: { tags: string[] }[] } | undefined;
  const tags = first?.terms[0]?.tags ?? [];
  return tags.includes('Verb') && (tags.includes('Infinitive') || tags.includes('Imperative'));
}

/**
 * The modality of a clause: the first cue outside the spans given (the exception
 * clauses, whose "may" or "must" belongs to the condition, not the rule), else
 * an imperative opening.
 */
export function modalityOf(clause: string, ignore: readonly { start: number; end: number }[] = [], orders = true): { modality: Modality; cues: Cue[] } | undefined {
  const cues = deonticCues(clause).filter((c) => !ignore.some((s) => c.start >= s.start && c.end <= s.end));
  if (cues.length > 0) return { modality: cues[0]!.modality, cues: cues.filter((c) => c.modality === cues[0]!.modality).map(({ text, start, end }) => ({ text, start, end })) };
  const verb = orders ? imperativeCue(clause) : undefined;
  return verb ? { modality: 'Obligation', cues: [verb] } : undefined;
}

/** The verb an order opens with, directly or after a leading adverbial clause ("When you leave, return all documents"). */
export function imperativeCue(clause: string): Cue | undefined {
  const lead = LEADING_CLAUSE.exec(clause);
  for (const from of lead ? [0, lead[0].length] : [0]) {
    if (!isImperative(clause.slice(from))) continue;
    const verb = /^[^A-Za-z]*([A-Za-z]+)/.exec(clause.slice(from))!;
    const start = from + verb.index + verb[0].length - verb[1]!.length;
    return { text: verb[1]!, start, end: start + verb[1]!.length };
  }
  return undefined;
}
