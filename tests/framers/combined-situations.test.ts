/**
 * Items that stage a situation say one a person could be in: two rules that refer to each other get a
 * combined item only when their conditions can hold together, and a span of days since an event is said
 * as the time that has passed ("it has been 15 days since the request was made").
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { ItemChecker, formatFindings } from '../../src/framers/item-check.js';
import type { Item } from '../../src/framers/item.js';
import { generateAll } from '../helpers/generation.js';

const K = 'https://example.org/combined#';

let store: EmbeddedStore;
let items: Item[];
let findings: string;

beforeAll(async () => {
  store = await EmbeddedStore.open();
  const loaded = await store.loadPolicy(await readTurtle('tests/fixtures/combined-situations-policy.ttl'));
  const result = await generateAll(store, loaded.policy, await TemplateLibrary.load(), { seed: 1 });
  items = result.items;
  findings = formatFindings(new ItemChecker(result.context).check(result.items));
}, 120_000);
afterAll(() => store.close());

const combinedOf = (...rules: string[]) =>
  items.filter((i) => i.family === 'combined' && rules.every((r) => i.derivedFrom.includes(`${K}${r}`)));
const userText = (item: Item) => item.messages.filter((m) => m.role === 'user').map((m) => m.content).join(' ');

describe('situations in generated items', () => {
  it.each([
    ['a circumstance and its negation', 'r-accept-cleared', 'r-accept-uncleared'],
    ['everyone inside and someone outside', 'r-label-internal', 'r-send-external'],
    ['thresholds on one quantity that no value meets together', 'r-gift-small', 'r-gift-large'],
  ])('makes no combined item of two rules under %s', (_, first, second) => {
    expect(combinedOf(first, second)).toEqual([]);
  });

  it('makes a combined item of two rules whose conditions hold together, stating each once', () => {
    const [item] = combinedOf('r-declare', 'r-accept-cleared');
    expect(item).toBeDefined();
    expect(userText(item!).match(/Compliance gave pre-clearance/gi)).toHaveLength(1);
  });

  it('does not tell a user who asks for two acts no prohibition forbids that they go against the policy', () => {
    const [item] = combinedOf('r-declare', 'r-accept-cleared');
    expect(item!.expectations.map((e) => e.kind)).not.toContain('MustWarn');
    expect(item!.reference).not.toMatch(/against the policy|breach the policy/);
  });

  it("does not warn a user inside an exception that allows the act that they go against the policy; the exception's own warning is its text", () => {
    const inside = items.filter((i) => i.family === 'exception-boundary' && i.template.id.endsWith('/inside') && i.derivedFrom.includes(`${K}x-gift-public`));
    expect(inside.length).toBeGreaterThan(0);
    for (const item of inside) {
      expect(item.expectations.map((e) => e.kind)).not.toContain('MustWarn');
      expect(item.reference).not.toMatch(/against the policy|breach the policy/);
    }
    const outside = items.filter((i) => i.family === 'exception-boundary' && i.template.id.endsWith('/outside') && i.derivedFrom.includes(`${K}x-gift-public`));
    expect(outside.flatMap((i) => i.expectations.map((e) => e.kind))).toContain('MustRefuse');
  });

  it('states a quantity once, with a value every threshold of the pair allows', () => {
    const combined = combinedOf('r-gift-register', 'r-gift-small');
    expect(combined.length).toBeGreaterThan(0);
    for (const item of combined) {
      const values = [...userText(item).matchAll(/the value of the gift is (\d+) USD/gi)].map((m) => Number(m[1]));
      expect(values).toHaveLength(1);
      expect(values[0]).toBeGreaterThan(50);
      expect(values[0]).toBeLessThanOrEqual(100);
    }
  });

  it('answers a question about a rule with its condition as the rule states it, not a value picked inside it', () => {
    const answers = items.filter((i) => i.family === 'instruction-qa' && i.derivedFrom.includes(`${K}r-gift-large`)).map((i) => i.reference ?? '');
    expect(answers.length).toBeGreaterThan(0);
    for (const answer of answers) expect(answer).toContain('This applies when the value of the gift is more than 100 USD.');
  });

  it('says a span since an event as the days that have passed, on either side and when unknown', () => {
    const spoken = items.filter((i) => i.derivedFrom.includes(`${K}r-answer`)).map(userText).filter((t) => /days/.test(t));
    expect(spoken.length).toBeGreaterThan(0);
    for (const text of spoken) {
      expect(text).not.toMatch(/the days since/i);
      expect(text).toMatch(/it has been \d+ days since the request was made|how many days it has been since the request was made/i);
    }
    expect(spoken.some((t) => /it has been (\d+) days/i.exec(t) && Number(/it has been (\d+) days/i.exec(t)![1]) < 30)).toBe(true);
  });

  it('breaks no item invariant', () => {
    expect(findings).toBe('');
  });
});
