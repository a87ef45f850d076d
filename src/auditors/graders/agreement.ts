/**
 * Agreement between two graders over the same answers (deterministic checks
 * against a judge, a judge against a reviewer): the 3x3 confusion matrix of
 * their outcomes, raw agreement, Cohen's kappa, and which items they
 * disagree on. Kappa discounts the agreement two graders would reach by
 * chance given how often each gives each outcome, so a judge that passes
 * everything does not look good next to checks that also mostly pass.
 */

import { OUTCOMES, type Outcome } from '../verdict.js';

/** Two graders' outcomes on one item (a scenario or result, named by key). */
export interface OutcomePair {
  readonly key: string;
  readonly a: Outcome;
  readonly b: Outcome;
}

/** Counts of pairs: rows are grader a's outcome, columns grader b's. */
export type ConfusionMatrix = Readonly<Record<Outcome, Readonly<Record<Outcome, number>>>>;

export interface Agreement {
  /** Pairs counted. */
  readonly pairs: number;
  /** Pairs with the same outcome from both. */
  readonly agreed: number;
  readonly matrix: ConfusionMatrix;
  /** agreed / pairs; null when there are no pairs. */
  readonly rawAgreement: number | null;
  /** The agreement expected by chance from each grader's own outcome frequencies; null when there are no pairs. */
  readonly expectedAgreement: number | null;
  /**
   * Cohen's kappa, (raw - expected) / (1 - expected): 1 is perfect, 0 is
   * chance, below 0 worse than chance. When expected agreement is 1 (both
   * graders gave one and the same outcome to every item) raw agreement is 1
   * too, and kappa is taken as 1. Null when there are no pairs.
   */
  readonly kappa: number | null;
  /** The pairs whose outcomes differ, in the order given. */
  readonly disagreements: readonly OutcomePair[];
}

/** Agreement over every pair. */
export function agreementOf(pairs: readonly OutcomePair[]): Agreement {
  const matrix = Object.fromEntries(OUTCOMES.map((a) => [a, Object.fromEntries(OUTCOMES.map((b) => [b, 0]))])) as Record<Outcome, Record<Outcome, number>>;
  for (const pair of pairs) matrix[pair.a][pair.b]++;
  const n = pairs.length;
  const agreed = OUTCOMES.reduce((sum, k) => sum + matrix[k][k], 0);
  const disagreements = pairs.filter((p) => p.a !== p.b);
  if (n === 0) return { pairs: 0, agreed: 0, matrix, rawAgreement: null, expectedAgreement: null, kappa: null, disagreements };
  // Chance agreement in whole numbers (sum of row total x column total, over n squared), so "expected is 1" is exact.
  const chance = OUTCOMES.reduce((sum, k) => sum + OUTCOMES.reduce((r, j) => r + matrix[k][j], 0) * OUTCOMES.reduce((c, j) => c + matrix[j][k], 0), 0);
  const rawAgreement = agreed / n;
  const expectedAgreement = chance / (n * n);
  const kappa = chance === n * n ? 1 : (rawAgreement - expectedAgreement) / (1 - expectedAgreement);
  return { pairs: n, agreed, matrix, rawAgreement, expectedAgreement, kappa, disagreements };
}

/** Agreement over the pairs where both graders decided (passed or failed); `undecided` counts the pairs left out. */
export function decidedAgreementOf(pairs: readonly OutcomePair[]): Agreement & { readonly undecided: number } {
  const decided = pairs.filter((p) => p.a !== 'cantTell' && p.b !== 'cantTell');
  return { ...agreementOf(decided), undecided: pairs.length - decided.length };
}

/** Pairs two graders' outcomes by key; keys only one grader has are listed apart, in the order given. */
export function pairOutcomes(
  a: ReadonlyMap<string, Outcome>,
  b: ReadonlyMap<string, Outcome>,
): { pairs: OutcomePair[]; onlyA: string[]; onlyB: string[] } {
  const pairs: OutcomePair[] = [];
  const onlyA: string[] = [];
  for (const [key, outcome] of a) {
    const other = b.get(key);
    if (other === undefined) onlyA.push(key);
    else pairs.push({ key, a: outcome, b: other });
  }
  const onlyB = [...b.keys()].filter((key) => !a.has(key));
  return { pairs, onlyA, onlyB };
}
