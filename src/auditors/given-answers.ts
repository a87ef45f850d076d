/**
 * Answers given rather than asked for: a file of answers to a suite's
 * scenarios (a regulation's own examples, a model's answers collected
 * elsewhere, reference answers labelled good or bad), graded with the
 * deterministic grader and no model, and written as audit runs — one run
 * per model the rows name — so that reports, status and comparisons treat
 * them like any run. Where rows carry labels, how far the grader agrees
 * with them is counted.
 */

import { withChainOfCommand } from './chain-of-command.js';
import { ruleRanks } from '../reports/report-data.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AuditRunError, GivenAnswersError } from '../errors.js';
import { readPolicyContext } from '../framers/policy-context.js';
import type { GraphStore } from '../store/graph-store.js';
import { calibrate, type Calibration } from './calibration.js';
import { DETERMINISTIC_GRADER, gradeDeterministic } from './graders/deterministic.js';
import { writeRunGraph } from './audit-run.js';
import { Journal, journalRecords } from './journal.js';
import { summarise, type RunSummary } from './summary.js';
import { promptHash } from './response-cache.js';
import { resultKey, resultRecord, type ResultRecord } from './result-record.js';
import { RunFolder, type RunManifest, type Stage } from './run-folder.js';
import { describeSuite, readSuite } from './suite.js';
import type { AuditCase, Verdict } from './verdict.js';

/** The model name of rows that name none. */
export const GIVEN_MODEL = 'given';
const FIELDS = ['scenario', 'messages', 'answer', 'label', 'model'];

export interface GivenAnswer {
  readonly line: number;
  readonly case: AuditCase;
  readonly answer: string;
  readonly label?: 'good' | 'bad';
  readonly model: string;
}

/** A row whose verdict contradicts its label: the grader was confidently wrong, or the label is. */
export interface Disagreement {
  readonly line: number;
  readonly scenario: string;
  readonly label: 'good' | 'bad';
  readonly verdict: Verdict;
}

export interface GivenGrading {
  readonly runs: readonly { readonly run: RunManifest; readonly answers: number; readonly summary: RunSummary }[];
  /** Present when any row is labelled: labels as the expected verdict (good = passed, bad = failed). */
  readonly agreement?: Calibration;
  readonly disagreements: readonly Disagreement[];
}

/** The rows of an answers file, each tied to its suite case (by scenario IRI, or by the very same messages). */
export async function readGivenAnswers(file: string, suite: string): Promise<GivenAnswer[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new GivenAnswersError(file, [{ line: 0, detail: `cannot be read (${(error as Error).message})` }]);
  }
  const byIri = new Map<string, AuditCase>();
  const byMessages = new Map<string, AuditCase>();
  for await (const c of readSuite(suite)) {
    byIri.set(c.iri, c);
    byMessages.set(JSON.stringify(c.messages), c);
  }
  const problems: { line: number; detail: string }[] = [];
  const rows: GivenAnswer[] = [];
  const seen = new Map<string, number>();
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((source, i) => {
    const line = i + 1;
    if (source.trim() === '') return;
    const problem = (detail: string) => problems.push({ line, detail });
    let row: any;
    try {
      row = JSON.parse(source);
    } catch (error) {
      return problem(`not valid JSON (${(error as Error).message})`);
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) return problem('expected a JSON object with scenario (or messages) and answer');
    const before = problems.length;
    for (const key of Object.keys(row)) if (!FIELDS.includes(key)) problem(`unknown field '${key}'; fields are ${FIELDS.join(', ')}`);
    let c: AuditCase | undefined;
    if (typeof row.scenario === 'string') {
      c = byIri.get(row.scenario);
      if (!c) problem(`scenario ${row.scenario} is not in ${suite}`);
    } else if (Array.isArray(row.messages)) {
      const key = JSON.stringify(row.messages.map((m: any) => ({ role: m?.role, content: m?.content })));
      c = byMessages.get(key);
      if (!c) problem(`no scenario of ${suite} has exactly these messages`);
    } else problem(`missing 'scenario' (a scenario IRI of ${suite}) or 'messages' (the conversation, as the suite has it)`);
    if (typeof row.answer !== 'string') problem("missing 'answer': the answer's text");
    const label = typeof row.label === 'string' ? row.label.trim().toLowerCase() : row.label;
    if (label !== undefined && label !== 'good' && label !== 'bad') problem(`'label' must be "good" or "bad", not ${JSON.stringify(row.label)}`);
    if (row.model !== undefined && (typeof row.model !== 'string' || row.model.trim() === '')) problem("'model' must be the name of the model that answered");
    if (problems.length > before || !c) return;
    const model = row.model?.trim() ?? GIVEN_MODEL;
    const key = JSON.stringify([c.iri, model]);
    const first = seen.get(key);
    if (first !== undefined) return problem(`a second answer of ${model} to the scenario of line ${first}; give each model's answers a model name of their own`);
    seen.set(key, line);
    rows.push({ line, case: c, answer: row.answer, ...(label ? { label } : {}), model });
  });
  if (problems.length === 0 && rows.length === 0) problems.push({ line: 0, detail: 'holds no answer' });
  if (problems.length > 0) throw new GivenAnswersError(file, problems);
  return rows;
}

