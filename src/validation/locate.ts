/** Reads prefixes and subject positions from Turtle text, so messages can name a line. */

const PREFIX_LINE = /^\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>/i;
const SUBJECT = /^(?:<([^>\s]+)>|([A-Za-z][\w.-]*)?:([\w.%-]*[\w%-]|))(?=\s)/;

/** The prefixes a Turtle text declares, by name. */
export function declaredPrefixes(text: string): Record<string, string> {
  const prefixes: Record<string, string> = {};
  for (const row of text.split('\n')) {
    const match = PREFIX_LINE.exec(row);
    if (match) prefixes[match[1]!] = match[2]!;
  }
  return prefixes;
}

/** Maps IRIs to the 1-based line where they first start a statement (a subject at column 1). */
export function subjectLines(text: string): Map<string, number> {
  const prefixes = declaredPrefixes(text);
  const lines = new Map<string, number>();
  text.split('\n').forEach((row, index) => {
    const subject = SUBJECT.exec(row);
    if (!subject || PREFIX_LINE.test(row)) return;
    const namespace = subject[1] === undefined ? prefixes[subject[2] ?? ''] : undefined;
    const iri = subject[1] ?? (namespace === undefined ? undefined : namespace + subject[3]);
    if (iri !== undefined && !lines.has(iri)) lines.set(iri, index + 1);
  });
  return lines;
}
