/** Definitions: "Gift means ...", "The term 'seller' means ...", "(bb) Telemarketing means ...". */

export interface DefinitionMatch {
  /** The defined term as written. */
  readonly term: string;
  /** The cue ("means", "shall mean", "is defined as"), with offsets in the text examined. */
  readonly cue: { text: string; start: number; end: number };
}

const DEFINITION =
  /^\s*(?:\([a-z]{1,4}\)\s*)?(?:the\s+terms?\s+)?["“'‘]?([A-Za-z][A-Za-z0-9 '’\-/]{0,60}?)["”'’]?,?\s+(?:\([^)]{0,40}\)\s+)?(means|shall\s+mean|is\s+defined\s+as|refers\s+to)\b/i;

/** The definition a sentence makes, if it opens with a term and "means". */
export function definitionOf(sentence: string): DefinitionMatch | undefined {
  const m = DEFINITION.exec(sentence);
  if (!m) return undefined;
  const term = m[1]!.trim();
  // "This chapter means ..." or "It means ..." are not definitions of a term.
  if (/^(?:this|that|it|which|what|the\s+\w+\s+of)\b/i.test(term) || term.split(/\s+/).length > 6) return undefined;
  const start = m.index + m[0].length - m[2]!.length;
  return { term: term.replace(/^the\s+/i, ''), cue: { text: m[2]!, start, end: start + m[2]!.length } };
}
