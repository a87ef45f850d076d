/**
 * A run's graph written while the run goes. Each result, as it is
 * journalled, joins a batch; a full batch is rendered in the side thread
 * (side-thread.ts) and appended to the graph's new version, in the order
 * journalled, while the command's thread asks the model; at the end the
 * run's own triples follow and the version is committed. The graph is the
 * one writeRunGraph (audit-run.ts) writes from the journal, byte for byte
 * (tests/auditors/run-graph-draft.test.ts): the results in journal order,
 * then the run. Written after the run, 5,000 results' graph took about a
 * sixth of `studio audit run`.
 *
 * Only a run begun by this call and carrying nothing over is drafted; a
 * resumed or carrying run, or one whose drafting failed (a term no store can
 * keep, say), is written from its journal by writeRunGraph, which then
 * reports what failed.
 */

import type { DerivedGraph, DerivedGraphWriter } from '../store/graph-store.js';
import type { ResultRecord } from './result-record.js';
import type { RunFolder } from './run-folder.js';
import type { GraderRef } from './verdict.js';
import { resultTriplesBeside } from './side-thread.js';
import { runQuads } from './to-rdf.js';

/** Results rendered together in the side thread, unless told. */
const DRAFT_BATCH = 250;

export class RunGraphDraft {
  private batch: ResultRecord[] = [];
  private writing: Promise<void> = Promise.resolve();
  private failed = false;
  /** The rules the results test, in the order first met, and the graders that gave their verdicts. */
  private readonly rules = new Set<string>();
  private readonly graders = new Map<string, GraderRef>();

  constructor(
    private readonly run: RunFolder,
    private readonly writer: DerivedGraphWriter,
    private readonly batchSize = DRAFT_BATCH,
  ) {}

  /** A result just journalled (in the order journalled). */
  add(record: ResultRecord): void {
    for (const rule of record.rules) this.rules.add(rule);
    for (const v of record.verdicts) this.graders.set(v.grader.id, v.grader);
    this.batch.push(record);
    if (this.batch.length >= this.batchSize) this.flush();
  }

  /**
   * Appends the run's own triples (naming `graders` first, then those the results name, and the text each tested
   * rule had) and commits; undefined when drafting failed, the writer then aborted.
   */
  async commit(graders: readonly GraderRef[]): Promise<DerivedGraph | undefined> {
    this.flush();
    await this.writing;
    if (this.failed) {
      await this.writer.abort();
      return undefined;
    }
    try {
      const allGraders = new Map<string, GraderRef>();
      for (const g of graders) allGraders.set(g.id, g);
      for (const [id, g] of this.graders) allGraders.set(id, g);
      const textOf = await this.run.readRuleTexts();
      const texts = new Map<string, string>();
      for (const rule of this.rules) if (textOf.has(rule)) texts.set(rule, textOf.get(rule)!);
      await this.writer.append(runQuads(this.run.manifest, [...allGraders.values()], texts));
      return await this.writer.commit();
    } finally {
      await this.writer.abort();
    }
  }

  /** Drops what was drafted (a run that stopped before its end). */
  async abort(): Promise<void> {
    this.failed = true;
    await this.writing;
    await this.writer.abort();
  }

  private flush(): void {
    const records = this.batch;
    this.batch = [];
    if (records.length === 0 || this.failed) return;
    this.writing = this.writing
      .then(async () => {
        if (this.failed) return;
        const { text, triples } = await resultTriplesBeside(this.run.manifest, records);
        await this.writer.appendNTriples(text, triples);
      })
      .catch(() => {
        this.failed = true;
      });
  }
}
