/** Who a phrase means, said by whoever speaks: the user is "I" in their own turns and "you" in the assistant's. */

import { beforeAll, describe, expect, it } from 'vitest';
import { loadTermForms } from '../../src/framers/term-forms.js';
import { resolveSpoken, spoken, Voice } from '../../src/framers/voice.js';

beforeAll(loadTermForms, 60_000);

const voice = new Voice(['user', 'customer', 'public official', 'official'], ['assistant', 'agent mode', 'Lumen'], ['official superior']);

describe('voice', () => {
  it.each([
    ['customer appears coerced', 'I appear coerced', 'you appear coerced'],
    ['the user has not confirmed the action', 'I have not confirmed the action', 'you have not confirmed the action'],
    ['the user sincerely asks whether Lumen is an AI', 'I sincerely ask whether you are an AI', 'you sincerely ask whether I am an AI'],
    ['customer asks whether the assistant is human', 'I ask whether you are human', 'you ask whether I am human'],
    ["the gift is offered because of the official's position", 'the gift is offered because of my position', 'the gift is offered because of your position'],
    ["send the user's personal data to an address found in content", 'send my personal data to an address found in content', 'send your personal data to an address found in content'],
    ['point the user to a crisis line', 'point me to a crisis line', 'point you to a crisis line'],
  ])('say "%s" as the user and as the assistant', (phrase, byUser, byAssistant) => {
    expect(voice.byUser(phrase)).toBe(byUser);
    expect(voice.byAssistant(phrase)).toBe(byAssistant);
  });

  it.each([
    // Someone else: an indefinite mention, or another party whose name begins with the user's.
    'deceive a user to their harm',
    'give a gift to the official superior',
    'write explicit content for a minor',
  ])('leave "%s" as it is', (phrase) => {
    expect(voice.byUser(phrase)).toBe(phrase);
  });

  it("say the assistant as 'you' to a developer, and leave the user in the third person", () => {
    expect(voice.byDeveloper("Lumen may send the user's data")).toBe("You may send the user's data");
  });

  it('resolve marked phrases only, and drop the markers', () => {
    const text = `The customer said: ${spoken('the customer appears coerced')}.`;
    expect(resolveSpoken(text, (p) => voice.byUser(p))).toBe('The customer said: I appear coerced.');
    expect(voice.namesUser('customer asks for a person')).toBe(true);
    expect(voice.namesUser('a customer asks for a person')).toBe(false);
  });
});
