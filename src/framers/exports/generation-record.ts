/**
 * The record a generation run leaves in a policy's dataset folder, beside the
 * datasets it wrote: which version of the generated graph they were written
 * with (its IRI, policy, policy version, triple count and write time, as the
 * store lists it) and the SHA-256 of the files that hold the items' texts.
 * `studio generate --changed` takes the texts of the items it keeps from
 * those files rather than from the graph only while the record names the
 * graph the store holds now and every digest matches the file's bytes: a
 * folder edited by hand, written by another run, or missing a file, gives
 * way to the graph.
 *
 * The file name opens with a dot, so that readers that take every data file
 * of a folder (the Hugging Face datasets library) leave it out.
 */

import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DerivedGraph } from '../../store/graph-store.js';
import type { GeneratedIndexRecord } from '../generated-index.js';
import type { WrittenSkill } from './instructlab.js';

export const GENERATION_RECORD = '.generation.json';

/** The files whose digests the record keeps: the eval suite (turns and reference answer) and the preference pairs (rejected answer). */
export const RECORDED_FILES = ['eval.jsonl', 'preference.jsonl'] as const;
export type RecordedFile = (typeof RECORDED_FILES)[number];

export interface GenerationRecord {
  readonly graph: Pick<DerivedGraph, 'graph' | 'policy' | 'policySha256' | 'triples' | 'writtenAt'>;
  /** The system prompt the records open with (taken off again to get an item's own turns). */
  readonly systemPrompt: string;
  /** SHA-256 (hex) of each recorded file, and of chat.jsonl, whose lines of the items kept `--changed` copies with theirs (not in a record an older studio wrote). */
  readonly files: Readonly<Record<RecordedFile, string>> & { readonly 'chat.jsonl'?: string };
  /** What the graph holds, in brief (generated-index.ts), with each item's activity in the order of the files' lines; absent after a run that did not count it (augmented). */
  readonly generated?: GeneratedIndexRecord;
  /** Each InstructLab qna.yaml written, by its path under instructlab/, for a later run to leave as it is (instructlab.ts); not in a record an older studio wrote. */
  readonly taxonomy?: Readonly<Record<string, WrittenSkill>>;
}

/** Writes the record (to a temporary name first, so that a crash leaves none rather than half of one). */
export async function writeGenerationRecord(folder: string, record: GenerationRecord): Promise<void> {
  const { graph, policy, policySha256, triples, writtenAt } = record.graph;
  const file = path.join(folder, GENERATION_RECORD);
  const { generated, ...rest } = record;
  const text = JSON.stringify({ ...rest, graph: { graph, policy, policySha256, triples, writtenAt } }, null, 2);
  // The index of the graph (an entry per item) on one line of its own, not a line per item.
  await writeFile(`${file}.tmp`, (generated ? `${text.slice(0, -2)},\n  "generated": ${JSON.stringify(generated)}\n}` : text) + '\n');
  await rename(`${file}.tmp`, file);
}

/** Removes the record: the files it vouches for are about to be written again. */
export async function dropGenerationRecord(folder: string): Promise<void> {
  await rm(path.join(folder, GENERATION_RECORD), { force: true });
}

/** The folder's record, when there is one that names this version of the graph; undefined otherwise (no record, another version, unreadable). */
export async function generationRecordOf(folder: string, graph: DerivedGraph): Promise<GenerationRecord | undefined> {
  let record: GenerationRecord;
  try {
    record = JSON.parse(await readFile(path.join(folder, GENERATION_RECORD), 'utf8')) as GenerationRecord;
  } catch {
    return undefined;
  }
  const named = record?.graph;
  if (!named || typeof record.systemPrompt !== 'string' || typeof record.files !== 'object' || record.files === null) return undefined;
  if (!RECORDED_FILES.every((f) => typeof record.files[f] === 'string')) return undefined;
  const same = named.graph === graph.graph && named.policy === graph.policy && named.policySha256 === graph.policySha256 && named.triples === graph.triples && named.writtenAt === graph.writtenAt;
  if (!same) return undefined;
  // A taxonomy that does not read as one is no record of it: every qna.yaml is written.
  if (record.taxonomy !== undefined && !writtenSkills(record.taxonomy)) {
    const { taxonomy: _, ...rest } = record;
    return rest;
  }
  return record;
}

/** Whether a record's taxonomy reads as written files (instructlab.ts WrittenSkill) by their paths. */
function writtenSkills(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((skill: unknown) => {
    const s = skill as Partial<WrittenSkill> | null;
    return typeof s === 'object' && s !== null && typeof s.inputs === 'string' && typeof s.sha256 === 'string' && typeof s.examples === 'number';
  });
}
