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
import { RunNames } from './to-rdf.js';

/** Results rendered together in the side thread, unless told. */
const DRAFT_BATCH = 250;

export class RunGraphDraft {
  private batch: ResultRecord[] = [];
  private writing: Promise<void> = Promise.resolve();
  private failed = false;
  /** What the run's own triples name, as writeRunGraph gathers it. */
  private readonly names: RunNames;

  /** `graders`: those the run's triples name first, as writeRunGraph is given them. */
  constructor(
    private readonly run: RunFolder,
    private readonly writer: DerivedGraphWriter,
    graders: readonly GraderRef[],
    private readonly batchSize = DRAFT_BATCH,
  ) {
    this.names = new RunNames(graders);
  }

  /** A result just journalled (in the order journalled). */
  add(record: ResultRecord): void {
    this.names.meetRules(record.rules);
    this.names.meetGraders(record.verdicts);
    this.batch.push(record);
    if (this.batch.length >= this.batchSize) this.flush();
  }

  /**
   * Appends the run's own triples (the graders and the text each tested rule had) and commits; undefined when
   * drafting failed, the writer then aborted.
   */
  async commit(): Promise<DerivedGraph | undefined> {
    this.flush();
    await this.writing;
    if (this.failed) {
      await this.writer.abort();
      return undefined;
    }
    try {
      await this.writer.append(this.names.quads(this.run.manifest, await this.run.readRuleTexts()));
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
