/**
 * Test cases written outside the studio, read from their files: a promptfoo
 * suite (YAML, `tests:` with `vars` and `assert`), JSON Lines (one case a
 * line: messages, what the answer must do, optional reference answers
 * labelled good or bad) or CSV (a header row, then one case a row). Every
 * problem is collected with its line; the caller decides what to do with
 * them (an import stops before anything is written).
 */

import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { LineCounter, isMap, isSeq, parseDocument } from 'yaml';
import type { Message } from '../../framers/templates.js';
import type { FileAssertion } from '../verdict.js';

export type CaseFileFormat = 'promptfoo' | 'jsonl' | 'csv';

/** A reference answer given with a case, and how its authors judged it. */
export interface GivenAnswer {
  readonly text: string;
  readonly label?: 'good' | 'bad';
}

/** One test case as its file gives it, before it is tied to the policy. */
export interface SourceCase {
  /** The line the case starts on. */
  readonly line: number;
  /** The case's own name or id in its file, when it has one. */
  readonly name?: string;
  readonly messages: readonly Message[];
  /** What the answer must do: refuse, help, warn, ask, channel:<name>, cite:<section number>. */
  readonly expected: readonly string[];
  /** Rule IRIs the file names. */
  readonly rules: readonly string[];
  readonly answers: readonly GivenAnswer[];
  /** The file's own assertions kept with the case (promptfoo regex, not-regex, icontains, llm-rubric). */
  readonly assertions?: readonly FileAssertion[];
  /** Assertions of a type the studio does not grade: listed at import, not kept. */
  readonly ungraded?: readonly { readonly line: number; readonly type: string }[];
}

export interface CaseProblem {
  readonly line: number;
  readonly detail: string;
}

/** What the answer may be asked to do, as files write it. */
export const EXPECTED_WORDS = ['refuse', 'help', 'warn', 'ask', 'channel:<name>', 'cite:<section number>'] as const;
const SYNONYMS: Record<string, string> = { refuse: 'refuse', refusal: 'refuse', decline: 'refuse', help: 'help', comply: 'help', answer: 'help', warn: 'warn', ask: 'ask' };
const IRI = /^[a-z][a-z0-9+.-]*:[^\s<>"{}|\\^`]+$/i;

/** The format a file's extension says, or undefined. */
export function caseFileFormat(file: string): CaseFileFormat | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'promptfoo';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.csv') return 'csv';
  return undefined;
}

/** The cases of a file's text, and every problem found, each with its line. */
export function parseCaseFile(text: string, format: CaseFileFormat): { cases: SourceCase[]; problems: CaseProblem[] } {
  const problems: CaseProblem[] = [];
  const cases = format === 'promptfoo' ? promptfooCases(text, problems) : format === 'jsonl' ? jsonlCases(text, problems) : csvCases(text, problems);
  return { cases, problems: problems.sort((a, b) => a.line - b.line) };
}

/** An expectation word normalised (refusal → refuse, channel: X kept with its name), or undefined when it is not one. */
export function expectedWord(word: string): string | undefined {
  const trimmed = word.trim();
  const m = /^(channel|cite)\s*:\s*(.+)$/i.exec(trimmed);
  if (m) return `${m[1]!.toLowerCase()}:${m[2]!.trim()}`;
  return SYNONYMS[trimmed.toLowerCase()];
}

function expectedList(value: unknown, line: number, problems: CaseProblem[], field = 'expected'): string[] {
  const words = typeof value === 'string' ? value.split(/\s*[;|]\s*/) : Array.isArray(value) ? value : undefined;
  if (!words || words.some((w) => typeof w !== 'string')) {
    problems.push({ line, detail: `'${field}' must be a word or a list of words: ${EXPECTED_WORDS.join(', ')}` });
    return [];
  }
  const out: string[] = [];
  const before = problems.length;
  for (const w of words as string[]) {
    if (w.trim() === '') continue;
    const word = expectedWord(w);
    if (word) out.push(word);
    else problems.push({ line, detail: `unknown expected behaviour ${JSON.stringify(w)}; write ${EXPECTED_WORDS.join(', ')}` });
  }
  if (out.length === 0 && problems.length === before) problems.push({ line, detail: `'${field}' is empty; say what the answer must do (${EXPECTED_WORDS.join(', ')})` });
  return out;
}

