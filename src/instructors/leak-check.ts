/**
 * The leak check: reads a compiled set's split files back from disk and
 * fails when any validation or test record shares its (rule, template,
 * entities) key with a training record. It trusts nothing the compiler
 * remembers, only the files, so it also catches files edited or mixed by hand.
 */

import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { DatasetError, SplitLeakError } from '../errors.js';
import { leakKey, SPLITS, type Split } from './splits.js';

/** The formats a set holds, each a folder of train/validation/test.jsonl. */
export const FORMATS = ['sft', 'dpo'] as const;
export type Format = (typeof FORMATS)[number];

export interface Leak {
  readonly file: string;
  readonly line: number;
  readonly key: string;
}

export interface LeakReport {
  readonly folder: string;
  /** Records read per split file, e.g. "sft/train.jsonl". */
  readonly records: Readonly<Record<string, number>>;
  readonly leaks: readonly Leak[];
  readonly ok: boolean;
}

/** Checks a set's folder; resolves with the report (ok false on a leak). A malformed record is a DatasetError naming file and line. */
export async function checkSplits(folder: string): Promise<LeakReport> {
  const records: Record<string, number> = {};
  const leaks: Leak[] = [];
  let found = 0;
  for (const format of FORMATS) {
    const files = Object.fromEntries(SPLITS.map((s) => [s, path.join(folder, format, `${s}.jsonl`)])) as Record<Split, string>;
    if (!(await exists(files.train))) continue;
    found++;
    const train = new Set<string>();
    records[`${format}/train.jsonl`] = await readKeys(files.train, (key) => void train.add(key));
    for (const split of ['validation', 'test'] as const) {
      if (!(await exists(files[split]))) continue;
      records[`${format}/${split}.jsonl`] = await readKeys(files[split], (key, line) => {
        if (train.has(key)) leaks.push({ file: files[split], line, key });
      });
    }
  }
  if (found === 0) throw new DatasetError(`${folder}: no split files (sft/train.jsonl or dpo/train.jsonl); is this a folder 'studio train dataset' wrote?`);
  return { folder, records, leaks, ok: leaks.length === 0 };
}

/** Like checkSplits, but a leak is a SplitLeakError. */
export async function assertNoLeaks(folder: string): Promise<LeakReport> {
  const report = await checkSplits(folder);
  const first = report.leaks[0];
  if (first) throw new SplitLeakError(folder, report.leaks.length, `${first.file}:${first.line} ${first.key}`);
  return report;
}

async function readKeys(file: string, onKey: (key: string, line: number) => void): Promise<number> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let line = 0;
  let count = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    let record: { metadata?: { rules?: unknown; template?: unknown; entities?: unknown } };
    try {
      record = JSON.parse(text);
    } catch (error) {
      throw new DatasetError(`${file}:${line}: not JSON (${(error as Error).message})`);
    }
    const m = record?.metadata;
    if (!m || !Array.isArray(m.rules) || typeof m.template !== 'string' || !Array.isArray(m.entities)) {
      throw new DatasetError(`${file}:${line}: the record's metadata lacks rules, template or entities, so its leak key cannot be read`);
    }
    onKey(leakKey(m.rules.map(String), m.template, m.entities.map(String)), line);
    count++;
  }
  return count;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
