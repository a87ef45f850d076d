/**
 * Coverage of a policy by its generated data, from the coverage-* named
 * queries: rules without instruction data, rules without a scenario of each
 * label, exceptions without both sides of a boundary pair, terms no item uses.
 */

import type { GraphStore } from '../store/graph-store.js';
import { SCENARIO_LABELS, type ScenarioLabel } from './templates.js';

export interface Coverage {
  readonly policy: string;
  readonly rulesWithoutInstructions: readonly string[];
  readonly rulesWithoutScenarios: Readonly<Record<ScenarioLabel, readonly string[]>>;
  readonly exceptionsWithoutBoundaryPairs: readonly { exception: string; missing: string }[];
  readonly unusedTerms: readonly { term: string; type: string }[];
}

/** Runs the coverage queries for one policy. */
export async function readCoverage(store: GraphStore, policy: string): Promise<Coverage> {
  const params = { policy };
  const [instructions, scenarios, boundaries, terms] = await Promise.all([
    store.namedQuery('coverage-rules-without-instructions', params),
    store.namedQuery('coverage-rules-without-scenarios', params),
    store.namedQuery('coverage-exceptions-without-boundary-pairs', params),
    store.namedQuery('coverage-unused-terms', params),
  ]);
  const byLabel = Object.fromEntries(SCENARIO_LABELS.map((label) => [label, scenarios.filter((r) => r.missing === label).map((r) => String(r.rule))])) as Record<ScenarioLabel, string[]>;
  return {
    policy,
    rulesWithoutInstructions: instructions.map((r) => String(r.rule)),
    rulesWithoutScenarios: byLabel,
    exceptionsWithoutBoundaryPairs: boundaries.map((r) => ({ exception: String(r.exception), missing: String(r.missing) })),
    unusedTerms: terms.map((r) => ({ term: String(r.term), type: String(r.type) })),
  };
}

/** True when nothing is missing. */
export function fullyCovered(coverage: Coverage): boolean {
  return (
    coverage.rulesWithoutInstructions.length === 0 &&
    Object.values(coverage.rulesWithoutScenarios).every((rules) => rules.length === 0) &&
    coverage.exceptionsWithoutBoundaryPairs.length === 0 &&
    coverage.unusedTerms.length === 0
  );
}
