import { describe, expect, it } from 'vitest';
import { clauses, sentences } from '../../src/ingest/sentences.js';
import { deonticCues, imperativeCue } from '../../src/ingest/deontic.js';

const split = (text: string) => sentences(text).map((s) => text.slice(s.start, s.end));
const clausesOf = (text: string) =>
  clauses(text, { start: 0, end: text.length }, (c) => deonticCues(c).length > 0, (p) => {
    const own = text.slice(p.start, p.end);
    const verb = imperativeCue(text.slice(p.start));
    return deonticCues(own).length > 0 || (verb !== undefined && verb.start < own.length);
  }).map((s) => text.slice(s.start, s.end));

describe('sentences', () => {
  it('splits at sentence ends but not after abbreviations, initials or section numbers', () => {
    expect(split('Calls before 8 a.m. are barred. See 16 U.S.C. 6101, e.g. the Act. Keep records.\n\nNew paragraph')).toEqual([
      'Calls before 8 a.m. are barred.', 'See 16 U.S.C. 6101, e.g. the Act.', 'Keep records.', 'New paragraph',
    ]);
  });
});

describe('clauses', () => {
  it.each([
    ['Never accept cash or vouchers, never ask for a gift, and, from 1 July 2025, do not accept more than 150 USD.', ['Never accept cash or vouchers', 'never ask for a gift', 'do not accept more than 150 USD.']],
    ['Small investments in listed companies, up to 1 percent of the share capital, need no declaration.', ['Small investments in listed companies, up to 1 percent of the share capital, need no declaration.']],
    ['Insiders may not deal while the window is closed, and must obtain pre-clearance first.', ['Insiders may not deal while the window is closed', 'must obtain pre-clearance first.']],
    ['Inventions belong to Kestrel; report them to the IP team.', ['Inventions belong to Kestrel', 'report them to the IP team.']],
  ])('%s', (sentence, expected) => {
    expect(clausesOf(sentence)).toEqual(expected);
  });
});
