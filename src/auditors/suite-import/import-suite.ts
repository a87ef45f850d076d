/**
 * Test cases from outside the studio, made into an evaluation suite of the
 * policy: each case tied to the rules it tests (named in its file, taken
 * from a mapping file, or suggested from the terms it mentions and accepted),
 * its expected behaviour made into expectations and checks, and written in
 * the format of eval.jsonl, so `studio audit run` runs it like a generated
 * suite. All or nothing: any problem in the file stops the import before
 * anything is written, and every problem is listed with its line.
 */

import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeDurably } from '../../store/data-folder.js';
import type { GraphStore } from '../../store/graph-store.js';
import { PolicyNotLoadedError, SuiteImportError, InvalidOptionError } from '../../errors.js';
import { readPolicyContext, type PolicyContext } from '../../framers/policy-context.js';
import { sha256 } from '../../framers/hierarchy.js';
import { GENERATED_NS } from '../../framers/item.js';
import type { Expectation } from '../../framers/expectations.js';
import { channelName, checksOf } from '../../framers/exports/checks.js';
import { caseFileFormat, parseCaseFile, type GivenAnswer, type SourceCase } from './case-files.js';
import type { FileAssertion } from '../verdict.js';
import { caseText, mappingText, readMapping } from './mapping-file.js';
import { readTermNames, suggestRules, type Suggestion } from './rule-suggestions.js';
import { IMPORTED_KIND, importedGraphIri, importQuads } from './to-rdf.js';

/** The family imported cases run under (`studio audit run --families imported`). */
export const IMPORTED_FAMILY = 'imported';

export interface SuiteImportOptions {
  readonly store: GraphStore;
  readonly file: string;
  /** The policy the cases test; may be left out when one policy is loaded. */
  readonly policy?: string;
  /** Where the suite goes; the answers and mapping files go beside it. */
  readonly out: string;
  /** Take the suggested rules of cases that name none. */
  readonly acceptSuggestions?: boolean;
  /** A mapping file the user edited: the rules of cases that name none. */
  readonly mapping?: string;
  readonly now?: Date;
}

/** How an imported case got its rules. */
export type RuleSource = 'file' | 'mapping' | 'suggestion';

export interface ImportedCase {
  readonly line: number;
  readonly iri: string;
  readonly rules: readonly string[];
  readonly rulesFrom: RuleSource;
}

export interface SuiteImport {
  readonly policy: string;
  readonly source: { readonly file: string; readonly sha256: string };
  /** Present when cases were imported; absent when suggestions wait for confirmation. */
  readonly suite?: string;
  /** The reference answers given with the cases, for `studio audit grade`; absent when there are none. */
  readonly answers?: string;
  readonly imported: readonly ImportedCase[];
  /** Cases no rule covers: listed, not imported. */
  readonly uncovered: readonly { readonly line: number; readonly text: string }[];
  /** The mapping file written for the user to confirm, when cases lack rules and nothing confirmed them. */
  readonly mappingWritten?: string;
  /** Cases waiting in that mapping file. */
  readonly awaiting?: number;
  /** Assertions of a type the studio does not grade, by line: listed, not kept (their cases are imported with the rest of their asserts). */
  readonly ungraded: readonly { readonly line: number; readonly type: string }[];
  /** The derived graph the cases were written to, with its size. */
  readonly graph?: { readonly graph: string; readonly triples: number };
}

/** One imported case as a line of the suite (the eval.jsonl format). */
export interface ImportedRecord {
  readonly id: string;
  readonly messages: SourceCase['messages'];
  readonly expectations: readonly Expectation[];
  readonly checks: ReturnType<typeof checksOf>;
  /** The test file's own assertions (regex, not-regex, icontains, llm-rubric), graded beside the checks. */
  readonly assertions?: readonly FileAssertion[];
  readonly reference: string;
  readonly metadata: {
    readonly policy: string;
    readonly rules: readonly string[];
    readonly family: string;
    readonly type: 'Scenario';
    readonly sections: readonly string[];
    readonly source: { readonly file: string; readonly line: number; readonly sha256: string };
  };
}

/** The content-addressed IRI of an imported case: the same conversation and expectations for the same policy, the same IRI. */
export function importedCaseIri(policy: string, c: SourceCase): string {
  // The file's own assertions count only when there are some, so cases without them keep the IRIs they had.
  const assertions = (c.assertions ?? []).map((a) => [a.type, a.value]);
  return `${GENERATED_NS}imported/${sha256(JSON.stringify(assertions.length > 0 ? [policy, c.messages, c.expected, assertions] : [policy, c.messages, c.expected])).slice(0, 32)}`;
}

/** The files an import writes, from the suite's path: <stem>.eval.jsonl, <stem>.answers.jsonl, <stem>.mapping.yaml. */
export function importFiles(out: string): { suite: string; answers: string; mapping: string } {
  const stem = out.replace(/(\.eval)?\.jsonl$/i, '');
  return { suite: out, answers: `${stem}.answers.jsonl`, mapping: `${stem}.mapping.yaml` };
}

