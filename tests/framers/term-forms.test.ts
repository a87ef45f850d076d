/** How a term is said: forms derived by compromise, and an author's form winning over them in generated text. */

import { beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { actPhrase, loadTermForms, pluralOf, termPhrase, verbForms, type ActKinds } from '../../src/framers/term-forms.js';
import { TextLinter } from '../../src/framers/text-lint.js';
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
    // Two verbs joined: each takes the form ("recommending or induce a trade" before).
    ['recommend or induce a trade', 'recommending or inducing a trade', 'recommends or induces a trade'],
    ['buy and sell shares', 'buying and selling shares', 'buys and sells shares'],
  ])('say the verb phrase "%s" as a gerund and in the third person', (phrase, gerund, third) => {
    expect(verbForms(phrase)).toEqual({ base: phrase, gerund, thirdPerson: third });
  });

  it.each([
    ['use for personal purposes', 'customer relationship management system', 'use the customer relationship management system for personal purposes'],
    ['forward to a personal account', 'customer data', 'forward the customer data to a personal account'],
    ['remove from Kestrel premises', "Kestrel's laptops", "remove Kestrel's laptops from Kestrel premises"],
    ['describe as free', 'savings account', 'describe the savings account as free'],
    ['present as guaranteed', 'an investment return', 'present an investment return as guaranteed'],
    ['disclose account details', 'account balance', 'disclose account details involving an account balance'],
    ['respond to a data subject request', 'personal data', 'respond to a data subject request about personal data'],
    ['publish a product comparison', 'product', 'publish a product comparison'],
    ['speak to the media', undefined, 'speak to the media'],
    // Issue 15: no object in brackets. A verb alone takes its object after it.
    ['disclose', 'trade secret', 'disclose a trade secret'],
    ['disclose', 'unpublished financial results', 'disclose unpublished financial results'],
    ['safeguard', 'identity of a person who raised a concern', 'safeguard the identity of a person who raised a concern'],
    // The act names the object's kind: the narrower object takes its place.
    ['destroy records', 'business records', 'destroy business records'],
    ['classify information', 'public information', 'classify public information'],
    ['write explicit content for a minor', 'explicit sexual content', 'write explicit sexual content for a minor'],
    ['solicit information', "competitor's confidential information", "solicit a competitor's confidential information"],
    ['invent a source', 'source citation', 'invent a source citation'],
    // The act's words name the object already, in another form.
    ['delete a file', 'deletion of a file', 'delete a file'],
    ["send a message in the user's name", "message sent in the user's name", "send a message in the user's name"],
    // Otherwise a preposition the act takes.
    ['give personalised advice', 'investment product', 'give personalised advice on an investment product'],
    ['refer to the ombudsman', 'complaint', 'refer to the ombudsman about a complaint'],
    ['install software', 'company device', 'install software on a company device'],
    // The object is the act's place, said more narrowly.
    ['post on social media', 'corporate social media account', 'post on the corporate social media account'],
    ['report a security incident', 'company laptop', 'report a security incident involving a company laptop'],
    // An acronym before a common noun is no name: it takes its article.
    ['bypass security controls', 'IT system', 'bypass security controls on an IT system'],
  ])('say the act "%s" with its object %s', (action, object, said) => {
    expect(actPhrase(action, object)).toBe(said);
    expect(actPhrase(action, object)).not.toMatch(/\(/);
  });

  it('put a narrower object in the place of the kind the rule names', () => {
    expect(actPhrase('accept a gift', 'meal', 'gift')).toBe('accept a meal');
    expect(actPhrase('share credentials', 'passwords and access badges', 'credentials')).toBe('share passwords and access badges');
    // A breach of personal data is not a kind of personal data: the object follows the act.
    expect(actPhrase('report a personal data breach', 'identity of a reporter', 'personal data')).toBe('report a personal data breach involving the identity of a reporter');
  });

  it('put the object in the place of a broader term, or of its own name, that the act names', () => {
    // hbl:Mortgage: broader "credit product", then "product".
    expect(actPhrase('recommend a product', 'mortgage', undefined, ['credit product', 'product'])).toBe('recommend a mortgage');
    // lum:Credential, labelled "password, key or token".
    expect(actPhrase('reveal a credential', 'password, key or token', undefined, ['credential'])).toBe('reveal a password, key or token');
    // A kind the act does not name changes nothing.
    expect(actPhrase('recommend a product', 'mortgage', undefined, ['loan'])).toBe('recommend a product involving a mortgage');
    expect(actPhrase('report a personal data breach', 'identity of a reporter', undefined, ['personal data'])).toBe('report a personal data breach involving the identity of a reporter');
  });

  // Issue 15: "involving" joined an act and its object where a person says something else ("ask for the password
  // involving an online banking password", "accept a speaking fee involving a meal"). [act, object, the rule's own
  // object it narrows, the object's broader terms, what is known of the act, said]
  it.each<[string, string, string | undefined, string[], ActKinds, string]>([
    // The act's own object comes after its verb's particle.
    ['ask for the password', 'online banking password', undefined, ['security credential'], {}, 'ask for the online banking password'],
    ['ask for the full PIN', 'full card PIN', undefined, ['full pin', 'security credential'], {}, 'ask for the full card PIN'],
    // A participle says how the object stands and stays.
    ['warn about an exposed credential', 'full card PIN', 'security credential', ['security credential', 'personal data'], {}, 'warn about an exposed full card PIN'],
    // The act's own object is every word of a kind of the object ("credit" of unsecured credit; a credit product is credit).
    ['offer credit', 'personal loan', 'unsecured credit', ['unsecured credit', 'credit product', 'product'], {}, 'offer a personal loan'],
    ['offer credit', 'mortgage', 'credit product', ['credit product', 'product'], {}, 'offer a mortgage'],
    ['erase data', 'credit score', 'personal data', ['personal data', 'information'], {}, 'erase a credit score'],
    ['disclose account details', 'account balance', 'account information', ['account information', 'personal data', 'information'], {}, 'disclose an account balance'],
    ['share credentials', 'passwords and access badges', undefined, ['access credentials', 'information'], {}, 'share passwords and access badges'],
    // A kind of the object named later in the act, and an object that is a part of the act's own.
    ['pay the market value of a gift', 'meal', 'gift', ['gift'], {}, 'pay the market value of a meal'],
    ['discuss a concern with the people it is about', 'details of a concern', undefined, ['concern details'], {}, 'discuss the details of a concern with the people it is about'],
    // The preposition the act's verb or words take.
    ['state fees and charges', 'current account', undefined, ['deposit product', 'product'], {}, 'state fees and charges for a current account'],
    ['discourage cancellation', 'investment product', 'product', ['product'], {}, 'discourage cancellation of an investment product'],
    ['cite a published figure', 'published rates', undefined, ['product information'], {}, 'cite a published figure from published rates'],
    ['incorporate open-source code', 'instrument firmware', undefined, ['source code'], {}, 'incorporate open-source code into instrument firmware'],
    ['predict a credit decision', 'credit score', undefined, ['personal data'], {}, 'predict a credit decision based on a credit score'],
    ['record a support note', 'special-category data', undefined, ['personal data'], {}, 'record a support note containing special-category data'],
    // An event involves things.
    ['report a personal data breach', 'customer contact data', 'personal data', ['personal data'], { kinds: ['report'], ruleAction: 'report' }, 'report a personal data breach involving customer contact data'],
    // A narrower act of the same verb as a broader act that names the object's kind: its own object is the object.
    ['accept paid travel', 'meal', 'gift', ['gift'], { kinds: ['accept a gift'] }, 'accept paid travel'],
    ['accept a speaking fee', 'gift', undefined, [], { kinds: ['accept a gift'] }, 'accept a speaking fee'],
    // ... and not one of another verb ("apply sales pressure" names no product).
    ['discourage cancellation', 'credit card', 'product', ['product'], { kinds: ['apply sales pressure', 'promote a product'] }, 'discourage cancellation of a credit card'],
    // A narrower act, with its own object, of a rule's act that takes the object after its verb.
    ["reveal a reporter's identity", 'trade secret', 'confidential information', ['confidential information'], { kinds: ['disclose', 'share'], ruleAction: 'disclose' }, "reveal a reporter's identity"],
    // ... unless its words say where the object goes.
    ['install software', 'company laptop', 'company device', ['company device'], { kinds: ['use'], ruleAction: 'use' }, 'install software on a company laptop'],
    // The author's form wins.
    ['return company property', 'company laptop', undefined, ['company device'], { withObject: 'return {object}' }, 'return a company laptop'],
    ['action 3', 'asset 5', undefined, [], { withObject: 'action 3 on {object}' }, 'action 3 on an asset 5'],
    // Two noun phrases take their articles each.
    ['accept', 'cash or a cash equivalent', undefined, [], {}, 'accept cash or a cash equivalent'],
  ])('say "%s" of %s as a person would', (action, object, kindOf, kinds, act, said) => {
    expect(actPhrase(action, object, kindOf, kinds, act)).toBe(said);
    expect(new TextLinter([action]).lintText(said).filter(([kind]) => kind === 'involving')).toEqual([]);
  });

  it('keep "involving" as the last resort, which the lint counts', () => {
    const said = actPhrase('recommend a product', 'mortgage', undefined, ['loan']);
    expect(said).toBe('recommend a product involving a mortgage');
    expect(new TextLinter(['recommend a product']).lintText(`Can you ${said}?`).map(([kind]) => kind)).toEqual(['involving']);
  });

  it.each([
    ['Corporate Secretariat', 'Department', 'the Corporate Secretariat'],
    ['Group Compliance', 'Department', 'Group Compliance'],
    ['IP team', 'Department', 'the IP team'],
    ['complaints team', 'Department', 'the complaints team'],
    ['Financial Ombudsman Service', 'Organization', 'the Financial Ombudsman Service'],
    ['competition authority', 'Organization', 'a competition authority'],
    ['United Kingdom', 'Jurisdiction', 'the United Kingdom'],
    ['Germany', 'Jurisdiction', 'Germany'],
    ['third-party information', 'Asset', 'third-party information'],
    ['HR manager', 'Role', 'an HR manager'],
  ])('introduce "%s" (%s) as %s', (label, type, said) => {
    expect(termPhrase(label, type)).toBe(said);
  });

  it.each([
    ['complaint handler', 'complaint handlers'],
    ['company secretary', 'company secretaries'],
    ['person', 'people'],
    ['gift', 'gifts'],
    ['non-public tender evaluation', 'non-public tender evaluations'],
    ['third-party information', 'third-party information'],
  ])('say the noun phrase "%s" in the plural', (noun, plural) => {
    expect(pluralOf(noun)).toBe(plural);
  });

  it('give a name no plural', () => {
    expect(pluralOf('Group Compliance', 'Department')).toBe('Group Compliance');
  });

  it("say an act with its object as the author's studio:withObject says it, in every generated item that names both", async () => {
    const store = await EmbeddedStore.open();
    try {
      const source = await readTurtle('tests/fixtures/mini-policy.ttl');
      const text = source.text.replace('mini:report a studio:Action ; rdfs:label "report" .', 'mini:report a studio:Action ; rdfs:label "report" ; studio:withObject "report {object} to the hotline" .');
      expect(text).toContain('studio:withObject');
      const loaded = await store.loadPolicy({ ...source, text });
      const { items } = await generateAll(store, loaded.policy, await TemplateLibrary.load(), { seed: 1, families: ['scenario-noncompliant', 'redteam'] });
      const reporting = items.filter((i) => i.derivedFrom.includes('https://example.org/mini#gifts-002'));
      expect(reporting.length).toBeGreaterThan(0);
      const turns = reporting.flatMap((i) => i.messages.filter((m) => m.role === 'user').map((m) => m.content)).join('\n');
      expect(turns).toMatch(/report a gift to the hotline/);
      expect(turns).not.toMatch(/report a gift(?! to the hotline)/);
    } finally {
      await store.close();
    }
  }, 60_000);

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
