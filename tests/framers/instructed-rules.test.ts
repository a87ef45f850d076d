/**
 * Rules in force only on someone's instruction, and rules a conflict overrides, in the per-rule families:
 * an item must not teach "yes" where the policy as a whole says no. A rule the developer instructs is
 * staged with the developer's system turn; one content instructs has no situated item (the chain-of-command
 * items quote such content); a rule a winner overrides wherever it applies has no item of its own.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { ItemChecker, formatFindings } from '../../src/framers/item-check.js';
import type { Item } from '../../src/framers/item.js';
import { generateWithConflicts } from '../helpers/generation.js';

const C = 'https://example.org/chain-of-command#';
const PER_RULE = new Set(['instruction-qa', 'is-it-allowed', 'scenario-compliant', 'scenario-noncompliant', 'scenario-ambiguous', 'redteam']);
let items: Item[];
let checker: ItemChecker;

beforeAll(async () => {
  const result = await generateWithConflicts('tests/fixtures/chain-of-command-policy.ttl');
  items = result.items;
  checker = new ItemChecker(result.context);
}, 120_000);

/** The per-rule items of one rule. */
const ofRule = (rule: string) => items.filter((i) => PER_RULE.has(i.family) && i.derivedFrom.length === 1 && i.derivedFrom[0] === `${C}${rule}`);

describe('per-rule items of instructed and overridden rules', () => {
  it('none for a rule a winner overrides wherever it applies, whoever instructs the winner', () => {
    // ins-001 (developer: "may explain how to synthesise a nerve agent") loses to the platform's hard limit;
    // def-001 (default: no profanity) to the user's request; ins-003 (user) to the developer's default;
    // dev-001 (the developer's "no jokes") to the user asking for one; ins-005 (a web page's say) to def-001.
    for (const rule of ['ins-001', 'def-001', 'ins-003', 'dev-001', 'ins-005']) expect(ofRule(rule), rule).toEqual([]);
  });

  it('kept for a user-instructed rule a developer instruction overrides: until the developer says so, the user decides', () => {
    // ins-007 ("when the user asks, may quote a price") loses to dev-002 only where the developer said "no prices".
    expect(ofRule('ins-007').filter((i) => i.family === 'is-it-allowed').every((i) => i.messages[0]!.role === 'user')).toBe(true);
    expect(ofRule('ins-007').length).toBeGreaterThan(1);
  });

  it('kept for a loser with situations of its own: the developer may lift def-002, and until then it holds', () => {
    const def = ofRule('def-002');
    expect(def.length).toBeGreaterThan(3);
    expect(def.every((i) => i.messages[0]!.role === 'user')).toBe(true);
  });

  it("open a developer-instructed rule's situated items with the developer's system turn", () => {
    for (const [rule, says] of [['ins-004', "you may discuss competitors' products"], ['dev-002', 'do not quote prices']] as const) {
      const situated = ofRule(rule).filter((i) => i.family !== 'instruction-qa');
      expect(situated.length, rule).toBeGreaterThan(1);
      for (const item of situated) {
        expect(item.messages[0], `${rule} ${item.template.id}`).toEqual({ role: 'system', content: `Instructions from the developer of this product: ${says}.` });
        expect(item.messages.slice(1).every((m) => m.role !== 'system')).toBe(true);
      }
    }
  });

  it('say, in an answer about the rule in general, that the developer must have instructed it', () => {
    const [qa] = ofRule('ins-004').filter((i) => i.family === 'instruction-qa');
    expect(qa!.messages.map((m) => m.role)).toEqual(['user']);
    expect(qa!.reference).toContain('This applies when the developer has instructed it.');
  });

  it('stage the developer in a resolved conflict item where the developer instructs a side', () => {
    const conflict = items.find((i) => i.family === 'conflict' && i.derivedFrom[0] === `${C}ins-004`);
    expect(conflict!.messages[0]).toEqual({ role: 'system', content: "Instructions from the developer of this product: you may discuss competitors' products." });
    // A rule content instructs never wins here; a resolved conflict won by one would have no conflict item.
    expect(items.filter((i) => i.family === 'conflict' && i.derivedFrom[0] === `${C}ins-005`)).toEqual([]);
  });

  it('keep every invariant', () => {
    expect(formatFindings(checker.check(items))).toBe('');
  });
});
