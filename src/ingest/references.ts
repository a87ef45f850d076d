/** Cross-references: "paragraph (a) of this section", "§ 310.4(b)(1)", "section 2.3", "Chapter 7". */

import type { DocumentSection } from './structure.js';

export interface Reference {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** The number referred to, as the document numbers its sections ("310.4(a)", "2.3"). */
  readonly number: string;
  /** The section found with that number, if any. */
  readonly target?: DocumentSection;
}

const MARKERS = String.raw`(?:\([a-zA-Z0-9]{1,5}\))+`;
const PATTERNS: readonly RegExp[] = [
  new RegExp(String.raw`\bparagraphs?\s+(${MARKERS})\s+of\s+this\s+(section|part|rule)\b`, 'gi'),
  new RegExp(String.raw`§+\s*(\d+(?:\.\d+)*(?:${MARKERS})?)`, 'g'),
  new RegExp(String.raw`\b(?:section|chapter|part|article)\s+(\d+(?:\.\d+)*(?:${MARKERS})?)`, 'gi'),
  new RegExp(String.raw`\bparagraphs?\s+(${MARKERS})(?!\s+of\s+this)`, 'gi'),
];

/** The heading that "this section" means, from where the text stands. */
function enclosingHeading(section: DocumentSection | undefined): DocumentSection | undefined {
  let s = section;
  while (s && !s.heading) s = s.parent;
  return s;
}

/** The references of a text written in the given section, resolved against the document's sections by number. */
export function references(text: string, from: DocumentSection | undefined, sections: readonly DocumentSection[]): Reference[] {
  const byNumber = new Map<string, DocumentSection>();
  for (const s of sections) if (s.number && !byNumber.has(s.number)) byNumber.set(s.number, s);
  const found: Reference[] = [];
  PATTERNS.forEach((pattern, index) => {
    for (const m of text.matchAll(pattern)) {
      if (found.some((f) => m.index < f.end && f.start < m.index + m[0].length)) continue;
      const heading = enclosingHeading(from);
      const relative = index === 0 || index === 3;
      // "paragraph (b) of this part" is read from the section it stands in, as "of this section" is.
      const number = relative ? `${heading?.number ?? ''}${m[1]}` : m[1]!;
      found.push({ text: m[0], start: m.index, end: m.index + m[0].length, number, target: byNumber.get(number) });
    }
  });
  return found.sort((a, b) => a.start - b.start);
}
