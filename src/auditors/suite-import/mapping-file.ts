/**
 * The mapping file: which rules each test case of an imported file tests,
 * for the cases the file does not say it of. The import writes it with its
 * suggestions; the user edits it and passes it back with --mapping. It names
 * the file's SHA-256, so a mapping of an older version of the file is
 * refused, and each case by its line and the start of its user turn.
 */

import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isSeq, parseDocument } from 'yaml';
import type { SourceCase } from './case-files.js';
import type { Suggestion } from './rule-suggestions.js';

export interface MappingProblem {
  readonly file: string;
  readonly line: number;
  readonly detail: string;
}

/** The start of a case's last user turn, as the mapping file shows it. */
export function caseText(c: SourceCase): string {
  const text = c.messages.filter((m) => m.role === 'user').at(-1)?.content.replace(/\s+/g, ' ').trim() ?? '';
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** The text of a mapping file for the cases given, with their suggestions. */
export function mappingText(source: string, sha256: string, cases: readonly { case: SourceCase; suggestion: Suggestion }[]): string {
  const q = (s: string) => JSON.stringify(s);
  const out = [
    `# Rules for the test cases of ${source} that do not name their rules.`,
    '# Check each case\'s rules (IRIs of rules in the policy); leave the list empty when no rule covers the case',
    '# (it is then listed as uncovered, not imported). Then run:',
    `#   studio suite import ${source} --mapping <this file>`,
    `source: ${q(source)}`,
    `sha256: ${q(sha256)}`,
    'cases:',
  ];
  for (const { case: c, suggestion } of cases) {
    out.push(`  - line: ${c.line}`, `    text: ${q(caseText(c))}`);
    out.push(suggestion.because.length ? `    # suggested because it mentions ${suggestion.because.map(q).join(', ')}` : '    # no rule suggested: it mentions no action, asset or role of the policy');
    out.push(suggestion.rules.length ? '    rules:' : '    rules: []');
    for (const r of suggestion.rules) out.push(`      - ${q(r)}`);
  }
  return out.join('\n') + '\n';
}

/**
 * The rules of each case (by line) that a mapping file gives; problems for
 * a mapping of another version of the file, a case it lacks or does not
 * match, and a rule the policy does not have.
 */
export async function readMapping(
  file: string,
  sha256: string,
  cases: readonly SourceCase[],
  isRule: (iri: string) => boolean,
): Promise<{ rules: Map<number, string[]>; problems: MappingProblem[] }> {
  const problems: MappingProblem[] = [];
  const rules = new Map<number, string[]>();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { rules, problems: [{ file, line: 0, detail: `cannot be read (${(error as Error).message})` }] };
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const lineAt = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    return range ? counter.linePos(range[0]).line : 0;
  };
  for (const error of doc.errors) problems.push({ file, line: error.linePos?.[0]?.line ?? 0, detail: `not valid YAML (${error.message.split('\n')[0]})` });
  if (doc.errors.length > 0) return { rules, problems };
  const root = doc.contents;
  if (!isMap(root) || !isSeq(root.get('cases', true))) return { rules, problems: [{ file, line: 1, detail: 'expected the mapping `studio suite import` writes: sha256 and a cases: list' }] };
  const written: unknown = (root.toJSON() as { sha256?: unknown }).sha256;
  if (written !== sha256) problems.push({ file, line: lineAt(root.get('sha256', true)) || 1, detail: `was written for another version of the file (sha256 ${String(written).slice(0, 12)}…, the file now has ${sha256.slice(0, 12)}…); import without --mapping to write a new one` });
  const byLine = new Map(cases.map((c) => [c.line, c]));
  for (const node of (root.get('cases', true) as unknown as { items: unknown[] }).items) {
    const line = lineAt(node);
    const entry = (node as { toJSON?: () => unknown }).toJSON?.() as any;
    const c = typeof entry?.line === 'number' ? byLine.get(entry.line) : undefined;
    if (!c) {
      problems.push({ file, line, detail: `line ${JSON.stringify(entry?.line)} is not a case of the file that lacks its rules` });
      continue;
    }
    if (typeof entry.text === 'string' && entry.text !== caseText(c)) problems.push({ file, line, detail: `line ${c.line} of the file now reads ${JSON.stringify(caseText(c))}, not ${JSON.stringify(entry.text)}` });
    if (!Array.isArray(entry.rules) || entry.rules.some((r: unknown) => typeof r !== 'string')) {
      problems.push({ file, line, detail: 'rules must be a list of rule IRIs (empty when no rule covers the case)' });
      continue;
    }
    const unknown = (entry.rules as string[]).filter((r) => !isRule(r));
    for (const r of unknown) problems.push({ file, line, detail: `${r} is not a rule of the policy` });
    if (rules.has(c.line)) problems.push({ file, line, detail: `line ${c.line} is mapped twice` });
    rules.set(c.line, entry.rules as string[]);
  }
  for (const c of cases) if (!rules.has(c.line)) problems.push({ file, line: 0, detail: `has no entry for the case on line ${c.line} (${JSON.stringify(caseText(c))})` });
  return { rules, problems };
}
