/**
 * Coverage of a policy by its generated data, from the coverage-* named
 * queries: rules without instruction data, rules without a scenario of each
 * label, exceptions without both sides of a boundary pair, terms no item uses.
 * A generation run counts the rules' part from the context it generated from
 * and its own items instead (CoveredByItems).
 */

import type { GraphStore, ReadOptions } from '../store/graph-store.js';
import type { Item } from './item.js';
import type { KeptBlock } from './generate.js';
import { RULE_KINDS, type PolicyContext } from './policy-context.js';
import { BOUNDARY_SIDES, SCENARIO_LABELS, type ScenarioLabel } from './templates.js';

export interface Coverage {
  readonly policy: string;
  readonly rulesWithoutInstructions: readonly string[];
  readonly rulesWithoutScenarios: Readonly<Record<ScenarioLabel, readonly string[]>>;
  readonly exceptionsWithoutBoundaryPairs: readonly { exception: string; missing: string }[];
  readonly unusedTerms: readonly { term: string; type: string }[];
}

/**
 * The coverage of one policy. Without `made`, the coverage queries over the
 * graph. With `made`, what a generation run just made, which its generated
 * graph now holds exactly: the rules, scenario labels and boundary sides left
 * open are counted from the run's context and items (at 10,000 rules the three
 * queries took half a second, for rows the run already knows), and only the
 * terms are asked of the store (a term's every class counts, which the context
 * does not keep), told that it may leave the generated graph out (the embedded
 * store then never reads it into oxigraph); each term an item of the run uses
 * is taken off here, as the query's MINUS would have. `options` are those of
 * that read (a selective run reads it aside, as it read its context).
 */
export async function readCoverage(store: GraphStore, policy: string, made?: CoveredByItems, options: ReadOptions = {}): Promise<Coverage> {
  const params = { policy };
  if (made) {
    const terms = await store.namedQuery('coverage-unused-terms', params, { ...options, skips: [made.kind] });
    return { policy, ...made.openRules(), unusedTerms: terms.filter((r) => !made.terms.has(String(r.term))).map((r) => ({ term: String(r.term), type: String(r.type) })) };
  }
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

  /** What an item derives from that is the policy's: its provisions and detected conflicts. */
  private readonly provisions: ReadonlySet<string>;

  /** `kind`: the kind of derived graph the items are kept in; `context`: the policy's, as the run generated from it. */
  constructor(
    readonly kind: string,
    private readonly context: PolicyContext,
  ) {
    this.provisions = new Set([...context.provision.keys(), ...context.conflicts.map((c) => c.iri)]);
  }

  add(item: Item): void {
    this.covers(item.conflict ? [...item.derivedFrom, item.conflict] : item.derivedFrom, item.type, item.label, item.boundary, item.terms);
  }

  /** A rule's block kept whole: its items, each derived from the rule alone, as their templates say. */
  addBlock(block: KeptBlock): void {
    const from = [block.rule.iri];
    for (const { template, terms } of block.earlier) this.covers(from, template.type, template.label || undefined, template.boundary || undefined, terms);
  }

  private covers(from: readonly string[], type: Item['type'], label: Item['label'], boundary: Item['boundary'], terms: readonly string[]): void {
    for (const p of from) {
      if (type === 'Instruction') this.instructions.add(p);
      if (type === 'Scenario' && label) this.scenarios.add(`${p}\n${label}`);
      if (boundary) this.boundaries.add(`${p}\n${boundary}`);
    }
    if (from.some((p) => this.provisions.has(p))) for (const t of terms) this.terms.add(t);
  }

  /**
   * What the coverage queries' rules part would leave open once the run's items
   * are in the graph, counted from the context: the rules (obligations,
   * prohibitions, permissions, recommendations) no instruction derives from;
   * each (rule, scenario label) no scenario covers; each side of an exception
   * to something other than a definition that no boundary scenario covers.
   * In IRI order (the context's), then label and side order, as the queries
   * sort them.
   */
  openRules(): Pick<Coverage, 'rulesWithoutInstructions' | 'rulesWithoutScenarios' | 'exceptionsWithoutBoundaryPairs'> {
    const rules = this.context.provisions.filter((p) => RULE_KINDS.includes(p.kind)).map((p) => p.iri);
    const exceptions = this.context.provisions.filter((p) => p.kind === 'Exception' && p.exceptionTo.some((base) => this.context.provision.get(base)?.kind !== 'Definition'));
    return {
      rulesWithoutInstructions: rules.filter((rule) => !this.instructions.has(rule)),
      rulesWithoutScenarios: Object.fromEntries(SCENARIO_LABELS.map((label) => [label, rules.filter((rule) => !this.scenarios.has(`${rule}\n${label}`))])) as Record<ScenarioLabel, string[]>,
      exceptionsWithoutBoundaryPairs: exceptions.flatMap((e) => BOUNDARY_SIDES.filter((side) => !this.boundaries.has(`${e.iri}\n${side}`)).map((missing) => ({ exception: e.iri, missing }))),
    };
  }
}