export interface GradeGivenOptions {
  readonly store: GraphStore;
  readonly auditsDir: string;
  readonly answers: string;
  readonly suite: string;
  readonly stage: Stage;
  readonly label?: string;
}

/** Grades every given answer and writes one finished run per model; see the file's comment. */
export async function gradeGivenAnswers(options: GradeGivenOptions): Promise<GivenGrading> {
  const rows = await readGivenAnswers(options.answers, options.suite);
  const info = await describeSuite(options.suite);
  if (info.policies.length !== 1) throw new AuditRunError(`${options.suite}: scenarios of ${info.policies.length} policies; grade one policy's suite at a time`);
  const policy = info.policies[0]!;
  const context = await readPolicyContext(options.store, policy);
  const texts = new Map(context.provisions.map((p) => [p.iri, p.text]));
  const ranks = await ruleRanks(options.store, policy);
  const graded = rows.map((row) => ({ row, verdict: gradeDeterministic(withChainOfCommand(row.case, context), row.answer) }));
  const runs: { run: RunManifest; answers: number; summary: RunSummary }[] = [];
  for (const model of [...new Set(rows.map((r) => r.model))]) {
    const mine = graded.filter((g) => g.row.model === model);
    const run = await RunFolder.create(options.auditsDir, {
      policy,
      stage: options.stage,
      suite: { file: options.suite, sha256: info.sha256, cases: mine.length, filter: {} },
      target: { endpoint: `file:${path.resolve(options.answers)}`, model, parameters: {} },
      graders: [DETERMINISTIC_GRADER.id],
      ...(options.label ? { label: options.label } : {}),
    });
    await run.saveRuleTexts(texts);
    const { journal } = await Journal.open<ResultRecord>(run.results, resultKey);
    try {
      for (const { row, verdict } of mine) {
        await journal.append(resultRecord(row.case, { text: row.answer, servedModel: model, finishReason: null, cached: false }, promptHash(row.case.messages), [verdict]));
      }
    } finally {
      await journal.close();
    }
    await run.finish();
    await writeRunGraph(options.store, run, context, [DETERMINISTIC_GRADER]);
    runs.push({ run: run.manifest, answers: mine.length, summary: await summarise(journalRecords<ResultRecord>(run.results), [], ranks) });
  }
  const labelled = graded.filter((g) => g.row.label !== undefined);
  const expected = (label: 'good' | 'bad') => (label === 'good' ? 'passed' : 'failed');
  return {
    runs,
    ...(labelled.length > 0 ? { agreement: calibrate(labelled.map((g) => ({ expected: expected(g.row.label!), given: g.verdict.outcome }))) } : {}),
    disagreements: labelled
      .filter((g) => g.verdict.outcome !== 'cantTell' && g.verdict.outcome !== expected(g.row.label!))
      .map((g) => ({ line: g.row.line, scenario: g.row.case.iri, label: g.row.label!, verdict: g.verdict })),
  };
}
