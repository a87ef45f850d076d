/**
 * What a run made with --only-affected writes of the results it carried
 * over: nothing but a reference. Its graph states the run it carries from
 * (studio:carriesOverFrom) and the scenarios of that run it leaves out
 * (studio:leavesOut: asked again, not in its suite any more, or reviewed in
 * it), so that writing it takes time in proportion to the change, not to the
 * suite; the audit queries read the carried results from the earlier runs'
 * graphs (to-rdf.ts tells how). The journal still holds every result whole:
 * summaries, reports and change reports read it as before.
 *
 * A carried result stays in the run's graph whole (written as its own) when
 * a reviewer gave a verdict on it, in this run or in a run of the chain it
 * comes from: this run's reviews decide its own copy, and a review an earlier
 * run's graph holds from before reviews were marked (studio:decidesUnreviewed)
 * could otherwise hide the machine verdict the run took over.
 */

import path from 'node:path';
import { AuditRunError } from '../errors.js';
import type { GraphStore } from '../store/graph-store.js';
import { BULK_READ, journalRecords, unchained } from './journal.js';
import { headOf, namesAsker, type Head } from './carry-over.js';
import { fileLines } from '../io/file-lines.js';
import type { HumanRecord, ResultRecord } from './result-record.js';
import { RunFolder, runGraphIri } from './run-folder.js';

/** How a run's graph refers to the results it carries over. */
export interface CarriedByReference {
  /** The run it carries from. */
  readonly since: RunFolder;
  /** Scenarios reviewed in this run or in a run of its chain: written whole even when carried. */
  readonly reviewed: ReadonlySet<string>;
}

/**
 * The run a run carries from, with the scenarios reviewed along the chain;
 * AuditRunError when that run's folder is gone or a run of the chain has no
 * graph in the store (its results would be missing from every query).
 */
export async function carriedByReference(store: GraphStore, run: RunFolder): Promise<CarriedByReference | undefined> {
  if (!run.manifest.since) return undefined;
  const auditsDir = path.dirname(run.folder);
  const since = await RunFolder.open(auditsDir, run.manifest.since).catch((error: unknown) => {
    throw new AuditRunError(`run ${run.manifest.id} carries its results over from run ${run.manifest.since}, whose folder cannot be read: ${(error as Error).message}`);
  });
  const graphs = new Set((await store.listDerivedGraphs(run.manifest.policy)).map((g) => g.graph));
  const reviewed = await reviewedCases(run);
  const seen = new Set([run.manifest.id]);
  for (let link: RunFolder | undefined = since; link; ) {
    if (seen.has(link.manifest.id)) throw new AuditRunError(`run ${run.manifest.id}: the runs it carries over from form a loop at ${link.manifest.id}`);
    seen.add(link.manifest.id);
    if (!graphs.has(runGraphIri(link.manifest.id))) {
      throw new AuditRunError(
        `run ${run.manifest.id} carries results over from run ${link.manifest.id}, whose graph this store does not hold; write that run's graph first (studio audit graph ${link.manifest.id}), then this one`,
      );
    }
    for (const scenario of await reviewedCases(link)) reviewed.add(scenario);
    // A run further down the chain whose folder was removed: its graph (checked above) marks its own reviews.
    link = link.manifest.since ? await RunFolder.open(auditsDir, link.manifest.since).catch(() => undefined) : undefined;
  }
  return { since, reviewed };
}

async function reviewedCases(run: RunFolder): Promise<Set<string>> {
  const cases = new Set<string>();
  for await (const h of journalRecords<HumanRecord>(run.human)) cases.add(h.case);
  return cases;
}

/** A result of a run's journal as its graph takes it: parsed whole, or, carried by reference, its scenario and rules only. */
export type GraphResult = { readonly record: ResultRecord } | { readonly carried: string; readonly rules: readonly string[] };

/**
 * The results of a run's journal for its graph, in order. A result the run
 * carried over (it ends naming the run that asked it) and no reviewer
 * decided along the chain is read only as far as its scenario and rules:
 * the graph refers to it, naming only its rules' texts. Every other result
 * is parsed whole, and so is the first carried one, for the graders it names:
 * those of every carried result (a run carries only from runs graded by the
 * same graders, and every grader grades every result).
 */
export async function* graphResults(file: string, carry: CarriedByReference | undefined): AsyncGenerator<GraphResult> {
  if (!carry) {
    for await (const record of journalRecords<ResultRecord>(file)) yield { record };
    return;
  }
  let line = 0;
  let graders = false;
  try {
    for await (const { bytes } of fileLines(file, { chunkBytes: BULK_READ })) {
      line++;
      const open: Buffer | undefined = graders ? unchained(bytes) : undefined;
      const head: Head | undefined = open && namesAsker(open) === true ? headOf(open, file, line) : undefined;
      if (head && !head.record && !carry.reviewed.has(head.scenario)) yield { carried: head.scenario, rules: head.rules };
      else {
        const record: ResultRecord = head?.record ?? (JSON.parse(bytes.toString('utf8')) as ResultRecord);
        graders ||= record.carriedOverFrom !== undefined;
        yield { record };
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    if (error instanceof SyntaxError) throw new AuditRunError(`${file}:${line}: not a whole result; the journal was edited or the disk is damaged.`);
    throw error;
  }
}

/** The scenario of each result in a journal, without parsing the rest of its line (each line begins with it). */
export async function* journalCases(file: string): AsyncGenerator<string> {
  let line = 0;
  try {
    for await (const { bytes } of fileLines(file, { chunkBytes: BULK_READ })) {
      line++;
      yield caseOf(bytes);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    if (error instanceof SyntaxError || error instanceof TypeError) throw new AuditRunError(`${file}:${line}: not a whole result; the journal was edited or the disk is damaged.`);
    throw error;
  }
}

const PREFIX = Buffer.from('{"case":"');

function caseOf(bytes: Buffer): string {
  if (bytes.subarray(0, PREFIX.length).equals(PREFIX)) {
    // The end of the first JSON string: the first quote not escaped.
    for (let i = PREFIX.length; i < bytes.length; i++) {
      if (bytes[i] === 0x5c) i++;
      else if (bytes[i] === 0x22) return JSON.parse(bytes.toString('utf8', PREFIX.length - 1, i + 1)) as string;
    }
  }
  const record = JSON.parse(bytes.toString('utf8')) as { case?: unknown };
  if (typeof record.case !== 'string') throw new TypeError('no case');
  return record.case;
}
