/** Definitions: "Gift means ...", "The term 'seller' means ...", "(bb) Telemarketing means ...". */

export interface DefinitionMatch {
  /** The defined term as written. */
  readonly term: string;
  /** The cue ("means", "shall mean", "is defined as"), with offsets in the text examined. */
  readonly cue: { text: string; start: number; end: number };
}

/** A scope before the term: "For purposes of this subpart,", "Subject to paragraph (a) of this section,", "As used in this part,". */
const SCOPE = String.raw`(?:(?:for\s+(?:the\s+)?purposes\s+of|subject\s+to|as\s+used\s+in)\s+[^,;]{1,80},\s*)?`;
const TERM = String.raw`["“'‘]?([A-Za-z][A-Za-z0-9 '’\-/]{0,80}?)["”'’]?,?\s+(?:\([^)]{0,40}\)\s+)?(?:for\s+(?:the\s+)?purposes\s+of\s+[^,;]{1,60},\s+)?`;
const DEFINITION = new RegExp(
  String.raw`^\s*(?:\([a-z]{1,4}\)\s*)?` + SCOPE + String.raw`(?:the\s+terms?\s+)?` + TERM +
    String.raw`(means|shall\s+mean|is\s+defined\s+as|refers\s+to|ha(?:s|ve)\s+the\s+meaning|includes)\b`,
  'i',
);

/** Deeming: the text says how a thing counts rather than what anyone must do ("is deemed to be", "will not be deemed", "does not constitute"). */
const DEEMING = /\b(?:is|are|will\s+(?:not\s+)?be|shall\s+(?:not\s+)?be)\s+(?:deemed|considered)\s+to\b|\b(?:does|do|will)\s+not\s+constitute\b/i;

/** The definition a sentence makes, if it opens with a term and "means". */
export function definitionOf(sentence: string): DefinitionMatch | undefined {
  const m = DEFINITION.exec(sentence);
  if (!m) return undefined;
  const term = m[1]!.trim();
  // "This chapter means ..." or "It means ..." are not definitions of a term.
  // "A gift which is solicited or accepted indirectly includes a gift": a term may be a phrase, but "includes" after a long subject is a sentence.
  const most = /^includes$/i.test(m[2]!) ? 8 : 6;
  if (/^(?:this|that|it|which|what|the\s+\w+\s+of)\b/i.test(term) || term.split(/\s+/).length > most) return undefined;
  const start = m.index + m[0].length - m[2]!.length;
  return { term: term.replace(/^the\s+/i, ''), cue: { text: m[2]!, start, end: start + m[2]!.length } };
}

/** A deeming sentence ("The market value of a ticket is deemed to be its face value"): what counts as what, a definition of its subject. */
export function deemingOf(sentence: string): DefinitionMatch | undefined {
  const m = DEEMING.exec(sentence);
  if (!m) return undefined;
  const subject = sentence.slice(0, m.index).replace(new RegExp(String.raw`^\s*(?:\([a-z]{1,4}\)\s*)?` + SCOPE, 'i'), '').trim();
  if (subject === '') return undefined;
  const words = subject.split(/\s+/);
  return { term: words.length > 8 ? `${words.slice(0, 8).join(' ')} ...` : subject, cue: { text: m[0], start: m.index, end: m.index + m[0].length } };
}
