/**
 * `studio report verify`: re-reads the journals of every run a report
 * summarises and says, per run and journal, whether the results are as the
 * report saw them (intact, perhaps with newer lines after), altered (where
 * the chain breaks) or removed.
 */

import path from 'node:path';
import { RunFolder } from '../auditors/run-folder.js';
import { checkJournal, readJournalLines, type JournalCheck, type ReportDigest } from './journal-digest.js';
import { readReportDigest } from './read-digest.js';

export interface RunVerification {
  readonly run: string;
  /** The run's folder is gone. */
  readonly missing: boolean;
  readonly results?: JournalCheck;
  readonly human?: JournalCheck;
  readonly ok: boolean;
}

export interface ReportVerification {
  readonly file: string;
  readonly digest: ReportDigest;
  readonly runs: readonly RunVerification[];
  readonly ok: boolean;
}

export async function verifyReport(file: string, auditsDir: string): Promise<ReportVerification> {
  const digest = await readReportDigest(file);
  const runs: RunVerification[] = [];
  for (const run of digest.runs) {
    const folder = path.join(auditsDir, run.run);
    const [results, human] = [await readJournalLines(path.join(folder, RunFolder.RESULTS)), await readJournalLines(path.join(folder, RunFolder.HUMAN))];
    if (results === undefined && run.results.lines > 0) {
      runs.push({ run: run.run, missing: true, ok: false });
      continue;
    }
    const r = checkJournal(results, run.results);
    const h = checkJournal(human, run.human);
    runs.push({ run: run.run, missing: false, results: r, human: h, ok: r.status === 'intact' && h.status === 'intact' });
  }
  return { file, digest, runs, ok: runs.every((r) => r.ok) };
}

/** One line per run and journal, for the terminal. */
export function formatVerification(v: ReportVerification, auditsDir: string): string {
  const out: string[] = [];
  for (const run of v.runs) {
    const folder = path.join(auditsDir, run.run);
    if (run.missing) {
      out.push(`${run.run}: MISSING — no ${path.join(folder, RunFolder.RESULTS)}; the run was removed, or pass the --data-dir it lives in`);
      continue;
    }
    for (const [name, check] of [[RunFolder.RESULTS, run.results!], [RunFolder.HUMAN, run.human!]] as const) {
      const where = path.join(folder, name);
      if (check.status === 'intact') out.push(`${run.run}: ${name} intact (${check.lines - check.since} line(s) as summarised${check.since > 0 ? `, ${check.since} written since` : ''})`);
      else if (check.status === 'altered') out.push(`${run.run}: ${name} ALTERED at ${where}:${check.line}: ${check.detail}`);
      else out.push(`${run.run}: ${name} REMOVED: ${where}: ${check.detail}`);
    }
  }
  out.push(v.ok ? `${v.file}: every result it summarises is intact` : `${v.file}: results it summarises were altered or removed`);
  return `${out.join('\n')}\n`;
}
