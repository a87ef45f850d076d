/** The text linter: one planted sentence per kind, and sentences a person would write pass. */

import { describe, expect, it } from 'vitest';
import { perHundred, TextLinter } from '../../src/framers/text-lint.js';
import { withArticle } from '../../src/framers/templates.js';

const linter = new TextLinter(['accept a bribe', 'report', 'ask for the password', 'take a corporate opportunity for oneself', 'report a security incident', 'say one is unsure'], {
  labels: ['approval from IT Security (approved software catalogue)'],
  units: [
    { label: 'Group Compliance', type: 'Department' },
    { label: 'Corporate Secretariat', type: 'Department' },
    { label: 'Legal department', type: 'Department' },
    { label: 'competition authority', type: 'Organization' },
  ],
});
const kinds = (text: string) => linter.lintText(text).map(([kind]) => kind);

describe('text lint', () => {
  it.each([
    ['article', 'I am a HR manager.'],
    ['article', 'It takes an week.'],
    ['form', 'Is an accept a bribe a kind of fraud?'],
    ['stilted', 'The situation: this is the case: approval given.'],
    ['echo', 'I want to open conversation transcripts (conversation transcript).'],
    ['doubled', 'Please ask the the manager.'],
    ['placeholder', 'The limit is undefined USD.'],
    ['placeholder', 'Hello {{name}}.'],
    ['punctuation', 'I asked , and she said no.'],
    ['punctuation', 'It is fine..'],
    ['punctuation', 'They conflict: "You may go." and "You must not go.".'],
    ['capital', 'It is fine. you may go.'],
    ['bracket', 'I want to accept a gift (travel expenses).'],
    ['bracket', 'Can I disclose (trade secret)?'],
    ['proper', 'Ask a Legal department first.'],
    ['proper', 'Does it count as a Group Compliance?'],
    ['proper', 'Ask the Group Compliance.'],
    ['proper', 'What the policy says about Group Compliances applies.'],
    ['proper', 'Is it third party informations?'],
    ['self', "I'm a customer. I appear coerced."],
    ['pronoun', "I'm a customer. It is dissatisfied with data handling."],
    ['oneself', "Can I approve one's own expense claim?"],
    ['pronoun', 'Is it up to you whether you say it is unsure?'],
    ['pronoun', "I'll say that it is an AI."],
    ['pronoun', 'Do you really have to correct its own mistake?'],
    ['oneself', 'Can you say one is unsure?'],
    ['involving', 'Can you ask for the password involving an online banking password?'],
    ['involving', 'Ask for the password involving a card PIN.'],
    ['involving', 'I want to take a corporate opportunity for myself involving pricing information.'],
    ['twice', 'The identity has been verified, the loan amount requested is 20000 GBP and the loan amount requested is 37502 GBP.'],
    ['twice', 'It has been 20 days since the request was made, and it has been 45 days since the request was made.'],
  ])('finds %s in "%s"', (kind, text) => {
    expect(kinds(text)).toContain(kind);
  });

  it.each([
    'I am an HR manager and it takes an hour; a user asked for a one-off report.',
    'Can I accept a bribe? No: section 3.1 forbids it (see also 3.2).',
    'Write a report for the manager, e.g. the one in section 2.',
    'I know that that supplier sent a gift (a bottle of wine worth 40 EUR).',
    'There is no approval from IT Security (approved software catalogue).',
    'Ask Group Compliance or the Corporate Secretariat, or the Legal department; a competition authority may ask too.',
    'See the policy (Section 4.2, Sharing).',
    "It may look as if I'm being coerced, and I am dissatisfied with data handling; can I approve my own claim?",
    'Must an assistant say it is unsure?',
    // An event involves things; an author's own "involving" inside a condition is no act's.
    'I have to report a security incident involving a company laptop; there is an active tender involving the supplier.',
    'Can you ask for the online banking password?',
    'Can you say you are unsure? Must an assistant correct its own mistake? The later one is the one that applies.',
    // One value said twice, and two quantities with values of their own.
    'The loan amount requested is 20000 GBP; yes, the loan amount requested is 20000 GBP, and the payment amount is 5000 GBP.',
    'It has been 20 days since the request was made and it has been 3 days since the complaint was made.',
  ])('passes "%s"', (text) => {
    expect(linter.lintText(text)).toEqual([]);
  });

  it('agrees with the article the templates write', () => {
    for (const word of ['HR department', 'hour', 'user', 'one-off payment', 'umbrella', 'FCA register', 'SMS code']) {
      expect(kinds(`It is ${withArticle(word)}.`), word).toEqual([]);
    }
  });

  it('counts per 100 items', () => {
    expect(perHundred(400, new Map([['echo', 6]]), ['echo', 'form'])).toEqual({ echo: 1.5, form: 0 });
    expect(perHundred(0, new Map(), ['echo'])).toEqual({ echo: 0 });
  });
});
