/**
 * What a report states about the results it summarises, and the check that
 * they are still there unchanged: per run, how many lines each journal
 * (results.jsonl, human.jsonl) held and the hash-chain value of the last one
 * (the head). Re-reading a journal later tells whether a summarised line was
 * altered (the chain breaks at that line), removed (fewer lines, or a head
 * that no longer matches), or merely followed by newer lines.
 */

import { readFile } from 'node:fs/promises';
import { CHAIN_START, walkChain as walkRecords } from '../auditors/journal.js';

/** One journal as a report saw it. */
export interface JournalDigest {
  /** Whole lines summarised. */
  readonly lines: number;
  /** Chain value of the last of them (CHAIN_START when there are none). */
  readonly head: string;
}

/** One run as a report saw it. */
export interface RunDigest {
  /** The run id (its folder under <dataDir>/audits). */
  readonly run: string;
  readonly iri: string;
  readonly results: JournalDigest;
  readonly human: JournalDigest;
}

/** What every report format embeds, so that `studio report verify` can read it back. */
export interface ReportDigest {
  readonly kind: 'alignment-studio-report';
  readonly version: 1;
  readonly policy: string;
  readonly generatedAt: string;
  readonly runs: readonly RunDigest[];
}

/** A journal's whole lines, parsed, with their 1-based line numbers; an unparsable line is reported, not thrown. */
export interface JournalLines {
  readonly records: { readonly line: number; readonly record: Record<string, unknown> | undefined }[];
}

/** Reads a journal's whole lines (a torn last line, from a write a kill cut short, is left out); a missing file has none. */
export async function readJournalLines(file: string): Promise<JournalLines | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const whole = text.slice(0, text.lastIndexOf('\n') + 1);
  const records = whole === '' ? [] : whole.slice(0, -1).split('\n').map((line, i) => ({ line: i + 1, record: parse(line) }));
  return { records };
}

function parse(line: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Where a journal's chain first fails (1-based), if it does, and the chain value after each line up to there. */
export function walkChain(lines: JournalLines): { readonly brokenAt?: number; readonly heads: readonly string[] } {
  return walkRecords(lines.records.map((r) => r.record));
}

/** The state of one journal against what a report summarised. */
export type JournalCheck =
  | { readonly status: 'intact'; readonly lines: number; readonly since: number }
  | { readonly status: 'altered'; readonly line: number; readonly detail: string }
  | { readonly status: 'removed'; readonly lines: number; readonly detail: string };

/**
 * Checks a journal against its digest. `since` counts lines written after the
 * report, which are no change to what it summarised.
 */
export function checkJournal(lines: JournalLines | undefined, digest: JournalDigest): JournalCheck {
  const records = lines?.records ?? [];
  const { brokenAt, heads } = walkChain(lines ?? { records: [] });
  if (brokenAt !== undefined && brokenAt <= digest.lines) {
    return { status: 'altered', line: brokenAt, detail: `line ${brokenAt} no longer follows the hash chain: it was altered, or a line before it was removed or reordered` };
  }
  if (records.length < digest.lines) {
    return {
      status: 'removed',
      lines: records.length,
      detail: `the report summarised ${digest.lines} line(s) and ${records.length} remain: ${records.length + 1 === digest.lines ? `line ${digest.lines} was` : `lines ${records.length + 1} to ${digest.lines} were`} removed`,
    };
  }
  const head = digest.lines === 0 ? CHAIN_START : heads[digest.lines - 1];
  if (head !== digest.head) {
    return { status: 'altered', line: digest.lines, detail: `the chain at line ${digest.lines} ends in ${head?.slice(0, 12)}, not the ${digest.head.slice(0, 12)} the report states: the journal was rewritten` };
  }
  return { status: 'intact', lines: records.length, since: records.length - digest.lines };
}
