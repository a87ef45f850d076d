/**
 * The graders' calibration set: hand-written answers to scenarios over the
 * sample policies, each with the verdict a careful reviewer gives it, read
 * from JSON Lines (tests/fixtures/calibration/*.jsonl). A row names the
 * policy file and the rule; its expectations are derived from the rule as
 * generation derives them (the template tokens in `expects`, `rule` when
 * absent), so a row grades exactly as a generated scenario on that rule
 * would. The confusion matrix (expected × given) and the precision of
 * decided verdicts say how far a grader can be trusted.
 */

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { checksOf } from '../framers/exports/checks.js';
import { deriveExpectations, EXPECTATION_TOKENS, type ExpectationToken } from '../framers/expectations.js';
import { readPolicyContext, type PolicyContext } from '../framers/policy-context.js';
import type { Message } from '../framers/templates.js';
import { readTurtle } from '../rdf/turtle.js';
import { EmbeddedStore } from '../store/oxigraph-store.js';
import { STUDIO } from '../vocabulary.js';
import { ruleBriefs } from './audit-run.js';
import { sourceIri, withChainOfCommand } from './chain-of-command.js';
import type { AuditCase, Outcome, RuleBrief } from './verdict.js';

/** What kind of answer a row holds, as reviewers sort chatbot answers. */
export const ANSWER_KINDS = [
  'full-refusal',
  'partial-help',
  'compliance',
  'lecture',
  'evasive',
  'wrong-channel',
  'wrong-section',
  'leaking-refusal',
  'refused-then-helped',
  // Chain of command: the answer obeys an instruction in tool output or quoted content; follows a party the
  // chain of command puts below the one that decides (the user against the developer, the developer against
  // the platform) or above it where a default was lifted; or follows the party that decides.
  'obeys-tool-content',
  'obeys-wrong-party',
  'follows-right-party',
] as const;
export type AnswerKind = (typeof ANSWER_KINDS)[number];

export interface CalibrationRow {
  /** The policy file, from the project root. */
  readonly policy: string;
  /** The rule's IRI. */
  readonly rule: string;
  /** Template tokens the expectations come from; ["rule"] when absent. */
  readonly expects: readonly ExpectationToken[];
  /** Compliant, NonCompliant, Ambiguous: the scenario's label. */
  readonly label?: string;
  readonly messages: readonly Message[];
  readonly answer: string;
  /** The verdict a reviewer gives the answer on all the scenario's expectations. */
  readonly expected: 'passed' | 'failed';
  readonly kind: AnswerKind;
  /** A chain-of-command row: the message source the answer must follow (its IRI), and the rule that loses to `rule`. */
  readonly follows?: string;
  readonly overrides?: string;
  /** True for rows written after the grader was tuned, kept apart to measure it honestly. */
  readonly heldOut: boolean;
  readonly file: string;
  readonly line: number;
}

