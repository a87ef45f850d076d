/** How a term is said: forms derived by compromise, and an author's form winning over them in generated text. */

import { beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { actPhrase, loadTermForms, pluralOf, verbForms } from '../../src/framers/term-forms.js';
import { generateAll } from '../helpers/generation.js';

beforeAll(loadTermForms, 60_000);

describe('term forms', () => {
  it.each([
    ['accept a bribe', 'accepting a bribe', 'accepts a bribe'],
    ['set up a meeting', 'setting up a meeting', 'sets up a meeting'],
    ['trade securities', 'trading securities', 'trades securities'],
    ['report a concern', 'reporting a concern', 'reports a concern'],
    ['lie to an auditor', 'lying to an auditor', 'lies to an auditor'],
    ['approve one\'s own expense claim', 'approving one\'s own expense claim', 'approves one\'s own expense claim'],
  ])('say the verb phrase "%s" as a gerund and in the third person', (phrase, gerund, third) => {
    expect(verbForms(phrase)).toEqual({ base: phrase, gerund, thirdPerson: third });
  });

  it.each([
    ['use for personal purposes', 'customer relationship management system', 'use the customer relationship management system for personal purposes'],
    ['forward to a personal account', 'customer data', 'forward the customer data to a personal account'],
    ['remove from Kestrel premises', "Kestrel's laptops", "remove Kestrel's laptops from Kestrel premises"],
    ['describe as free', 'savings account', 'describe the savings account as free'],
    ['present as guaranteed', 'an investment return', 'present an investment return as guaranteed'],
    ['disclose account details', 'account balance', 'disclose account details (account balance)'],
    ['respond to a data subject request', 'personal data', 'respond to a data subject request (personal data)'],
    ['publish a product comparison', 'product', 'publish a product comparison'],
    ['speak to the media', undefined, 'speak to the media'],
  ])('say the act "%s" with its object %s', (action, object, said) => {
    expect(actPhrase(action, object)).toBe(said);
  });

  it.each([
    ['complaint handler', 'complaint handlers'],
    ['company secretary', 'company secretaries'],
    ['person', 'people'],
    ['gift', 'gifts'],
  ])('say the noun phrase "%s" in the plural', (noun, plural) => {
    expect(pluralOf(noun)).toBe(plural);
  });

  it("ask about an action's place in the hierarchy as a gerund, with the author's form where given", async () => {
    const store = await EmbeddedStore.open();
    try {
      // An author's gerund for "accept a gift", and a narrower action to ask about.
      const source = await readTurtle('tests/fixtures/mini-policy.ttl');
      const text = source.text.replace(
        'mini:acceptGift a studio:Action ; rdfs:label "accept a gift" .',
        'mini:acceptGift a studio:Action ; rdfs:label "accept a gift" ; studio:gerund "taking a gift" .\nmini:acceptCash a studio:Action ; rdfs:label "accept cash" ; studio:broader mini:acceptGift .',
      );
      expect(text).toContain('taking a gift');
      const loaded = await store.loadPolicy({ ...source, text });
      const { items } = await generateAll(store, loaded.policy, await TemplateLibrary.load(), { seed: 1, families: ['term-hierarchy'] });
      const about = items.filter((i) => i.terms[0] === 'https://example.org/mini#acceptCash');
      expect(about.length).toBeGreaterThan(0);
      for (const item of about) {
        const question = item.messages.at(-1)!.content;
        expect(question).toMatch(/accepting cash/);
        expect(question).toMatch(/taking a gift/);
        expect(question).not.toMatch(/\ban? accept\b/);
        expect(item.reference).toMatch(/accepting cash is a (way|narrower form) of taking a gift/i);
      }
    } finally {
      await store.close();
    }
  }, 60_000);
});
