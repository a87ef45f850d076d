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

/**
 * The 1-based line, at or after a subject's line and before the next statement's subject, where the
 * predicate is written (as a prefixed name, a full IRI, or "a" for rdf:type); undefined when not found.
 */
export function propertyLine(text: string, subjectLine: number, predicate: string, prefixes: Record<string, string>): number | undefined {
  const forms = [`<${predicate}>`];
  for (const [name, namespace] of Object.entries(prefixes)) {
    if (predicate.startsWith(namespace)) forms.push(`${name}:${predicate.slice(namespace.length)}`);
  }
  if (predicate === 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type') forms.push('a');
  const escaped = forms.map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`(?:^|[\\s;\\[])(?:${escaped.join('|')})(?=[\\s<"\\[(_:])`);
  const rows = text.split('\n');
  for (let index = subjectLine - 1; index < rows.length; index++) {
    const row = rows[index]!;
    if (index > subjectLine - 1 && SUBJECT.test(row)) return undefined;
    // The subject itself is not the predicate: search after it on the subject's own line.
    const searched = index === subjectLine - 1 ? row.replace(SUBJECT, '') : row;
    if (pattern.test(searched.replace(/(^|\s)#.*$/, ''))) return index + 1;
  }
  return undefined;
}