/** A calibration file that does not read: every problem, as file:line. */
export class CalibrationFileError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the calibration set has ${problems.length} problem(s):\n${problems.join('\n')}`);
  }
}

/** Reads calibration files; a bad row is reported with its file and line, all of them at once. */
export async function readCalibration(files: readonly string[]): Promise<CalibrationRow[]> {
  const rows: CalibrationRow[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.forEach((text, i) => {
      if (text.trim() === '') return;
      const where = `${file}:${i + 1}`;
      let r: any;
      try {
        r = JSON.parse(text);
      } catch (error) {
        problems.push(`${where}: not JSON (${(error as Error).message})`);
        return;
      }
      const bad = (what: string) => problems.push(`${where}: ${what}`);
      if (typeof r.policy !== 'string') return bad('"policy" must be the policy file');
      if (typeof r.rule !== 'string' || !r.rule.includes('#')) return bad('"rule" must be the rule\'s IRI');
      if (typeof r.answer !== 'string') return bad('"answer" must be text');
      if (r.expected !== 'passed' && r.expected !== 'failed') return bad('"expected" must be "passed" or "failed"');
      if (!ANSWER_KINDS.includes(r.kind)) return bad(`"kind" must be one of ${ANSWER_KINDS.join(', ')}`);
      const messages = typeof r.user === 'string' ? [{ role: 'user', content: r.user }] : r.messages;
      if (!Array.isArray(messages) || messages.length === 0) return bad('"user" (text) or "messages" (a list) must give the conversation');
      if ((r.follows === undefined) !== (r.overrides === undefined)) return bad('"follows" (the message source the answer must follow) and "overrides" (the rule that loses) go together');
      if (r.follows !== undefined && (typeof r.follows !== 'string' || typeof r.overrides !== 'string' || !r.overrides.includes('#'))) return bad('"follows" must name a message source (DeveloperSource or its IRI) and "overrides" a rule\'s IRI');
      const expects = r.expects ?? ['rule'];
      if (!Array.isArray(expects) || expects.some((t: unknown) => !EXPECTATION_TOKENS.includes(t as ExpectationToken))) return bad(`"expects" must list tokens among ${EXPECTATION_TOKENS.join(', ')}`);
      rows.push({
        policy: r.policy,
        rule: r.rule,
        expects,
        ...(typeof r.label === 'string' ? { label: r.label } : {}),
        messages,
        answer: r.answer,
        expected: r.expected,
        kind: r.kind,
        ...(r.follows !== undefined ? { follows: sourceIri(r.follows), overrides: r.overrides } : {}),
        heldOut: r.heldOut === true,
        file,
        line: i + 1,
      });
    });
  }
  if (problems.length > 0) throw new CalibrationFileError(problems);
  return rows;
}

/** A row as the graders see it: the audit case and the rule's brief for a judge. */
export interface CalibrationCase {
  readonly row: CalibrationRow;
  readonly case: AuditCase;
  readonly rule: RuleBrief;
}

/** Loads each policy the rows name into an embedded store once and turns every row into an audit case. */
export async function calibrationCases(rows: readonly CalibrationRow[], root = '.'): Promise<CalibrationCase[]> {
  const contexts = new Map<string, PolicyContext>();
  for (const policy of new Set(rows.map((r) => r.policy))) {
    const store = await EmbeddedStore.open();
    try {
      const loaded = await store.loadPolicy(await readTurtle(path.join(root, policy)));
      contexts.set(policy, await readPolicyContext(store, loaded.policy));
    } finally {
      await store.close();
    }
  }
  const problems: string[] = [];
  const out: CalibrationCase[] = [];
  for (const row of rows) {
    const context = contexts.get(row.policy)!;
    const provision = context.provision.get(row.rule);
    const brief = ruleBriefs(context).get(row.rule);
    if (!provision || !brief) {
      problems.push(`${row.file}:${row.line}: no rule ${row.rule} in ${row.policy}`);
      continue;
    }
    if (row.overrides && !context.provision.has(row.overrides)) {
      problems.push(`${row.file}:${row.line}: no rule ${row.overrides} (overrides) in ${row.policy}`);
      continue;
    }
    const term = (iri: string) => {
      const t = context.terms.get(iri);
      return { iri, label: t?.label ?? iri, ...(t?.altNames ? { altNames: t.altNames } : {}) };
    };
    const expectations = deriveExpectations(row.expects, {
      behaviours: provision.behaviour,
      channels: provision.channel.map(term),
      ...(provision.section ? { section: provision.section } : {}),
      protectedAssets: [],
    });
    out.push({
      row,
      rule: brief,
      case: withChainOfCommand({
        iri: `${STUDIO}calibration/${path.basename(row.file)}/${row.line}`,
        policy: context.policy.policy,
        messages: row.messages,
        expectations,
        checks: checksOf(expectations),
        reference: '',
        rules: row.overrides ? [row.rule, row.overrides] : [row.rule],
        family: 'calibration',
        type: 'Scenario',
        ...(row.label ? { label: row.label } : {}),
        sections: provision.section ? [provision.section.number] : [],
        line: row.line,
        ...(row.follows ? { follows: row.follows } : {}),
      }, context),
    });
  }
  if (problems.length > 0) throw new CalibrationFileError(problems);
  return out;
}

/** Expected × given counts, and what they say of a grader. */
export interface Calibration {
  readonly rows: number;
  /** matrix[expected][given]. */
  readonly matrix: Record<'passed' | 'failed', Record<Outcome, number>>;
  readonly decided: number;
  readonly right: number;
  /** Share of rows the grader decided (passed or failed). */
  readonly decidedShare: number;
  /** Share of decided verdicts that match the expected one. */
  readonly precision: number;
}

export function calibrate(pairs: readonly { readonly expected: 'passed' | 'failed'; readonly given: Outcome }[]): Calibration {
  const matrix = { passed: { passed: 0, failed: 0, cantTell: 0 }, failed: { passed: 0, failed: 0, cantTell: 0 } };
  for (const p of pairs) matrix[p.expected][p.given]++;
  const decided = pairs.filter((p) => p.given !== 'cantTell').length;
  const right = matrix.passed.passed + matrix.failed.failed;
  return { rows: pairs.length, matrix, decided, right, decidedShare: pairs.length === 0 ? 0 : decided / pairs.length, precision: decided === 0 ? 0 : right / decided };
}

/** The confusion matrix as a Markdown table, with the decided share and precision. */
export function calibrationTable(title: string, c: Calibration): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return [
    `${title}: ${c.rows} rows, ${c.decided} decided (${pct(c.decidedShare)}), ${c.right} of them right (${pct(c.precision)})`,
    '',
    '| expected \\ given | passed | failed | cantTell |',
    '|---|---:|---:|---:|',
    `| passed | ${c.matrix.passed.passed} | ${c.matrix.passed.failed} | ${c.matrix.passed.cantTell} |`,
    `| failed | ${c.matrix.failed.passed} | ${c.matrix.failed.failed} | ${c.matrix.failed.cantTell} |`,
  ].join('\n');
}
