/**
 * An audit's setup beside the command's thread (src/task-thread.ts): while
 * that thread reads the policy's context from the store, a worker reads the
 * suite through and digests the rules. On this 2-core machine the model's
 * endpoint is idle until the first request, so the setup's two halves take
 * the time of the longer one rather than of both; `studio audit run` of
 * 5,000 scenarios spent about a tenth of its time on them (README,
 * Performance, Audits). One thread serves a process; idle, it does not keep
 * the process alive.
 */

import { SuiteError, StudioError } from '../errors.js';
import { TaskThread } from '../task-thread.js';
import type { TurtleSource } from '../rdf/turtle.js';
import type { SetupAnswer, SetupTask } from './setup-task.js';
import type { SuiteFilter, SuiteInfo } from './suite.js';

class SetupThread extends TaskThread<SetupTask, SetupAnswer> {
  constructor() {
    super({ from: import.meta.url, module: './setup-worker.js', work: "preparing the audit", closing: () => new StudioError('the audit setup thread was closed') });
  }
}

let shared: SetupThread | undefined;
const thread = () => (shared ??= new SetupThread());

/** describeSuite (suite.ts) in the setup thread: the same answer, and the same SuiteError for a wrong line. */
export async function describeSuiteBeside(file: string, filter: SuiteFilter): Promise<SuiteInfo> {
  const answer = await thread().run({ kind: 'describe', file, filter });
  if (answer.kind !== 'describe') throw new StudioError(`the audit setup thread answered ${answer.kind} to describe`);
  if ('error' in answer) throw new SuiteError(answer.error.file, answer.error.line, answer.error.detail);
  return answer.suite;
}

/** The digests of a policy's rules (src/evolution/rule-digests.ts) from its Turtle, in the setup thread. */
export async function ruleDigestsBeside(source: TurtleSource): Promise<Map<string, string>> {
  const answer = await thread().run({ kind: 'digests', source });
  if (answer.kind !== 'digests') throw new StudioError(`the audit setup thread answered ${answer.kind} to digests`);
  return new Map(Object.entries(answer.digests));
}