/** The default suite path for an imported file: <dataDir>/imported/<name>.eval.jsonl. */
export function defaultImportOut(dataDir: string, file: string): string {
  return path.join(dataDir, 'imported', `${path.basename(file).replace(/\.[^.]+$/, '')}.eval.jsonl`);
}

/** Reads, checks, maps and writes; see the file's comment. */
export async function importSuite(options: SuiteImportOptions): Promise<SuiteImport & { records: ImportedRecord[] }> {
  const { file } = options;
  const format = caseFileFormat(file);
  if (!format) throw new SuiteImportError(file, [{ file, line: 0, detail: `cannot tell the format from '${path.extname(file) || 'no extension'}'; name the file .yaml (a promptfoo suite), .jsonl or .csv` }]);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new SuiteImportError(file, [{ file, line: 0, detail: `cannot be read (${(error as Error).message})` }]);
  }
  const digest = createHash('sha256').update(bytes).digest('hex');
  const policy = await choosePolicy(options.store, options.policy);
  const context = await readPolicyContext(options.store, policy);
  const { cases: parsed, problems: found } = parseCaseFile(bytes.toString('utf8'), format);
  const problems = found.map((p) => ({ file, ...p }));
  if (parsed.length === 0 && problems.length === 0) problems.push({ file, line: 0, detail: 'holds no test case' });

  const isRule = (iri: string) => context.provision.has(iri);
  const expectations = new Map<number, Expectation[]>();
  // One case per conversation and expected behaviour: a row that repeats one to give another labelled answer
  // (a spreadsheet has one answer a row) adds its answer to the first; any other repeat is a problem.
  const iris = new Map<string, SourceCase>();
  const cases: SourceCase[] = [];
  for (const parsedCase of parsed) {
    const c = channelAssertions(parsedCase, context);
    const iri = importedCaseIri(policy, c);
    const first = iris.get(iri);
    if (first === undefined) {
      iris.set(iri, c);
      cases.push(c);
    } else if (c.answers.length > 0 && (c.rules.length === 0 || JSON.stringify(c.rules) === JSON.stringify(first.rules))) {
      (first.answers as GivenAnswer[]).push(...c.answers);
    } else {
      problems.push({ file, line: c.line, detail: `the same conversation and expected behaviour as line ${first.line}${c.answers.length > 0 ? ', with other rules' : ''}` });
    }
  }
  for (const c of cases) {
    for (const r of c.rules) if (!isRule(r)) problems.push({ file, line: c.line, detail: `${r} is not a rule of ${policy}` });
    const list: Expectation[] = [];
    for (const word of c.expected) {
      const e = expectationOf(word, context);
      if (typeof e === 'string') problems.push({ file, line: c.line, detail: e });
      else list.push(e);
    }
    expectations.set(c.line, list);
  }

  // Rules of the cases that name none: the mapping file's, the accepted suggestions, or a mapping file to confirm.
  const unnamed = cases.filter((c) => c.rules.length === 0);
  const files = importFiles(options.out);
  let chosen = new Map<number, { rules: string[]; from: RuleSource }>();
  let suggestions: { case: SourceCase; suggestion: Suggestion }[] = [];
  if (unnamed.length > 0 && options.mapping) {
    const mapped = await readMapping(options.mapping, digest, unnamed, isRule);
    problems.push(...mapped.problems);
    chosen = new Map([...mapped.rules].map(([line, rules]) => [line, { rules, from: 'mapping' as const }]));
  } else if (unnamed.length > 0) {
    const names = await readTermNames(options.store, policy);
    suggestions = unnamed.map((c) => ({ case: c, suggestion: suggestRules(c.messages, context, names) }));
    chosen = new Map(suggestions.map((s) => [s.case.line, { rules: [...s.suggestion.rules], from: 'suggestion' as const }]));
  }
  if (problems.length > 0) throw new SuiteImportError(file, problems.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file.localeCompare(b.file))));

  const source = { file, sha256: digest };
  if (suggestions.length > 0 && !options.acceptSuggestions) {
    await mkdir(path.dirname(files.mapping), { recursive: true });
    await writeDurably(files.mapping, mappingText(file, digest, suggestions));
    return { policy, source, imported: [], uncovered: [], ungraded: [], mappingWritten: files.mapping, awaiting: suggestions.length, records: [] };
  }

  const records: ImportedRecord[] = [];
  const imported: ImportedCase[] = [];
  const uncovered: { line: number; text: string }[] = [];
  const answers: string[] = [];
  for (const c of cases) {
    const given = c.rules.length > 0 ? { rules: [...c.rules], from: 'file' as const } : chosen.get(c.line);
    if (!given || given.rules.length === 0) {
      uncovered.push({ line: c.line, text: caseText(c) });
      continue;
    }
    const iri = importedCaseIri(policy, c);
    const list = expectations.get(c.line)!;
    const sections = [...new Set(given.rules.map((r) => context.provision.get(r)?.section?.number).filter((n): n is string => n !== undefined))];
    records.push({
      id: iri,
      messages: c.messages,
      expectations: list,
      checks: checksOf(list),
      ...(c.assertions && c.assertions.length > 0 ? { assertions: c.assertions } : {}),
      reference: c.answers.find((a) => a.label === 'good')?.text ?? '',
      metadata: { policy, rules: given.rules, family: IMPORTED_FAMILY, type: 'Scenario', sections, source: { file, line: c.line, sha256: digest } },
    });
    imported.push({ line: c.line, iri, rules: given.rules, rulesFrom: given.from });
    for (const a of c.answers) answers.push(JSON.stringify({ scenario: iri, answer: a.text, ...(a.label ? { label: a.label } : {}), model: `reference-${a.label ?? 'unlabelled'}` }));
  }
  await mkdir(path.dirname(files.suite), { recursive: true });
  if (records.length > 0) await writeDurably(files.suite, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  if (answers.length > 0) await writeDurably(files.answers, answers.join('\n') + '\n');
  // The cases as scenarios of the policy, replacing what an earlier import of the same file wrote.
  const graph = await options.store.putDerivedGraph(
    { graph: importedGraphIri(policy, file), kind: IMPORTED_KIND, policy, policySha256: context.policy.sha256 },
    importQuads(policy, source, records, (options.now ?? new Date()).toISOString()),
  );
  return {
    graph: { graph: graph.graph, triples: graph.triples },
    policy,
    source,
    ...(records.length > 0 ? { suite: files.suite } : {}),
    ...(answers.length > 0 ? { answers: files.answers } : {}),
    imported,
    uncovered,
    ungraded: cases.flatMap((c) => c.ungraded ?? []).sort((a, b) => a.line - b.line),
    records,
  };
}

