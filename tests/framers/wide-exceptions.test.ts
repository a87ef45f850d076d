/**
 * Generation from a policy using issue 23's vocabulary (embedded store): an exception with two bases gets a
 * boundary pair per base, none of them a twin of another; an exception to a definition gets none; a threshold
 * on a per diem is stated by naming the rate; an agency's duty is asked about by someone acting for it.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { detectConflicts } from '../../src/conflicts/detect.js';
import { writeConflicts } from '../../src/conflicts/conflict-graph.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { ItemChecker, formatFindings } from '../../src/framers/item-check.js';
import type { Item } from '../../src/framers/item.js';
import { generateAll } from '../helpers/generation.js';

const W = 'https://example.org/wide-exceptions#';
let result: Awaited<ReturnType<typeof generateAll>>;
let items: readonly Item[];

beforeAll(async () => {
  const store = await EmbeddedStore.open();
  try {
    const loaded = await store.loadPolicy(await readTurtle('tests/fixtures/wide-exceptions-policy.ttl'));
    await writeConflicts(store, await detectConflicts(store, { policy: loaded.policy }));
    result = await generateAll(store, loaded.policy, await TemplateLibrary.load(), { seed: 1 });
    items = result.items;
  } finally {
    await store.close();
  }
}, 120_000);

const boundary = (exception: string) => items.filter((i) => i.family === 'exception-boundary' && i.derivedFrom[0] === `${W}${exception}`);

describe('generation with exceptions to several rules', () => {
  it('makes one boundary pair per base rule, never a twin', () => {
    const pairs = boundary('e-modest');
    const byBase = (base: string) => pairs.filter((i) => i.derivedFrom.includes(`${W}${base}`)).map((i) => i.boundary).sort();
    expect(byBase('p-solicit')).toEqual(['inside', 'outside']);
    expect(byBase('p-accept')).toEqual(['inside', 'outside']);
    expect(pairs).toHaveLength(4);
    expect(new Set(pairs.map((i) => i.iri)).size).toBe(4);
    expect(new Set(pairs.map((i) => i.messages.map((m) => m.content).join('\n'))).size).toBe(4);
    // A single base keeps one pair.
    expect(boundary('e-friend').map((i) => i.boundary).sort()).toEqual(['inside', 'outside']);
  });

  it('makes no boundary pair for an exception to a definition', () => {
    expect(boundary('e-refreshments')).toEqual([]);
  });

  it('states the exceptions to a definition with it', () => {
    const meaning = items.filter((i) => i.family === 'definition' && i.derivedFrom[0] === `${W}d-gift`);
    expect(meaning.length).toBeGreaterThan(0);
    for (const item of meaning) expect(item.reference).toContain('A gift does not include modest refreshments such as coffee offered during a meeting.');
  });

  it('states a threshold on a per diem by naming the rate, at its edge', () => {
    const pair = boundary('e-meals');
    const text = (side: string) => pair.find((i) => i.boundary === side)!.messages.map((m) => m.content).join('\n');
    expect(text('inside')).toContain('is exactly the per diem rate for the place of travel');
    expect(text('outside')).toContain('is just above the per diem rate for the place of travel');
    expect(pair.every((i) => i.terms.includes(`${W}perDiem`))).toBe(true);
  });

  it("asks about an agency's duty as someone acting on its behalf, never as the agency", () => {
    const ofAgency = items.filter((i) => i.derivedFrom[0] === `${W}o-designate` && i.family !== 'instruction-qa' && i.family !== 'section-summary');
    expect(ofAgency.length).toBeGreaterThan(0);
    const said = ofAgency.map((i) => i.messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n'));
    expect(said.some((t) => t.includes('I act on behalf of an agency'))).toBe(true);
    expect(said.some((t) => /I'm an agency|agency on my team/.test(t))).toBe(false);
  });

  it('keeps every item invariant', () => {
    expect(formatFindings(new ItemChecker(result.context).check(items))).toBe('');
  });
});
