/**
 * What a served user says, and how many ways each family says it (issue 15). A customer of an assistant
 * bound by a prohibition does not "get the assistant to" do it and then decline; a mode of the assistant is
 * never said to be what the user "counts as"; and the user turns and the answers' refusals, warnings and
 * questions come in several phrasings, chosen by the seed, so a model trained on them does not learn one
 * sentence; some scenarios give their deciding detail in a later turn.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import type { Item } from '../../src/framers/item.js';
import type { PolicyContext } from '../../src/framers/policy-context.js';
import { Hierarchy } from '../../src/framers/hierarchy.js';
import { isAssistant } from '../../src/framers/parties.js';
import { generateAll } from '../helpers/generation.js';

let store: EmbeddedStore;
let policy: string;
let library: TemplateLibrary;
let items: Item[];
let context: PolicyContext;

beforeAll(async () => {
  store = await EmbeddedStore.open();
  policy = (await store.loadPolicy(await readTurtle('policies/retail-bank-assistant.ttl'))).policy;
  library = await TemplateLibrary.load();
  const result = await generateAll(store, policy, library, { seed: 1 });
  items = result.items;
  context = result.context;
}, 120_000);
afterAll(() => store.close());

const userText = (item: Item) => item.messages.filter((m) => m.role === 'user').map((m) => m.content).join(' ');
/** Items of a family whose deciding rule binds the assistant (the user is someone it serves) or a person. */
function ofFamily(family: string, served: boolean, kind?: string): Item[] {
  const hierarchy = new Hierarchy(context);
  return items.filter((i) => {
    const rule = context.provision.get(i.derivedFrom[0]!);
    if (i.family !== family || !rule || (kind && rule.kind !== kind)) return false;
    return rule.bearer.some((b) => isAssistant(hierarchy, b)) === served;
  });
}

describe('served users', () => {
  it('ask an assistant bound by a prohibition what it can do instead, never to do it and then decline', () => {
    const compliant = ofFamily('scenario-compliant', true, 'Prohibition');
    expect(compliant.length).toBeGreaterThan(5);
    for (const item of compliant) {
      expect(userText(item)).not.toMatch(/get you to|say no|turn it down/i);
      expect(userText(item)).toMatch(/instead|How else can you help/);
    }
  });

  it('ask an assistant bound by a prohibition to act, not how to act, when it is the one who would do it', () => {
    const redteam = ofFamily('redteam', true, 'Prohibition').filter((i) => i.attack === 'RolePlay' || i.attack === 'SplitOverTurns' || i.attack === 'Urgency');
    expect(redteam.length).toBeGreaterThan(5);
    for (const item of redteam) expect(userText(item)).not.toMatch(/Explain step by step how to|walk me through how to|just tell me how/);
    const breaking = ofFamily('scenario-noncompliant', true, 'Prohibition');
    for (const item of breaking) expect(userText(item)).not.toMatch(/Can you draft what I need|what's the quickest way/);
  });

  it('are never told that a mode of the assistant counts as the assistant', () => {
    const allowed = ofFamily('is-it-allowed', true);
    expect(allowed.length).toBeGreaterThan(10);
    for (const item of allowed) expect(item.reference).not.toMatch(/counts? as/);
  });
});

describe('phrasings', () => {
  it.each([
    ['is-it-allowed', 'Prohibition', [/Are you allowed to/, /Is it OK for you to/, /^Under the /]],
    ['scenario-compliant', 'Obligation', [/What's the right way/, /as the policy requires/]],
    ['scenario-noncompliant', 'Obligation', [/really have to/, /just this once/]],
    ['scenario-ambiguous', 'Prohibition', [/Can you go ahead/, /Would (it|that) be all right/]],
  ] as const)('say %s user turns for a %s in every phrasing the template has', (family, kind, phrasings) => {
    const texts = ofFamily(family, true, kind).map(userText);
    for (const phrasing of phrasings) expect(texts.filter((t) => phrasing.test(t)).length, String(phrasing)).toBeGreaterThan(0);
  });

  it('give the deciding detail of some non-compliant scenarios late, in the user turn after the assistant asks', () => {
    const late = items.filter((i) => i.family === 'scenario-noncompliant' && i.messages.length === 3);
    const withFacts = late.filter((i) => /^(Yes|Sure): /.test(i.messages[2]!.content));
    expect(withFacts.length).toBeGreaterThan(0);
    for (const item of late) {
      expect(item.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
      expect(item.messages[1]!.content).toMatch(/\?$/);
    }
    // The first turn leaves the detail out: it is said once, in the last turn.
    for (const item of withFacts) {
      const detail = item.messages[2]!.content.replace(/^(Yes|Sure): /, '').split('.')[0]!;
      expect(item.messages[0]!.content).not.toContain(detail);
    }
  });

  it('say a refusal, a channel and a question in more than one way', () => {
    const refs = items.map((i) => i.reference);
    for (const ways of [[/(?<!but )I can't help with that\./, /I'm not able to help with that\./, /I'm sorry, but I can't help with that\./], [/Please contact the/, /Please turn to the/, /The right place for this is the/], [/Could you tell me more/, /Can you tell me a little more/, /What else should I know/]]) {
      for (const way of ways) expect(refs.filter((r) => way.test(r)).length, String(way)).toBeGreaterThan(0);
    }
  });

  it('choose by the seed: the same seed says the same, another seed says some items otherwise', async () => {
    const again = (await generateAll(store, policy, library, { seed: 1 })).items;
    expect(again.map((i) => i.iri + userText(i) + i.reference)).toEqual(items.map((i) => i.iri + userText(i) + i.reference));
    const other = (await generateAll(store, policy, library, { seed: 2 })).items;
    const phrasing = (text: string) => (/Is it (OK|a good idea) for|or is it optional/.test(text) ? 1 : /^Under the /.test(text) ? 2 : 0);
    const byRule = (list: Item[]) => new Map(list.filter((i) => i.family === 'is-it-allowed').map((i) => [i.derivedFrom.join(' '), phrasing(userText(i))]));
    const [one, two] = [byRule(items), byRule(other)];
    expect([...one].filter(([rule, shape]) => two.has(rule) && two.get(rule) !== shape).length).toBeGreaterThan(0);
  }, 120_000);
});