function ruleList(value: unknown, line: number, problems: CaseProblem[]): string[] {
  if (value === undefined || value === null || value === '') return [];
  const rules = typeof value === 'string' ? value.split(/[\s;,]+/).filter(Boolean) : Array.isArray(value) ? value : undefined;
  if (!rules || rules.some((r) => typeof r !== 'string')) {
    problems.push({ line, detail: "'rules' must be a list of rule IRIs" });
    return [];
  }
  const bad = (rules as string[]).filter((r) => !IRI.test(r));
  for (const r of bad) problems.push({ line, detail: `rule ${JSON.stringify(r)} is not an absolute IRI (such as https://example.org/policy#rule-1)` });
  return bad.length ? [] : (rules as string[]);
}

/** Turns a case may have: a developer turn (the instructions of the app's developer, below the system's) is kept and sent in order. */
const ROLES = new Set(['system', 'developer', 'user', 'assistant']);

function messageList(value: unknown, line: number, problems: CaseProblem[]): Message[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push({ line, detail: "'messages' must be a non-empty list of {\"role\", \"content\"} turns" });
    return [];
  }
  const out: Message[] = [];
  value.forEach((m: any, i) => {
    if (typeof m !== 'object' || m === null || !ROLES.has(m.role) || typeof m.content !== 'string' || m.content.trim() === '') {
      problems.push({ line, detail: `messages[${i}] must be {"role": "system" | "developer" | "user" | "assistant", "content": non-empty text}` });
    } else out.push({ role: m.role, content: m.content });
  });
  if (out.length === value.length && out.at(-1)!.role !== 'user') problems.push({ line, detail: "the last message must be the user's (the turn the model answers)" });
  return out;
}

function answerList(value: unknown, line: number, problems: CaseProblem[]): GivenAnswer[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push({ line, detail: "'answers' must be a list of {\"text\", \"label\": \"good\" | \"bad\"}" });
    return [];
  }
  const out: GivenAnswer[] = [];
  value.forEach((a: any, i) => {
    const label = typeof a?.label === 'string' ? a.label.trim().toLowerCase() : a?.label;
    if (typeof a !== 'object' || a === null || typeof a.text !== 'string' || a.text.trim() === '') problems.push({ line, detail: `answers[${i}].text must be the answer's text` });
    else if (label !== undefined && label !== 'good' && label !== 'bad') problems.push({ line, detail: `answers[${i}].label must be "good" or "bad", not ${JSON.stringify(a.label)}` });
    else out.push({ text: a.text, ...(label ? { label } : {}) });
  });
  return out;
}

// ---- JSON Lines ----

const JSONL_FIELDS = ['id', 'messages', 'prompt', 'system', 'developer', 'expected', 'rules', 'answers', 'description'];

