/**
 * What an audit run does beside the command's thread, as plain data in and
 * out, for a worker thread (side-thread.ts): reading the suite through once
 * (its digest, its policies, how many scenarios pass the filter, every line
 * checked), digesting the loaded policy's rules from its kept Turtle, and
 * rendering a batch of results as the N-Triples of the run's graph. The first
 * two run while the command's thread reads the policy's context from the
 * store, the third while it asks the model.
 */

import { SuiteError } from '../errors.js';
import { parseTurtle, type TurtleSource } from '../rdf/turtle.js';
import { nTriples } from '../rdf/serialize.js';
import { readSnapshot } from '../evolution/snapshot.js';
import { ruleDigests } from '../evolution/rule-digests.js';
import { describeSuite, type SuiteFilter, type SuiteInfo } from './suite.js';
import { resultQuads } from './to-rdf.js';
import type { RunManifest } from './run-folder.js';
import type { ResultRecord } from './result-record.js';

export type SideTask =
  | { readonly kind: 'describe'; readonly file: string; readonly filter: SuiteFilter }
  | { readonly kind: 'digests'; readonly source: TurtleSource }
  | { readonly kind: 'render'; readonly run: RunManifest; readonly records: readonly ResultRecord[] };

export type SideAnswer =
  | { readonly kind: 'describe'; readonly suite: SuiteInfo }
  /** A line of the suite that is wrong, to be thrown again as the SuiteError it was. */
  | { readonly kind: 'describe'; readonly error: { readonly file: string; readonly line: number; readonly detail: string } }
  | { readonly kind: 'digests'; readonly digests: Readonly<Record<string, string>> }
  | { readonly kind: 'render'; readonly text: string; readonly triples: number };

export async function runSideTask(task: SideTask): Promise<SideAnswer> {
  switch (task.kind) {
    case 'digests':
      return { kind: 'digests', digests: Object.fromEntries(ruleDigests(readSnapshot(parseTurtle(task.source)))) };
    case 'render': {
      const quads = task.records.flatMap((record) => resultQuads(task.run, record));
      return { kind: 'render', text: nTriples(quads), triples: quads.length };
    }
    case 'describe':
      try {
        return { kind: 'describe', suite: await describeSuite(task.file, task.filter) };
      } catch (error) {
        if (error instanceof SuiteError) return { kind: 'describe', error: { file: error.file, line: error.line, detail: error.detail } };
        throw error;
      }
  }
}
