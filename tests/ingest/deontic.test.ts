import { describe, expect, it } from 'vitest';
import { modalityOf } from '../../src/ingest/deontic.js';

describe('modalityOf', () => {
  it.each([
    ['The seller shall disclose the total cost.', 'Obligation', ['shall']],
    ['An employee must report the gift.', 'Obligation', ['must']],
    ['Sellers are required to keep records.', 'Obligation', ['are required to']],
    ['Declare any conflict of interest as soon as you know of it.', 'Obligation', ['Declare']],
    ['The telemarketer shall not threaten the customer.', 'Prohibition', ['shall not']],
    ['A seller may not charge a fee in advance.', 'Prohibition', ['may not']],
    ['Calling a number on the registry is prohibited.', 'Prohibition', ['is prohibited']],
    ['Never accept cash.', 'Prohibition', ['Never']],
    ['Do not share passwords.', 'Prohibition', ['Do not']],
    ['It is an abusive telemarketing act or practice and a violation of this Rule for a telemarketer to threaten a person.', 'Prohibition', ['an abusive telemarketing act or practice', 'a violation of this Rule']],
    ['The report may be made by email.', 'Permission', ['may']],
    ['Staff are permitted to attend the event.', 'Permission', ['are permitted to']],
    ['Small holdings need not be declared.', 'Permission', ['need not']],
    ['Managers should keep a copy.', 'Recommendation', ['should']],
    ['Employees are encouraged to report concerns early.', 'Recommendation', ['are encouraged to']],
    ['Every employee has a fundamental responsibility to place loyalty above private gain.', 'Obligation', ['has a fundamental responsibility to']],
    ['Acceptance is permitted only if the employee first has complied.', 'Permission', ['is permitted']],
    ['It is never inappropriate and frequently prudent for an employee to decline a gift.', 'Recommendation', ['is never inappropriate and frequently prudent']],
    ['An employee who, in accordance with the Act, may take part in campaigns, may accept meals.', 'Permission', ['may']],
    ['An employee who cannot ascertain the market value of a gift may estimate it.', 'Permission', ['may']],
    ['Employees who have questions, including whether the employee should decline a gift, should seek advice.', 'Recommendation', ['should']],
  ])('%s -> %s', (sentence, modality, cues) => {
    const found = modalityOf(sentence);
    expect(found?.modality).toBe(modality);
    expect(found?.cues.map((c) => c.text)).toEqual(cues);
    for (const c of found!.cues) expect(sentence.slice(c.start, c.end)).toBe(c.text);
  });

  it.each([
    ['Business opportunities that you learn of through your work belong to the company.'],
    ['This chapter sets the limits for gifts.'],
    ['This section shall not be construed to limit any other rule.'],
    ['Overview.'],
    ['Subject to the limitations in § 2635.205, this section establishes exceptions.'],
    ['Travel, subsistence, and related expenses accepted by an agency.'],
    ['The gift was provided by a person who has interests that may be substantially affected by the official duties.'],
    ['Gifts which may be accepted by an employee include, but are not limited to:'],
  ])('finds no rule in a statement: %s', (sentence) => {
    expect(modalityOf(sentence)).toBeUndefined();
  });

  it("takes the rule's modality, not the one inside an exception clause it is told to ignore", () => {
    const sentence = 'Unless the customer may cancel, the seller must refund the payment.';
    const unless = { start: 0, end: sentence.indexOf(',') };
    expect(modalityOf(sentence, [unless])?.modality).toBe('Obligation');
    expect(modalityOf(sentence)?.modality).toBe('Permission');
  });
});
