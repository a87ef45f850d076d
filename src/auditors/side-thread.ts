/**
 * An audit run's side work (side-task.ts) in a worker thread
 * (src/task-thread.ts): while the command's thread asks the model, the
 * worker digests the rules and renders the results' triples. `studio audit
 * run` of 5,000 scenarios spent about a fifth of its time on these (README,
 * Performance, Audits). One thread serves a process; idle, it does not keep
 * the process alive.
 */

import { StudioError } from '../errors.js';
import { TaskThread } from '../task-thread.js';
import type { TurtleSource } from '../rdf/turtle.js';
import type { SideAnswer, SideTask } from './side-task.js';
import type { RunManifest } from './run-folder.js';
import type { ResultRecord } from './result-record.js';

class SideThread extends TaskThread<SideTask, SideAnswer> {
  constructor() {
    super({ from: import.meta.url, module: './side-worker.js', work: 'an audit run\'s side work', closing: () => new StudioError('the audit side thread was closed') });
  }
}

let shared: SideThread | undefined;
const thread = () => (shared ??= new SideThread());

async function ask<K extends SideAnswer['kind']>(task: SideTask & { kind: K }): Promise<SideAnswer & { kind: K }> {
  const answer = await thread().run(task);
  if (answer.kind !== task.kind) throw new StudioError(`the audit side thread answered ${answer.kind} to ${task.kind}`);
  return answer as SideAnswer & { kind: K };
}

/** The digests of a policy's rules (src/evolution/rule-digests.ts) from its Turtle, in the side thread. */
export async function ruleDigestsBeside(source: TurtleSource): Promise<Map<string, string>> {
  return new Map(Object.entries((await ask({ kind: 'digests', source })).digests));
}

/** The N-Triples of results as the run's graph holds them (resultQuads of to-rdf.ts, checked), in the side thread. */
export async function resultTriplesBeside(run: RunManifest, records: readonly ResultRecord[]): Promise<{ text: string; triples: number }> {
  const { text, triples } = await ask({ kind: 'render', run, records });
  return { text, triples };
}
