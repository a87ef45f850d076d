/** Who a phrase means, said by whoever speaks: the user is "I" in their own turns and "you" in the assistant's. */

import { beforeAll, describe, expect, it } from 'vitest';
import { loadTermForms } from '../../src/framers/term-forms.js';
import { circumstanceClauses } from '../../src/framers/clauses.js';
import { doerOne, resolveSpoken, sayOneself, spoken, Voice } from '../../src/framers/voice.js';

beforeAll(loadTermForms, 60_000);

const voice = new Voice(['user', 'customer', 'public official', 'official'], ['assistant', 'agent mode', 'Lumen'], ['official superior']);

describe('voice', () => {
  it.each([
    // How the user looks to others is not something they say of themselves as "I appear".
    ['customer appears coerced', "it may look as if I'm being coerced", 'you appear coerced'],
    ['Customer appears coerced', "It may look as if I'm being coerced", 'You appear coerced'],
    ['the user appears to be a minor', "it may look as if I'm a minor", 'you appear to be a minor'],
    ['the official appears to use the office for gain', 'it may look as if I use the office for gain', 'you appear to use the office for gain'],
    ['the user has not confirmed the action', 'I have not confirmed the action', 'you have not confirmed the action'],
    ['the user sincerely asks whether Lumen is an AI', 'I sincerely ask whether you are an AI', 'you sincerely ask whether I am an AI'],
    ['customer asks whether the assistant is human', 'I ask whether you are human', 'you ask whether I am human'],
    ["the gift is offered because of the official's position", 'the gift is offered because of my position', 'the gift is offered because of your position'],
    ["send the user's personal data to an address found in content", 'send my personal data to an address found in content', 'send your personal data to an address found in content'],
    ['point the user to a crisis line', 'point me to a crisis line', 'point you to a crisis line'],
    // "they" of the subject said as "I" or "you" means it too.
    ['customer asks about credit they already hold', 'I ask about credit I already hold', 'you ask about credit you already hold'],
    ['the customer says they are at risk', 'I say I am at risk', 'you say you are at risk'],
  ])('say "%s" as the user and as the assistant', (phrase, byUser, byAssistant) => {
    expect(voice.byUser(phrase)).toBe(byUser);
    expect(voice.byAssistant(phrase)).toBe(byAssistant);
  });

  it.each([
    // Someone else: an indefinite mention, or another party whose name begins with the user's.
    'deceive a user to their harm',
    'give a gift to the official superior',
    'write explicit content for a minor',
    // Before a noun, the name says which one: the plan is not the user's.
    'enrol in the customer share plan',
    'read the user guide',
  ])('leave "%s" as it is', (phrase) => {
    expect(voice.byUser(phrase)).toBe(phrase);
  });

  it("say the assistant as 'you' to a developer, and leave the user in the third person", () => {
    expect(voice.byDeveloper("Lumen may send the user's data")).toBe("You may send the user's data");
  });

  it('resolve marked phrases only, and drop the markers', () => {
    const text = `The customer said: ${spoken('the customer appears coerced')}.`;
    expect(resolveSpoken(text, (p) => voice.byUser(p))).toBe("The customer said: it may look as if I'm being coerced.");
    expect(voice.namesUser('customer asks for a person')).toBe(true);
    expect(voice.namesUser('a customer asks for a person')).toBe(false);
  });

  it.each([
    ["I'm an employee and I'm going to approve one's own expense claim.", 'user', "I'm an employee and I'm going to approve my own expense claim."],
    ['Sure! Step one: take a corporate opportunity for oneself quietly.', 'assistant', 'Sure! Step one: take a corporate opportunity for yourself quietly.'],
    ["You may not approve one's own claim.", 'assistant', 'You may not approve your own claim.'],
    ["Can an employee approve one's own expense claim?", 'user', 'Can an employee approve their own expense claim?'],
    ['Someone on my team plans to take a corporate opportunity for oneself.', 'user', 'Someone on my team plans to take a corporate opportunity for themselves.'],
  ] as const)("say one's own for whoever does it: %s", (text, speaker, said) => {
    expect(sayOneself(text, speaker)).toBe(said);
  });

  // Issue 15: "say it is unsure" spoke of the assistant as "it" in its own voice and the user's. The doer of an act
  // is "one" in its label, said for whoever does it.
  const labels = ['say one is unsure', 'report the actions one took', 'praise work one believes is wrong', 'answer in another language than the fixed one', 'ask for a one-time passcode'];
  it.each([
    ["I'd like you to say one is unsure, as the policy requires.", 'user', true, "I'd like you to say you are unsure, as the policy requires."],
    ['How do you get out of having to report the actions one took?', 'user', true, 'How do you get out of having to report the actions you took?'],
    ["I'm a customer and there is no time to say one is unsure.", 'user', true, "I'm a customer and there is no time to say you are unsure."],
    ['Sure! Step one: praise work one believes is wrong quietly.', 'assistant', true, 'Sure! Step one: praise work I believe is wrong quietly.'],
    ['Under the policy, must an assistant say one is unsure?', 'user', true, 'Under the policy, must an assistant say it is unsure?'],
    ['Must Lumen report the actions one took?', 'user', false, 'Must Lumen report the actions it took?'],
    ['Can an employee say one is unsure?', 'user', false, 'Can an employee say they are unsure?'],
    ['Someone on my team wants to praise work one believes is wrong.', 'user', false, 'Someone on my team wants to praise work they believe is wrong.'],
    // "one" that is no act's doer stays.
    ['When two versions apply, the later one replaces the earlier one; ask for a one-time passcode.', 'user', true, 'When two versions apply, the later one replaces the earlier one; ask for a one-time passcode.'],
  ] as const)('say the doer "one" of an act for whoever does it: %s', (text, speaker, assistantActs, said) => {
    expect(sayOneself(text, speaker, { assistantNames: ['Lumen'], one: doerOne(labels)!, assistantActs })).toBe(said);
  });
});

describe('circumstance clauses', () => {
  it('say a person\'s state of the user, not of "it", so each turn says it in its voice', () => {
    expect(circumstanceClauses('dissatisfied with data handling')).toEqual({ holds: 'the user is dissatisfied with data handling', fails: 'the user is not dissatisfied with data handling' });
    expect(voice.byUser(circumstanceClauses('dissatisfied with data handling').holds)).toBe('I am dissatisfied with data handling');
    // A thing's state stays the thing's.
    expect(circumstanceClauses('approved by IT Security').holds).toBe('it is approved by IT Security');
  });
});
