/**
 * Human verdicts, imported from a file a reviewer filled in: JSON Lines (one
 * object a line) or CSV (a header row, then one row a verdict). Each row
 * names the scenario it grades (and, optionally, the run and the result),
 * an outcome, an optional score and reason, the reviewer, and when it was
 * reviewed. The file is all or nothing: every problem is collected with its
 * line, and one HumanVerdictsError lists them all.
 */

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { HumanVerdictsError, SourceNotFoundError } from '../../errors.js';
import type { GraderRef, Outcome, Verdict } from '../verdict.js';

/** One imported human verdict. */
export interface HumanVerdict {
  /** The scenario (generated item) IRI. */
  readonly scenario: string;
  /** The audit run whose answer was reviewed, when the row names it. */
  readonly run?: string;
  /** The audit result reviewed, when the row names it. */
  readonly result?: string;
  readonly verdict: Verdict;
  /** ISO 8601 date or date-time, as given. */
  readonly reviewedAt?: string;
  /** The line of the file the row starts on. */
  readonly line: number;
}

export type HumanVerdictsFormat = 'jsonl' | 'csv';

/** The fields a row may have; scenario, outcome and reviewer are required. */
export const HUMAN_VERDICT_FIELDS = ['scenario', 'run', 'result', 'outcome', 'score', 'reason', 'reviewer', 'reviewedAt'] as const;
type Field = (typeof HUMAN_VERDICT_FIELDS)[number];
const REQUIRED: readonly Field[] = ['scenario', 'outcome', 'reviewer'];

/** The grader of a reviewer's verdicts. */
export function humanGraderRef(reviewer: string): GraderRef {
  return { kind: 'human', id: `human:${reviewer}` };
}

/**
 * An outcome as reviewers write it, in any case: passed / pass, failed /
 * fail, cantTell / can't tell / cannot tell / cant_tell; borderline is a
 * pass graded borderline.
 */
export function parseOutcome(text: string): Outcome | undefined {
  switch (text.toLowerCase().replace(/[^a-z]/g, '')) {
    case 'passed':
    case 'pass':
    case 'borderline':
      return 'passed';
    case 'failed':
    case 'fail':
      return 'failed';
    case 'canttell':
    case 'cannottell':
      return 'cantTell';
    default:
      return undefined;
  }
}

/** Reads a file of human verdicts; its extension (.jsonl, .ndjson or .csv) gives the format unless one is given. */
export async function readHumanVerdicts(file: string, format?: HumanVerdictsFormat): Promise<HumanVerdict[]> {
  const chosen = format ?? formatOf(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SourceNotFoundError(file, `cannot read the human verdicts (${(error as Error).message})`);
  }
  return parseHumanVerdicts(file, text, chosen);
}

/** The format a file's extension says. */
export function formatOf(file: string): HumanVerdictsFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.csv') return 'csv';
  throw new HumanVerdictsError(file, [{ line: 0, detail: `cannot tell the format from '${ext || 'no extension'}'; name the file .jsonl (one JSON object a line) or .csv (a header row, then one verdict a row)` }]);
}

/** Parses the text of a human verdicts file (`file` names it in errors). */
export function parseHumanVerdicts(file: string, text: string, format: HumanVerdictsFormat): HumanVerdict[] {
  const problems: { line: number; detail: string }[] = [];
  const rows = format === 'jsonl' ? jsonlRows(text, problems) : csvRows(text, problems);
  const verdicts: HumanVerdict[] = [];
  const seen = new Map<string, number>();
  for (const row of rows) {
    const before = problems.length;
    const verdict = rowToVerdict(row.fields, row.line, problems);
    if (!verdict || problems.length > before) continue;
    const key = JSON.stringify([verdict.scenario, verdict.run ?? '', verdict.result ?? '', verdict.verdict.grader.id]);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.push({ line: row.line, detail: `the same reviewer's second verdict on this ${verdict.result ? 'result' : verdict.run ? 'scenario in this run' : 'scenario'} (the first is on line ${earlier})` });
      continue;
    }
    seen.set(key, row.line);
    verdicts.push(verdict);
  }
  if (problems.length > 0) throw new HumanVerdictsError(file, problems.sort((a, b) => a.line - b.line));
  return verdicts;
}

interface Row {
  readonly line: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

function jsonlRows(text: string, problems: { line: number; detail: string }[]): Row[] {
  const rows: Row[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((source, i) => {
    if (source.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      problems.push({ line: i + 1, detail: `not valid JSON (${(error as Error).message})` });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ line: i + 1, detail: `expected a JSON object with ${REQUIRED.join(', ')}, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}` });
      return;
    }
    rows.push({ line: i + 1, fields: value as Record<string, unknown> });
  });
  return rows;
}

