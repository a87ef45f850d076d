/**
 * The parts of an audit's setup that need neither the store nor the model,
 * as plain data in and out, for a worker thread (setup-thread.ts): reading
 * the suite through once (its digest, its policies, how many scenarios pass
 * the filter, every line checked) and the digests of the loaded policy's
 * rules from its kept Turtle. They run there while the command's own thread
 * reads the policy's context from the store.
 */

import { SuiteError } from '../errors.js';
import { parseTurtle, type TurtleSource } from '../rdf/turtle.js';
import { readSnapshot } from '../evolution/snapshot.js';
import { ruleDigests } from '../evolution/rule-digests.js';
import { describeSuite, type SuiteFilter, type SuiteInfo } from './suite.js';

export type SetupTask =
  | { readonly kind: 'describe'; readonly file: string; readonly filter: SuiteFilter }
  | { readonly kind: 'digests'; readonly source: TurtleSource };

export type SetupAnswer =
  | { readonly kind: 'describe'; readonly suite: SuiteInfo }
  /** A line of the suite that is wrong, to be thrown again as the SuiteError it was. */
  | { readonly kind: 'describe'; readonly error: { readonly file: string; readonly line: number; readonly detail: string } }
  | { readonly kind: 'digests'; readonly digests: Readonly<Record<string, string>> };

export async function runSetupTask(task: SetupTask): Promise<SetupAnswer> {
  if (task.kind === 'digests') return { kind: 'digests', digests: Object.fromEntries(ruleDigests(readSnapshot(parseTurtle(task.source)))) };
  try {
    return { kind: 'describe', suite: await describeSuite(task.file, task.filter) };
  } catch (error) {
    if (error instanceof SuiteError) return { kind: 'describe', error: { file: error.file, line: error.line, detail: error.detail } };
    throw error;
  }
}
