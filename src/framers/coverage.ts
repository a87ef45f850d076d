/**
 * Coverage of a policy by its generated data, from the coverage-* named
 * queries: rules without instruction data, rules without a scenario of each
 * label, exceptions without both sides of a boundary pair, terms no item uses.
 */

import type { GraphStore } from '../store/graph-store.js';
import type { Item } from './item.js';
import { SCENARIO_LABELS, type ScenarioLabel } from './templates.js';

export interface Coverage {
  readonly policy: string;
  readonly rulesWithoutInstructions: readonly string[];
  readonly rulesWithoutScenarios: Readonly<Record<ScenarioLabel, readonly string[]>>;
  readonly exceptionsWithoutBoundaryPairs: readonly { exception: string; missing: string }[];
  readonly unusedTerms: readonly { term: string; type: string }[];
}

/**
 * Runs the coverage queries for one policy. With `made`, what a generation
 * run just made, which its generated graph now holds exactly: the queries
 * are told that they may leave the generated graph out (the embedded store
 * then never reads it into oxigraph, which at 10,000 rules took longer than
 * the rest of `generate --changed`), and each row an item of the run covers
 * is taken off here, as the query's MINUS would have; a row the graph
 * already took off stays off.
 */
export async function readCoverage(store: GraphStore, policy: string, made?: CoveredByItems): Promise<Coverage> {
  const params = { policy };
  const options = made ? { skips: [made.kind] } : {};
  let [instructions, scenarios, boundaries, terms] = await Promise.all([
    store.namedQuery('coverage-rules-without-instructions', params, options),
    store.namedQuery('coverage-rules-without-scenarios', params, options),
    store.namedQuery('coverage-exceptions-without-boundary-pairs', params, options),
    store.namedQuery('coverage-unused-terms', params, options),
  ]);
  if (made) {
    instructions = instructions.filter((r) => !made.instructions.has(String(r.rule)));
    scenarios = scenarios.filter((r) => !made.scenarios.has(`${String(r.rule)}\n${String(r.missing)}`));
    boundaries = boundaries.filter((r) => !made.boundaries.has(`${String(r.exception)}\n${String(r.missing)}`));
    terms = terms.filter((r) => !made.terms.has(String(r.term)));
  }
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

/**
 * What a run's items cover, as the coverage queries' MINUS parts read it from
 * the generated graph: the provisions an instruction derives from
 * (prov:wasDerivedFrom: its provisions and the conflict it stages), each
 * (provision, label) of a scenario, each (provision, side) of a boundary
 * scenario, and the terms of items derived from a provision of the policy.
 */
export class CoveredByItems {
  readonly instructions = new Set<string>();
  readonly scenarios = new Set<string>();
  readonly boundaries = new Set<string>();
  readonly terms = new Set<string>();

  /** `kind`: the kind of derived graph the items are kept in; `provisions`: the policy's provisions. */
  constructor(
    readonly kind: string,
    private readonly provisions: ReadonlySet<string>,
  ) {}

  add(item: Item): void {
    const from = item.conflict ? [...item.derivedFrom, item.conflict] : item.derivedFrom;
    for (const p of from) {
      if (item.type === 'Instruction') this.instructions.add(p);
      if (item.type === 'Scenario' && item.label) this.scenarios.add(`${p}\n${item.label}`);
      if (item.boundary) this.boundaries.add(`${p}\n${item.boundary}`);
    }
    if (from.some((p) => this.provisions.has(p))) for (const t of item.terms) this.terms.add(t);
  }
}