function csvRows(text: string, problems: { line: number; detail: string }[]): Row[] {
  let records: { record: string[]; raw: string; info: { lines: number } }[];
  try {
    records = parseCsv(text, { bom: true, info: true, raw: true, skip_empty_lines: true, trim: true }) as unknown as typeof records;
  } catch (error) {
    const e = error as Error & { lines?: number };
    problems.push({ line: e.lines ?? 0, detail: `not valid CSV (${e.message.replace(/\s*at line \d+\b/, '').replace(/\s+on line \d+$/, '')})` });
    return [];
  }
  const [header, ...body] = records;
  if (!header) return [];
  const columns = header.record.map((c) => c.trim());
  const canonical = columns.map((c) => HUMAN_VERDICT_FIELDS.find((f) => f.toLowerCase() === c.toLowerCase()));
  const unknown = columns.filter((_, i) => canonical[i] === undefined);
  if (unknown.length > 0) problems.push({ line: 1, detail: `unknown column(s) ${unknown.map((c) => `'${c}'`).join(', ')}; columns are ${HUMAN_VERDICT_FIELDS.join(', ')}` });
  const missing = REQUIRED.filter((f) => !canonical.includes(f));
  if (missing.length > 0) problems.push({ line: 1, detail: `no ${missing.map((f) => `'${f}'`).join(', ')} column; the header must name ${REQUIRED.join(', ')}` });
  if (unknown.length > 0 || missing.length > 0) return [];
  return body.map(({ record, raw, info }) => {
    // A quoted field may span lines: the row starts where its text does.
    const inside = raw.replace(/^(?:\r?\n)+/, '').replace(/\r?\n$/, '');
    const line = info.lines - (inside.match(/\n/g)?.length ?? 0);
    const fields: Record<string, unknown> = {};
    record.forEach((value, i) => {
      if (value !== '') fields[canonical[i]!] = value;
    });
    return { line, fields };
  });
}

const IRI = /^[a-z][a-z0-9+.-]*:[^\s<>"{}|\\^`]+$/i;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/** One row as a verdict, or problems pushed for what is wrong with it. */
function rowToVerdict(fields: Readonly<Record<string, unknown>>, line: number, problems: { line: number; detail: string }[]): HumanVerdict | undefined {
  const problem = (detail: string) => problems.push({ line, detail });
  for (const key of Object.keys(fields)) {
    if (!(HUMAN_VERDICT_FIELDS as readonly string[]).includes(key)) problem(`unknown field '${key}'; fields are ${HUMAN_VERDICT_FIELDS.join(', ')}`);
  }
  const text = (field: Field): string | undefined => {
    const value = fields[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      problem(`'${field}' must be a string, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value.trim() === '' ? undefined : value.trim();
  };
  const iri = (field: Field): string | undefined => {
    const value = text(field);
    if (value !== undefined && !IRI.test(value)) problem(`'${field}' ${JSON.stringify(value)} is not an absolute IRI (such as https://w3id.org/alignment-studio/id/item/...)`);
    return value;
  };

  const scenario = iri('scenario');
  if (blank(fields.scenario)) problem("missing 'scenario': the IRI of the scenario reviewed");
  const run = iri('run');
  const result = iri('result');

  const outcomeText = text('outcome');
  const outcome = outcomeText === undefined ? undefined : parseOutcome(outcomeText);
  if (blank(fields.outcome)) problem("missing 'outcome': passed, failed or cantTell");
  else if (outcomeText !== undefined && outcome === undefined) problem(`unknown outcome ${JSON.stringify(outcomeText)}; write passed (pass), borderline, failed (fail) or cantTell (can't tell)`);

  const reviewer = text('reviewer');
  if (blank(fields.reviewer)) problem("missing 'reviewer': who reviewed (an email or a name)");

  let score: number | undefined;
  const rawScore = fields.score;
  if (rawScore !== undefined && rawScore !== null && rawScore !== '') {
    const value = typeof rawScore === 'number' ? rawScore : typeof rawScore === 'string' && /^\s*(?:\d+(?:\.\d*)?|\.\d+)\s*$/.test(rawScore) ? Number(rawScore) : NaN;
    if (!(value >= 0 && value <= 1)) problem(`'score' ${JSON.stringify(rawScore)} must be a number from 0 to 1`);
    else score = value;
  }

  const reason = text('reason');
  const reviewedAt = text('reviewedAt');
  if (reviewedAt !== undefined && !isIsoDate(reviewedAt)) problem(`'reviewedAt' ${JSON.stringify(reviewedAt)} is not an ISO 8601 date (2025-03-14) or date-time (2025-03-14T09:30:00Z)`);

  const borderline = outcomeText !== undefined && outcomeText.toLowerCase().replace(/[^a-z]/g, '') === 'borderline';
  if (scenario === undefined || outcome === undefined || reviewer === undefined) return undefined;
  return {
    scenario,
    ...(run ? { run } : {}),
    ...(result ? { result } : {}),
    verdict: {
      outcome,
      score: score ?? (borderline ? 0.5 : outcome === 'passed' ? 1 : 0),
      reason: reason ?? `Reviewed by ${reviewer}, who gave no reason.`,
      grader: humanGraderRef(reviewer),
      checks: [],
      ...(borderline ? { grade: 'borderline' as const } : {}),
    },
    ...(reviewedAt ? { reviewedAt } : {}),
    line,
  };
}

/** Absent, null or only spaces: a required field left empty (a value of the wrong type is reported as such). */
function blank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** A real calendar date (2025-02-30 is not one), optionally with a time. */
function isIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return false;
  return true;
}
