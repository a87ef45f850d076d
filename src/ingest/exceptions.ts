/** Exception clauses: "except", "unless", "provided that", "does not apply to", "notwithstanding", and the text each one covers. */

import type { Cue } from './deontic.js';

export type ExceptionCueKind = 'exception' | 'notwithstanding' | 'inapplicability';

export interface ExceptionClause {
  readonly kind: ExceptionCueKind;
  readonly cue: Cue;
  /** The clause the cue opens, cue included, with offsets in the text examined. */
  readonly start: number;
  readonly end: number;
  /** What the exception is about: the clause after the cue, as written. */
  readonly condition: string;
}

const PATTERNS: readonly { kind: ExceptionCueKind; pattern: RegExp }[] = [
  { kind: 'inapplicability', pattern: /\b(?:does|do|shall|will)\s+not\s+apply\b|\b(?:is|are)\s+not\s+affected\b|\b(?:is|are)\s+(?:exempt(?:ed)?|excluded)\s+from\b|\bexempt(?:ed)?\s+from\b/gi },
  { kind: 'notwithstanding', pattern: /\bnotwithstanding\b/gi },
  { kind: 'exception', pattern: /\bexcept(?:\s+(?:that|as|when|where|for|if|to\s+the\s+extent))?\b|\bunless\b|\bprovided(?:,\s*however,)?\s+that\b|\bsave\s+(?:for|with|where|when)\b|\bbut\s+not\s+(?:while|when|where|if)\b|\bother\s+than(?=\s+(?:§|paragraph\b|section\b))/gi },
];

/** Every exception clause of a sentence or clause, in text order. */
export function exceptionClauses(text: string): ExceptionClause[] {
  const clauses: ExceptionClause[] = [];
  for (const { kind, pattern } of PATTERNS) {
    for (const m of text.matchAll(pattern)) {
      const cue = { text: m[0], start: m.index, end: m.index + m[0].length };
      if (clauses.some((c) => cue.start < c.cue.end && c.cue.start < cue.end)) continue;
      // "does not apply to X": the rest of the sentence says to what. Otherwise the clause runs to the next comma or semicolon.
      const rest = text.slice(cue.end);
      const stop = kind === 'inapplicability' ? rest.search(/[;]|\.\s*$/) : rest.search(/[,;]|\.\s*$|\(\w+\)\s/);
      const end = cue.end + (stop === -1 ? rest.length : stop);
      const condition = text.slice(cue.end, end).trim().replace(/^(?:to|for|with|that|as)\s+/i, '');
      clauses.push({ kind, cue, start: cue.start, end, condition });
    }
  }
  // "unless the item is excluded from the definition": an inapplicability inside an exception's condition is part of it.
  const inside = (c: ExceptionClause) => c.kind !== 'exception' && clauses.some((e) => e.kind === 'exception' && e.start < c.start && c.start < e.end);
  return clauses.filter((c) => !inside(c)).sort((a, b) => a.start - b.start);
}
