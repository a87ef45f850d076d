/**
 * Agreement between two graders, against numbers worked out by hand.
 */

import { describe, expect, it } from 'vitest';
import { agreementOf, decidedAgreementOf, pairOutcomes, type OutcomePair } from '../../../src/auditors/graders/agreement.js';
import type { Outcome } from '../../../src/auditors/verdict.js';

/** Pairs from "a/b" shorthand: p passed, f failed, c cantTell; keys k1, k2 ... */
function pairs(spec: string): OutcomePair[] {
  const full: Record<string, Outcome> = { p: 'passed', f: 'failed', c: 'cantTell' };
  return spec.split(' ').map((s, i) => ({ key: `k${i + 1}`, a: full[s[0]!]!, b: full[s[2]!]! }));
}

// Ten items. Rows (a): passed 5, failed 4, cantTell 1; columns (b): passed 5, failed 3, cantTell 2.
// Agreed: 4 + 2 + 1 = 7, raw 0.7. Chance: (5x5 + 4x3 + 1x2) / 100 = 0.39. Kappa: 0.31 / 0.61.
const TEN = pairs('p/p p/p p/p p/p p/f f/p f/f f/f f/c c/c');

describe('agreementOf', () => {
  it('counts the confusion matrix, raw agreement, chance agreement and kappa', () => {
    const result = agreementOf(TEN);
    expect(result.matrix).toEqual({
      passed: { passed: 4, failed: 1, cantTell: 0 },
      failed: { passed: 1, failed: 2, cantTell: 1 },
      cantTell: { passed: 0, failed: 0, cantTell: 1 },
    });
    expect(result.pairs).toBe(10);
    expect(result.agreed).toBe(7);
    expect(result.rawAgreement).toBeCloseTo(0.7, 12);
    expect(result.expectedAgreement).toBeCloseTo(0.39, 12);
    expect(result.kappa).toBeCloseTo(0.31 / 0.61, 12);
    expect(result.disagreements).toEqual([
      { key: 'k5', a: 'passed', b: 'failed' },
      { key: 'k6', a: 'failed', b: 'passed' },
      { key: 'k9', a: 'failed', b: 'cantTell' },
    ]);
  });

  it.each([
    // Both always pass: chance agreement is 1, and kappa is taken as 1.
    ['one shared outcome throughout', 'p/p p/p p/p', 1, 1, 1],
    // a always passes, b always fails: no agreement, none expected by chance.
    ['opposite constant graders', 'p/f p/f', 0, 0, 0],
    // Each says the opposite of the other on a balanced set: chance 0.5, kappa (0 - 0.5) / 0.5.
    ['systematic opposition', 'p/f f/p', 0, 0.5, -1],
    // Chance (3x2 + 1x2) / 16 = 0.5; raw 0.75; kappa 0.25 / 0.5.
    ['mostly agreeing', 'p/p p/p p/f f/f', 0.75, 0.5, 0.5],
  ])('%s', (_name, spec, raw, expected, kappa) => {
    const result = agreementOf(pairs(spec));
    expect(result.rawAgreement).toBeCloseTo(raw, 12);
    expect(result.expectedAgreement).toBeCloseTo(expected, 12);
    expect(result.kappa).toBeCloseTo(kappa, 12);
  });

  it('has no agreement figures for no pairs', () => {
    expect(agreementOf([])).toMatchObject({ pairs: 0, agreed: 0, rawAgreement: null, expectedAgreement: null, kappa: null, disagreements: [] });
  });
});

describe('decidedAgreementOf', () => {
  it('counts only the pairs where both graders decided', () => {
    // Left: p/p x4, p/f, f/p, f/f x2. Raw 6/8; rows and columns both passed 5, failed 3;
    // chance (25 + 9) / 64 = 0.53125; kappa 0.21875 / 0.46875 = 7/15.
    const result = decidedAgreementOf(TEN);
    expect(result.undecided).toBe(2);
    expect(result.pairs).toBe(8);
    expect(result.matrix.cantTell).toEqual({ passed: 0, failed: 0, cantTell: 0 });
    expect(result.matrix.failed.cantTell).toBe(0);
    expect(result.rawAgreement).toBeCloseTo(0.75, 12);
    expect(result.expectedAgreement).toBeCloseTo(0.53125, 12);
    expect(result.kappa).toBeCloseTo(7 / 15, 12);
    expect(result.disagreements.map((d) => d.key)).toEqual(['k5', 'k6']);
  });
});

describe('pairOutcomes', () => {
  it('pairs items by key and lists those only one grader judged', () => {
    const a = new Map<string, Outcome>([['r1', 'passed'], ['r2', 'failed'], ['r3', 'cantTell']]);
    const b = new Map<string, Outcome>([['r2', 'passed'], ['r4', 'failed'], ['r1', 'passed']]);
    expect(pairOutcomes(a, b)).toEqual({
      pairs: [{ key: 'r1', a: 'passed', b: 'passed' }, { key: 'r2', a: 'failed', b: 'passed' }],
      onlyA: ['r3'],
      onlyB: ['r4'],
    });
  });
});
