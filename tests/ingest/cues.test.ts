// Exceptions, definitions, quantities and references: the cues read from one clause each.
import { describe, expect, it } from 'vitest';
import { exceptionClauses } from '../../src/ingest/exceptions.js';
import { deemingOf, definitionOf } from '../../src/ingest/definitions.js';
import { quantities } from '../../src/ingest/quantities.js';
import { references } from '../../src/ingest/references.js';
import { parseStructure } from '../../src/ingest/structure.js';

describe('exceptionClauses', () => {
  it.each([
    ['No gifts are accepted, except a gift of nominal value.', 'exception', 'except', 'a gift of nominal value'],
    ['Do not call the number unless the person has agreed in writing.', 'exception', 'unless', 'the person has agreed in writing'],
    ['A refund is due, provided that the goods are returned, within 30 days.', 'exception', 'provided that', 'the goods are returned'],
    ['Paragraph (a) of this section does not apply to calls to businesses.', 'inapplicability', 'does not apply', 'calls to businesses'],
    ['Notwithstanding paragraph (b), the seller must keep records.', 'notwithstanding', 'Notwithstanding', 'paragraph (b)'],
  ])('%s', (text, kind, cue, condition) => {
    const [clause] = exceptionClauses(text);
    expect(clause).toMatchObject({ kind, cue: { text: cue }, condition });
    expect(text.slice(clause!.cue.start, clause!.cue.end)).toBe(cue);
  });

  it('finds none in a plain rule', () => {
    expect(exceptionClauses('The seller must keep records for five years.')).toEqual([]);
  });
});

describe('definitionOf', () => {
  it.each([
    ['Gift means any item of value.', 'Gift'],
    ['(bb) Telemarketing means a plan, program, or campaign.', 'Telemarketing'],
    ['The term "seller" means any person who provides goods.', 'seller'],
    ['Nominal value shall mean a value of 25 dollars or less.', 'Nominal value'],
    ['(a) Agency has the meaning set forth in § 2635.102(a).', 'Agency'],
    ['Indirectly, for purposes of § 2635.302(b), has the meaning set forth in § 2635.203(f).', 'Indirectly'],
    ['Subject to paragraph (a) of this section, market value has the meaning set forth in § 2635.203(c).', 'market value'],
    ['For purposes of paragraphs (e)(1) through (4) of this section, "employment" means any form of employment.', 'employment'],
    ['A gift which is solicited or accepted indirectly includes a gift:', 'A gift which is solicited or accepted indirectly'],
  ])('%s defines %s', (sentence, term) => {
    expect(definitionOf(sentence)?.term).toBe(term);
  });

  it.each([
    ['The market value of a ticket is deemed to be the face value of the ticket.', 'The market value of a ticket', 'is deemed to'],
    ['Subsequent reciprocation by the employee does not constitute reimbursement.', 'Subsequent reciprocation by the employee', 'does not constitute'],
    ['For purposes of this subpart, an employee is considered to be the subordinate of any of his official superiors.', 'an employee', 'is considered to'],
  ])('%s deems %s', (sentence, term, cue) => {
    expect(deemingOf(sentence)).toMatchObject({ term, cue: { text: cue } });
  });

  it.each([['This means that you must ask first.'], ['The seller must disclose what the fee means for the customer.']])('%s defines nothing', (sentence) => {
    expect(definitionOf(sentence)).toBeUndefined();
  });
});

describe('quantities', () => {
  it.each([
    ['gifts worth more than $100', 100, 'USD', 'minExclusive'],
    ['a gift of 50 USD or less', 50, 'USD', 'maxInclusive'],
    ['holdings up to 1 percent', 1, 'percent', 'maxInclusive'],
    ['at least 30 days before', 30, 'day', 'minInclusive'],
    ['less than $1,000.50 in total', 1000.5, 'USD', 'maxExclusive'],
    ['a fee of $25', 25, 'USD', undefined],
  ])('%s', (text, value, unit, bound) => {
    expect(quantities(text)).toMatchObject([{ value, unit, bound }]);
  });
});

describe('references', () => {
  const text = ['§ 310.4 Abusive acts.', '(a) Conduct.', '(1) Threats.', '(b) Calls.', '§ 310.5 Records.'].join('\n');
  const sections = parseStructure(text, 'text');
  const inB = sections.find((s) => s.number === '310.4(b)');

  it.each([
    ['as in paragraph (a)(1) of this section', '310.4(a)(1)', '310.4(a)(1)'],
    ['subject to § 310.5', '310.5', '310.5'],
    ['under section 310.4(a)', '310.4(a)', '310.4(a)'],
    ['see paragraph (c) of this section', '310.4(c)', undefined],
  ])('%s', (phrase, number, target) => {
    expect(references(phrase, inB, sections)).toMatchObject([{ number }]);
    expect(references(phrase, inB, sections)[0]?.target?.number).toBe(target);
  });
});

describe('exceptionClauses inside another', () => {
  it('reads "unless the item is excluded from" as one exception, and "other than §" as an exception', () => {
    const inside = exceptionClauses('Standards prohibit a gift, unless the item is excluded from the definition of a gift.');
    expect(inside.map((c) => c.kind)).toEqual(['exception']);
    const other = exceptionClauses('Notwithstanding any exception, other than § 2635.204(j), an employee may not:');
    expect(other.map((c) => c.cue.text)).toEqual(['Notwithstanding', 'other than']);
  });
});
