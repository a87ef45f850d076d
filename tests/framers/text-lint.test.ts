/** The text linter: one planted sentence per kind, and sentences a person would write pass. */

import { describe, expect, it } from 'vitest';
import { perHundred, TextLinter } from '../../src/framers/text-lint.js';
import { withArticle } from '../../src/framers/templates.js';

const linter = new TextLinter(['accept a bribe', 'report']);
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
    ['capital', 'It is fine. you may go.'],
  ])('finds %s in "%s"', (kind, text) => {
    expect(kinds(text)).toContain(kind);
  });

  it.each([
    'I am an HR manager and it takes an hour; a user asked for a one-off report.',
    'Can I accept a bribe? No: section 3.1 forbids it (see also 3.2).',
    'Write a report for the manager, e.g. the one in section 2.',
    'I know that that supplier sent a gift (a bottle of wine worth 40 EUR).',
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
