/**
 * What an audit run does beside the command's thread, as plain data in and
 * out, for a worker thread (side-thread.ts): digesting the loaded policy's
 * rules from its kept Turtle, and rendering a batch of results as the
 * N-Triples of the run's graph, while the command's thread asks the model.
 */

import { parseTurtle, type TurtleSource } from '../rdf/turtle.js';
import { nTriples } from '../rdf/serialize.js';
import { readSnapshot } from '../evolution/snapshot.js';
import { ruleDigests } from '../evolution/rule-digests.js';
import { resultQuads } from './to-rdf.js';
import type { RunManifest } from './run-folder.js';
import type { ResultRecord } from './result-record.js';

export type SideTask =
  | { readonly kind: 'digests'; readonly source: TurtleSource }
  | { readonly kind: 'render'; readonly run: RunManifest; readonly records: readonly ResultRecord[] };

export type SideAnswer =
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
  }
}
