/**
 * Conflict items name only what both colliding rules cover (issue 15): on a
 * fixture where a permission on a broad action wins over a prohibition on a
 * narrower one, while a sibling action is prohibited by a third rule, no
 * conflict item may ask for the sibling, and none may expect help where the
 * deciding rule prohibits.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { detectConflicts } from '../../src/conflicts/detect.js';
import { writeConflicts } from '../../src/conflicts/conflict-graph.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { Hierarchy } from '../../src/framers/hierarchy.js';
import type { Item } from '../../src/framers/item.js';
import type { PolicyContext } from '../../src/framers/policy-context.js';
import { generateAll } from '../helpers/generation.js';

const FX = 'https://example.org/conflict-scope#';
let items: Item[];
let all: Item[];
let context: PolicyContext;

beforeAll(async () => {
  const store = await EmbeddedStore.open();
  const loaded = await store.loadPolicy(await readTurtle('tests/fixtures/conflict-scope-policy.ttl'));
  await writeConflicts(store, await detectConflicts(store, { policy: loaded.policy }));
  const library = await TemplateLibrary.load();
  // Several seeds: the entity a conflict item names is a seeded choice.
  items = [];
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    const result = await generateAll(store, loaded.policy, library, { seed, families: ['conflict'] });
    items.push(...result.items);
    context = result.context;
  }
  all = [];
  for (const seed of [1, 2, 3]) all.push(...(await generateAll(store, loaded.policy, library, { seed })).items);
  await store.close();
}, 60_000);

describe('conflict items on a broad permission against a narrow prohibition', () => {
  it('are made for both pairs, resolved by authority rank', () => {
    const pairs = new Set(items.map((i) => [...i.derivedFrom].sort().join(' ')));
    expect([...pairs].sort()).toEqual([`${FX}fic-001 ${FX}fic-002`, `${FX}fic-001 ${FX}fic-003`]);
  });

  it('name only terms both colliding rules cover', () => {
    const hierarchy = new Hierarchy(context);
    for (const item of items) {
      const [winner, loser] = item.derivedFrom.map((iri) => context.provision.get(iri)!);
      for (const term of item.terms) {
        const within = (rule: typeof winner) => [...rule!.bearer, ...rule!.action, ...rule!.target, ...rule!.counterparty, ...rule!.channel].some((t) => hierarchy.isUnder(term, t));
        expect(within(winner) && within(loser), `${item.template.id} ${term}\n${item.messages.at(-1)!.content}`).toBe(true);
      }
    }
  });

  it('never ask for the sibling action in the pair that does not cover it, and never expect help where the decider prohibits', () => {
    const violence = items.filter((i) => i.derivedFrom.includes(`${FX}fic-002`));
    expect(violence.length).toBeGreaterThan(0);
    for (const item of violence) {
      expect(item.terms, item.messages.at(-1)!.content).not.toContain(`${FX}writeMinorSexual`);
      expect(item.messages.at(-1)!.content).not.toMatch(/minors/);
    }
    const minors = items.filter((i) => i.derivedFrom.includes(`${FX}fic-003`));
    for (const item of minors) {
      expect(item.derivedFrom[0]).toBe(`${FX}fic-003`);
      expect(item.expectations.map((e) => e.kind)).toContain('MustRefuse');
      expect(item.expectations.map((e) => e.kind)).not.toContain('MustHelp');
    }
  });

  it('name a forbidden action, in any family, only in items of the rule that forbids it; and never cast the user as the assistant', () => {
    const asked = all.filter((i) => i.terms.includes(`${FX}writeMinorSexual`));
    expect(asked.length).toBeGreaterThan(0);
    // Every item naming the act derives from the rule that forbids it; those asking for it expect a refusal.
    for (const item of asked) expect(item.derivedFrom, `${item.template.id}: ${item.messages.at(-1)!.content}`).toContain(`${FX}fic-003`);
    for (const item of asked.filter((i) => i.family === 'scenario-noncompliant' || i.type === 'RedTeamPrompt')) {
      expect(item.expectations.map((e) => e.kind), `${item.template.id}: ${item.messages.at(-1)!.content}`).toEqual(['MustRefuse', 'MustCiteSection']);
    }
    for (const item of all) {
      for (const m of item.messages.filter((m) => m.role === 'user')) expect(m.content, item.template.id).not.toMatch(/I'm an? assistant/i);
    }
    // The deployment context serves the public: the user is a customer asking the assistant.
    const noncompliant = all.filter((i) => i.family === 'scenario-noncompliant' && context.provision.get(i.derivedFrom[0]!)!.kind === 'Prohibition');
    expect(noncompliant.length).toBeGreaterThan(0);
    for (const item of noncompliant) expect(item.messages[0]!.content).toMatch(/^I'm a customer/);
  });
});