function jsonlCases(text: string, problems: CaseProblem[]): SourceCase[] {
  const cases: SourceCase[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((source, i) => {
    const line = i + 1;
    if (source.trim() === '') return;
    let row: any;
    try {
      row = JSON.parse(source);
    } catch (error) {
      problems.push({ line, detail: `not valid JSON (${(error as Error).message})` });
      return;
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      problems.push({ line, detail: 'expected a JSON object with messages (or prompt) and expected' });
      return;
    }
    const before = problems.length;
    for (const key of Object.keys(row)) if (!JSONL_FIELDS.includes(key)) problems.push({ line, detail: `unknown field '${key}'; fields are ${JSONL_FIELDS.join(', ')}` });
    let messages: Message[] = [];
    if (row.messages !== undefined) messages = messageList(row.messages, line, problems);
    else if (typeof row.prompt === 'string' && row.prompt.trim() !== '') {
      messages = [
        ...(typeof row.system === 'string' && row.system.trim() ? [{ role: 'system' as const, content: row.system }] : []),
        ...(typeof row.developer === 'string' && row.developer.trim() ? [{ role: 'developer' as const, content: row.developer }] : []),
        { role: 'user', content: row.prompt },
      ];
    } else problems.push({ line, detail: "missing 'messages' (or 'prompt'): the conversation the model answers" });
    if (row.expected === undefined) problems.push({ line, detail: `missing 'expected': what the answer must do (${EXPECTED_WORDS.join(', ')})` });
    const expected = row.expected === undefined ? [] : expectedList(row.expected, line, problems);
    const rules = ruleList(row.rules, line, problems);
    const answers = answerList(row.answers, line, problems);
    if (row.id !== undefined && typeof row.id !== 'string') problems.push({ line, detail: "'id' must be a string" });
    if (problems.length > before) return;
    cases.push({ line, ...(typeof row.id === 'string' ? { name: row.id } : {}), messages, expected, rules, answers });
  });
  return cases;
}

// ---- CSV ----

const CSV_COLUMNS = ['id', 'system', 'developer', 'user', 'expected', 'rules', 'answer', 'label', 'description'];

function csvCases(text: string, problems: CaseProblem[]): SourceCase[] {
  let records: { record: string[]; raw: string; info: { lines: number } }[];
  try {
    records = parseCsv(text, { bom: true, info: true, raw: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as unknown as typeof records;
  } catch (error) {
    const e = error as Error & { lines?: number };
    problems.push({ line: e.lines ?? 0, detail: `not valid CSV (${e.message.replace(/\s*at line \d+\b/, '').replace(/\s+on line \d+$/, '')})` });
    return [];
  }
  const [header, ...body] = records;
  if (!header) {
    problems.push({ line: 0, detail: `empty; the first row names the columns (${CSV_COLUMNS.join(', ')})` });
    return [];
  }
  const columns = header.record.map((c) => c.trim().toLowerCase());
  const unknown = columns.filter((c) => !CSV_COLUMNS.includes(c));
  if (unknown.length > 0) problems.push({ line: 1, detail: `unknown column(s) ${unknown.map((c) => `'${c}'`).join(', ')}; columns are ${CSV_COLUMNS.join(', ')}` });
  const missing = ['user', 'expected'].filter((c) => !columns.includes(c));
  if (missing.length > 0) problems.push({ line: 1, detail: `no ${missing.map((c) => `'${c}'`).join(', ')} column; the header must name user and expected` });
  if (unknown.length > 0 || missing.length > 0) return [];
  const cases: SourceCase[] = [];
  for (const { record, raw, info } of body) {
    // A quoted field may span lines: the row starts where its text does.
    const inside = raw.replace(/^(?:\r?\n)+/, '').replace(/\r?\n$/, '');
    const line = info.lines - (inside.match(/\n/g)?.length ?? 0);
    if (record.length !== columns.length) {
      problems.push({ line, detail: `${record.length} field(s), but the header names ${columns.length}` });
      continue;
    }
    const field = (name: string): string => record[columns.indexOf(name)] ?? '';
    const before = problems.length;
    if (field('user') === '') problems.push({ line, detail: "empty 'user': the question the model answers" });
    if (field('expected') === '') problems.push({ line, detail: `empty 'expected': what the answer must do (${EXPECTED_WORDS.join(', ')})` });
    const expected = field('expected') === '' ? [] : expectedList(field('expected'), line, problems);
    const rules = ruleList(field('rules'), line, problems);
    const label = field('label').toLowerCase();
    if (label !== '' && label !== 'good' && label !== 'bad') problems.push({ line, detail: `'label' must be good or bad, not ${JSON.stringify(field('label'))}` });
    if (label !== '' && field('answer') === '') problems.push({ line, detail: "a 'label' without an 'answer' to label" });
    if (problems.length > before) continue;
    const messages: Message[] = [
      ...(field('system') ? [{ role: 'system' as const, content: field('system') }] : []),
      ...(columns.includes('developer') && field('developer') ? [{ role: 'developer' as const, content: field('developer') }] : []),
      { role: 'user', content: field('user') },
    ];
    const answers: GivenAnswer[] = field('answer') ? [{ text: field('answer'), ...(label ? { label: label as 'good' | 'bad' } : {}) }] : [];
    cases.push({ line, ...(field('id') ? { name: field('id') } : {}), messages, expected, rules, answers });
  }
  return cases;
}

// ---- promptfoo YAML ----

/**
 * promptfoo assertion types this import understands: those that are one of
 * the policy's expectations (a refusal, help, a channel named), and those
 * kept as the file's own assertions and graded as promptfoo would (regex,
 * not-regex and icontains by the text, llm-rubric by the judge). An
 * icontains whose value names a channel of the policy becomes that channel's
 * expectation at import; any other is kept as an assertion.
 */
const ASSERTIONS: Record<string, (value: unknown) => string | undefined> = {
  'is-refusal': () => 'refuse',
  'not-is-refusal': () => 'help',
  contains: (v) => (typeof v === 'string' ? `channel:${v}` : undefined),
};
const KEPT: readonly FileAssertion['type'][] = ['regex', 'not-regex', 'icontains', 'llm-rubric'];
const GRADED_TYPES = [...Object.keys(ASSERTIONS), ...KEPT];

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function promptfooCases(text: string, problems: CaseProblem[]): SourceCase[] {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const lineAt = (offset: number | undefined) => (offset === undefined ? 0 : counter.linePos(offset).line);
  for (const error of doc.errors) problems.push({ line: error.linePos?.[0]?.line ?? lineAt(error.pos[0]), detail: `not valid YAML (${error.message.split('\n')[0]})` });
  if (doc.errors.length > 0) return [];
  const root = doc.contents;
  if (!isMap(root)) {
    problems.push({ line: 1, detail: 'expected a promptfoo configuration: a mapping with a `tests:` list' });
    return [];
  }
  const prompts = doc.toJS().prompts;
  const template = Array.isArray(prompts) && prompts.length === 1 && typeof prompts[0] === 'string' ? prompts[0] : typeof prompts === 'string' ? prompts : undefined;
  const tests = root.get('tests', true);
  if (!isSeq(tests)) {
    problems.push({ line: lineAt(root.range?.[0]) || 1, detail: 'no `tests:` list; a promptfoo suite lists its test cases under tests:' });
    return [];
  }
  const cases: SourceCase[] = [];
  for (const node of tests.items) {
    const line = lineAt((node as { range?: [number, number, number] }).range?.[0]);
    const test = (node as { toJSON?: () => unknown }).toJSON?.() as any;
    if (typeof test !== 'object' || test === null || Array.isArray(test)) {
      problems.push({ line, detail: 'a test must be a mapping with vars and assert' });
      continue;
    }
    const before = problems.length;
    const vars = test.vars ?? {};
    if (typeof vars !== 'object' || Array.isArray(vars)) problems.push({ line, detail: '`vars` must be a mapping' });
    for (const [k, v] of Object.entries(vars)) if (typeof v === 'string' && v.startsWith('file://')) problems.push({ line, detail: `vars.${k} loads ${v}; give the text itself (files are not followed)` });
    let messages: Message[] = [];
    if (vars.messages !== undefined) messages = messageList(vars.messages, line, problems);
    else if (template !== undefined && template.trim().startsWith('[')) {
      // A chat prompt (promptfoo's JSON list of turns): each var is put in as JSON text, then the turns are read in order.
      const filled = template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole: string, name: string) => (typeof vars[name] === 'string' ? JSON.stringify(vars[name]).slice(1, -1) : whole));
      const missing = [...filled.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]);
      let turns: unknown;
      try {
        turns = JSON.parse(filled);
      } catch (error) {
        problems.push({ line, detail: `the chat prompt under prompts: is not a JSON list of {"role", "content"} turns (${(error as Error).message})` });
      }
      if (missing.length > 0) problems.push({ line, detail: `the prompt template needs ${missing.join(', ')}, which this test's vars do not give` });
      else if (turns !== undefined) messages = messageList(turns, line, problems);
    } else {
      const textVars = Object.entries(vars).filter(([k, v]) => typeof v === 'string' && k !== 'system' && k !== 'developer' && k !== 'rules');
      let user: string | undefined;
      if (template) user = template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_: string, name: string) => (typeof vars[name] === 'string' ? vars[name] : `{{${name}}}`));
      else if (textVars.length === 1) user = textVars[0]![1] as string;
      if (user === undefined) problems.push({ line, detail: `cannot tell the user's turn: give one prompt template under prompts:, or one text var (this test has ${textVars.length})` });
      else if (/\{\{\s*\w+\s*\}\}/.test(user)) problems.push({ line, detail: `the prompt template needs ${[...user.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).join(', ')}, which this test's vars do not give` });
      else {
        messages = [
          ...(typeof vars.system === 'string' ? [{ role: 'system' as const, content: vars.system }] : []),
          ...(typeof vars.developer === 'string' ? [{ role: 'developer' as const, content: vars.developer }] : []),
          { role: 'user', content: user },
        ];
      }
    }
    const expected: string[] = [];
    const assertions: FileAssertion[] = [];
    const ungraded: { line: number; type: string }[] = [];
    const asserts = test.assert;
    const assertNodes = isMap(node) && isSeq(node.get('assert', true)) ? (node.get('assert', true) as unknown as { items: { range?: [number, number, number] }[] }).items : [];
    if (!Array.isArray(asserts) || asserts.length === 0) problems.push({ line, detail: `no assert: say what the answer must do (${GRADED_TYPES.join(', ')})` });
    else {
      asserts.forEach((a: any, i: number) => {
        const at = lineAt(assertNodes[i]?.range?.[0]) || line;
        const type = a?.type;
        if (KEPT.includes(type)) {
          if (typeof a.value !== 'string' || a.value.trim() === '') problems.push({ line: at, detail: `assert[${i}] ${type} needs a text value (${type === 'llm-rubric' ? 'the criterion the judge applies' : type === 'icontains' ? 'the text to look for' : 'the pattern'})` });
          else if ((type === 'regex' || type === 'not-regex') && !compiles(a.value)) problems.push({ line: at, detail: `assert[${i}] ${type} /${a.value}/ is not a valid JavaScript regular expression` });
          else assertions.push({ type, value: a.value, line: at });
          return;
        }
        const map = ASSERTIONS[type];
        const word = map?.(a?.value);
        if (!map) ungraded.push({ line: at, type: String(type) });
        else if (!word) problems.push({ line: at, detail: `assert[${i}] ${type} needs a text value (the channel's name)` });
        else expected.push(word);
      });
      if (expected.length === 0 && assertions.length === 0 && ungraded.length > 0) {
        problems.push({ line, detail: `no assert the studio grades (${ungraded.map((u) => u.type).join(', ')}); use ${GRADED_TYPES.join(', ')}` });
      }
    }
    const metadata = test.metadata ?? {};
    const rules = ruleList(metadata.rules ?? vars.rules, line, problems);
    if (problems.length > before) continue;
    cases.push({
      line,
      ...(typeof test.description === 'string' ? { name: test.description } : {}),
      messages,
      expected,
      rules,
      answers: [],
      ...(assertions.length > 0 ? { assertions } : {}),
      ...(ungraded.length > 0 ? { ungraded } : {}),
    });
  }
  return cases;
}