/** The channel a name is one of the names of, if any. */
function channelNamed(name: string, context: PolicyContext) {
  const same = (a: string) => a.trim().toLowerCase() === name.trim().toLowerCase();
  return [...context.terms.values()].find((t) => t.type === 'Channel' && (same(t.label) || same(channelName(t.label)) || (t.altNames ?? []).some(same)));
}

/** A case whose icontains assertions that name a channel of the policy are made that channel's expectation; the others stay assertions. */
function channelAssertions(c: SourceCase, context: PolicyContext): SourceCase {
  if (!c.assertions?.some((a) => a.type === 'icontains' && channelNamed(a.value, context))) return c;
  const channels = c.assertions.filter((a) => a.type === 'icontains' && channelNamed(a.value, context));
  const rest = c.assertions.filter((a) => !channels.includes(a));
  const { assertions: _, ...plain } = c;
  return { ...plain, expected: [...c.expected, ...channels.map((a) => `channel:${a.value}`)], ...(rest.length > 0 ? { assertions: rest } : {}) };
}

/** The policy named, or the only one loaded. */
export async function choosePolicy(store: GraphStore, policy: string | undefined): Promise<string> {
  const loaded = (await store.listPolicies()).map((p) => p.policy);
  if (policy) {
    if (!loaded.includes(policy)) throw new PolicyNotLoadedError(policy, loaded);
    return policy;
  }
  if (loaded.length === 1) return loaded[0]!;
  throw new InvalidOptionError(loaded.length === 0 ? "no policy is loaded; load one first ('studio load <policy.ttl>')" : `${loaded.length} policies are loaded (${loaded.join(', ')}); say which with --policy <iri>`);
}

/** An expected-behaviour word as an expectation of the policy, or what is wrong with it. */
function expectationOf(word: string, context: PolicyContext): Expectation | string {
  switch (word) {
    case 'refuse':
      return { kind: 'MustRefuse' };
    case 'help':
      return { kind: 'MustHelp' };
    case 'warn':
      return { kind: 'MustWarn' };
    case 'ask':
      return { kind: 'MustAskForInformation' };
  }
  const [kind, ...rest] = word.split(':');
  const name = rest.join(':').trim();
  const same = (a: string) => a.trim().toLowerCase() === name.toLowerCase();
  if (kind === 'channel') {
    const channels = [...context.terms.values()].filter((t) => t.type === 'Channel');
    const channel = channels.find((t) => same(t.label) || same(channelName(t.label)) || (t.altNames ?? []).some(same));
    if (!channel) return `no channel of the policy is called ${JSON.stringify(name)}${channels.length ? ` (channels: ${channels.map((t) => JSON.stringify(t.label)).join(', ')})` : '; the policy declares no channel'}`;
    return { kind: 'MustDirectToChannel', channel: { iri: channel.iri, label: channel.label, ...(channel.altNames ? { altNames: channel.altNames } : {}) } };
  }
  const sections = [...context.sections.values()];
  const section = sections.find((s) => s.number === name || same(s.title));
  if (!section) return `no section of the policy is numbered or titled ${JSON.stringify(name)}${sections.length ? ` (sections: ${sections.map((s) => s.number).join(', ')})` : ''}`;
  return { kind: 'MustCiteSection', section: { iri: section.iri, number: section.number, title: section.title } };
}
