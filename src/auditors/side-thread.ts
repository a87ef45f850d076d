/**
 * An audit run's side work (side-task.ts) in a worker thread
 * (src/task-thread.ts): while the command's thread reads the policy's
 * context from the store, the worker reads the suite through and digests the
 * rules; while it asks the model, the worker renders the results' triples.
 * `studio audit run` of 5,000 scenarios spent about a fifth of its time on
 * these (README, Performance, Audits). One thread serves a process; idle, it
 * does not keep the process alive.
 */

import { SuiteError, StudioError } from '../errors.js';
import { TaskThread } from '../task-thread.js';
import type { TurtleSource } from '../rdf/turtle.js';
import type { SideAnswer, SideTask } from './side-task.js';
import type { SuiteFilter, SuiteInfo } from './suite.js';
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

/** describeSuite (suite.ts) in the side thread: the same answer, and the same SuiteError for a wrong line. */
export async function describeSuiteBeside(file: string, filter: SuiteFilter): Promise<SuiteInfo> {
  const answer = await ask({ kind: 'describe', file, filter });
  if ('error' in answer) throw new SuiteError(answer.error.file, answer.error.line, answer.error.detail);
  return answer.suite;
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
