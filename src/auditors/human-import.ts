/**
 * Reviewers' verdicts into a run: each row of the file must grade a
 * scenario the run has a result for (and name this run, where it names
 * one); rows already imported are left as they are; the rest are appended to
 * the run's human.jsonl. All or nothing: a row that does not fit the run
 * stops the import before anything is written.
 */

import { HumanVerdictsError } from '../errors.js';
import { readHumanVerdicts, type HumanVerdict } from './graders/human-verdicts.js';
import { Journal, journalRecords, readJournal } from './journal.js';
import { humanKey, type HumanRecord, type ResultRecord } from './result-record.js';
import type { RunFolder } from './run-folder.js';

export interface HumanImport {
  readonly imported: number;
  /** Rows whose reviewer had already graded that scenario in this run, with the same verdict. */
  readonly unchanged: number;
  readonly reviewers: readonly string[];
}

/** Why a row does not fit the run: it names another run, a scenario the run has no result for, or regrades one its reviewer already graded. */
export type HumanImportProblemKind = 'other-run' | 'not-in-run' | 'already-graded';
export interface HumanImportProblem {
  readonly line: number;
  readonly detail: string;
  readonly kind: HumanImportProblemKind;
}

export async function importHumanVerdicts(run: RunFolder, file: string, now = new Date()): Promise<HumanImport> {
  return importHumanRows(run, await readHumanVerdicts(file), file, now);
}

/**
 * Verdicts already read (from a file, or from one reviewer through the API)
 * into the run; `source` is where they came from, kept with each record and
 * named in errors. All or nothing, as importHumanVerdicts.
 */
export async function importHumanRows(run: RunFolder, rows: readonly HumanVerdict[], source: string, now = new Date()): Promise<HumanImport> {
  const cases = new Set<string>();
  for await (const r of journalRecords<ResultRecord>(run.results)) cases.add(r.case);
  const { records: existing } = await readJournal<HumanRecord>(run.human);
  const before = new Map(existing.map((h) => [humanKey(h), h]));
  const problems: HumanImportProblem[] = [];
  const fresh: HumanRecord[] = [];
  let unchanged = 0;
  for (const row of rows) {
    if (row.run !== undefined && row.run !== run.manifest.iri && row.run !== run.manifest.id) {
      problems.push({ line: row.line, detail: `names run ${row.run}, not ${run.manifest.id}`, kind: 'other-run' });
      continue;
    }
    if (!cases.has(row.scenario)) {
      problems.push({ line: row.line, detail: `scenario ${row.scenario} has no result in run ${run.manifest.id}`, kind: 'not-in-run' });
      continue;
    }
    const record: HumanRecord = { case: row.scenario, verdict: row.verdict, ...(row.reviewedAt ? { reviewedAt: row.reviewedAt } : {}), importedAt: now.toISOString(), source };
    const earlier = before.get(humanKey(record));
    if (earlier) {
      if (earlier.verdict.outcome === record.verdict.outcome && earlier.verdict.reason === record.verdict.reason) unchanged++;
      else problems.push({ line: row.line, detail: `${record.verdict.grader.id} already graded ${row.scenario} in this run (${earlier.verdict.outcome}, from ${earlier.source}); a verdict is not overwritten`, kind: 'already-graded' });
      continue;
    }
    fresh.push(record);
  }
  if (problems.length > 0) throw new HumanVerdictsError(source, problems);
  const { journal } = await Journal.open<HumanRecord>(run.human, humanKey);
  try {
    for (const record of fresh) await journal.append(record);
  } finally {
    await journal.close();
  }
  return { imported: fresh.length, unchanged, reviewers: [...new Set(rows.map((r) => r.verdict.grader.id.slice('human:'.length)))].sort() };
}
