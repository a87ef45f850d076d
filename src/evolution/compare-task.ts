/**
 * What the API's /diff and /impact routes ask of a worker thread, as plain
 * data in and out: two versions of a policy as Turtle, parsed there and
 * compared (`studio diff`) or weighed (`studio impact`, which also runs
 * conflict detection on both).
 */

import type { TurtleSource } from '../rdf/turtle.js';
import { parseTurtle } from '../rdf/turtle.js';
import type { Principle } from '../conflicts/precedence.js';
import { diffPolicies, hasChanges, type PolicyDiff } from './diff.js';
import { policyImpact, type PolicyImpact } from './impact.js';

export interface CompareTask {
  readonly kind: 'diff' | 'impact';
  readonly before: TurtleSource;
  readonly after: TurtleSource;
  /** The order of precedence principles conflict detection applies (impact). */
  readonly precedence: readonly Principle[];
}

export type CompareAnswer = { readonly changed: boolean } & ({ readonly diff: PolicyDiff } | { readonly impact: PolicyImpact });

/** Parses both versions and compares them. */
export async function runCompareTask(task: CompareTask): Promise<CompareAnswer> {
  const before = { source: task.before, quads: parseTurtle(task.before) };
  const after = { source: task.after, quads: parseTurtle(task.after) };
  if (task.kind === 'diff') {
    const diff = diffPolicies(before.quads, after.quads);
    return { changed: hasChanges(diff), diff };
  }
  const impact = await policyImpact(before, after, { precedence: task.precedence });
  return { changed: hasChanges(impact.diff), impact };
}
