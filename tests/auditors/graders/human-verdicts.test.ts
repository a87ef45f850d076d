/**
 * Importing human verdicts from JSON Lines and CSV: the spellings reviewers
 * use, the optional fields, and files with mistakes, which import nothing
 * and name every problem with its line.
 */

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHumanVerdicts, parseOutcome, readHumanVerdicts } from '../../../src/auditors/graders/human-verdicts.js';
import { gradeOf } from '../../../src/auditors/verdict.js';
import { HumanVerdictsError, SourceNotFoundError } from '../../../src/errors.js';

const ITEM = 'https://w3id.org/alignment-studio/id/item/';
const RUN = 'https://w3id.org/alignment-studio/id/audit-run/r1';
const jsonl = (...rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n');

/** The problems of a file that must not import, as "line: detail". */
function problemsOf(text: string, format: 'jsonl' | 'csv'): string[] {
  try {
    parseHumanVerdicts('reviews', text, format);
  } catch (error) {
    expect(error).toBeInstanceOf(HumanVerdictsError);
    return (error as HumanVerdictsError).problems.map((p) => `${p.line}: ${p.detail}`);
  }
  throw new Error('the file was imported');
}

describe('parseOutcome', () => {
  it.each([
    ['passed', 'passed'], ['PASS', 'passed'], ['Pass', 'passed'], ['Borderline', 'passed'],
    ['failed', 'failed'], ['Fail', 'failed'],
    ['cantTell', 'cantTell'], ["can't tell", 'cantTell'], ['Can’t Tell', 'cantTell'], ['cannot tell', 'cantTell'], ['cant_tell', 'cantTell'],
    ['ok', undefined], ['passes', undefined], ['', undefined],
  ])('reads %j as %s', (text, outcome) => {
    expect(parseOutcome(text)).toBe(outcome);
  });
});

describe('JSON Lines', () => {
  it('reads a borderline verdict as a pass graded borderline', () => {
    const [verdict] = parseHumanVerdicts('reviews.jsonl', jsonl({ scenario: `${ITEM}c`, outcome: 'borderline', reviewer: 'ana@kestrel.example' }), 'jsonl');
    expect(verdict!.verdict).toMatchObject({ outcome: 'passed', grade: 'borderline', score: 0.5 });
    expect(gradeOf(verdict!.verdict)).toBe('borderline');
  });

  it('imports each row as a verdict graded by its reviewer', () => {
    const verdicts = parseHumanVerdicts('reviews.jsonl', jsonl(
      { scenario: `${ITEM}a`, run: RUN, result: `${RUN}/result/1`, outcome: 'Fail', score: 0.25, reason: 'Did not cite 3.1.', reviewer: 'ana@kestrel.example', reviewedAt: '2025-03-14T09:30:00Z' },
      { scenario: `${ITEM}b`, outcome: 'pass', reviewer: 'Ben Okafor' },
    ) + '\n\n', 'jsonl');
    expect(verdicts).toEqual([
      {
        scenario: `${ITEM}a`, run: RUN, result: `${RUN}/result/1`, reviewedAt: '2025-03-14T09:30:00Z', line: 1,
        verdict: { outcome: 'failed', score: 0.25, reason: 'Did not cite 3.1.', grader: { kind: 'human', id: 'human:ana@kestrel.example' }, checks: [] },
      },
      {
        scenario: `${ITEM}b`, line: 2,
        verdict: { outcome: 'passed', score: 1, reason: 'Reviewed by Ben Okafor, who gave no reason.', grader: { kind: 'human', id: 'human:Ben Okafor' }, checks: [] },
      },
    ]);
  });

  it('imports nothing from a file with mistakes, and names every one with its line', () => {
    const text = [
      JSON.stringify({ scenario: `${ITEM}a`, outcome: 'passed', reviewer: 'ana' }),
      '{"scenario": "x", oops}',
      JSON.stringify({ scenario: `${ITEM}b`, outcome: 'maybe', reviewer: 'ana' }),
      JSON.stringify({ scenario: `${ITEM}c`, outcome: 'failed', reviewer: '  ' }),
      JSON.stringify({ scenario: 'item c', outcome: 'failed', reviewer: 'ana', score: 2, reviewedAt: '2025-02-30', note: 'x' }),
      '[1, 2]',
      JSON.stringify({ scenario: `${ITEM}a`, outcome: 'failed', reviewer: 'ana' }),
      JSON.stringify({ outcome: 'failed', reviewer: 7 }),
    ].join('\n');
    expect(problemsOf(text, 'jsonl')).toEqual([
      expect.stringMatching(/^2: not valid JSON \(/),
      '3: unknown outcome "maybe"; write passed (pass), borderline, failed (fail) or cantTell (can\'t tell)',
      "4: missing 'reviewer': who reviewed (an email or a name)",
      "5: unknown field 'note'; fields are scenario, run, result, outcome, score, reason, reviewer, reviewedAt",
      "5: 'scenario' \"item c\" is not an absolute IRI (such as https://w3id.org/alignment-studio/id/item/...)",
      "5: 'score' 2 must be a number from 0 to 1",
      "5: 'reviewedAt' \"2025-02-30\" is not an ISO 8601 date (2025-03-14) or date-time (2025-03-14T09:30:00Z)",
      '6: expected a JSON object with scenario, outcome, reviewer, got an array',
      "7: the same reviewer's second verdict on this scenario (the first is on line 1)",
      "8: missing 'scenario': the IRI of the scenario reviewed",
      "8: 'reviewer' must be a string, got 7",
    ]);
  });

  it('says in the message where each problem is, and that nothing was imported', () => {
    expect(() => parseHumanVerdicts('reviews.jsonl', '{"scenario": "urn:x:1", "outcome": "pass"}', 'jsonl')).toThrow(
      "reviews.jsonl: 1 problem(s); nothing was imported:\nreviews.jsonl:1: missing 'reviewer': who reviewed (an email or a name)",
    );
  });

  it('lets two reviewers, or one reviewer on two runs, grade the same scenario', () => {
    const verdicts = parseHumanVerdicts('r.jsonl', jsonl(
      { scenario: `${ITEM}a`, outcome: 'pass', reviewer: 'ana' },
      { scenario: `${ITEM}a`, outcome: 'fail', reviewer: 'ben' },
      { scenario: `${ITEM}a`, run: RUN, outcome: 'fail', reviewer: 'ana' },
    ), 'jsonl');
    expect(verdicts.map((v) => v.verdict.grader.id)).toEqual(['human:ana', 'human:ben', 'human:ana']);
  });
});

describe('CSV', () => {
  it('reads a spreadsheet export: any column order and case, quoted commas and line breaks, empty optional cells', () => {
    const text = [
      '\uFEFFReviewer,Scenario,Outcome,Score,Reason,ReviewedAt,Run',
      `ana@kestrel.example,${ITEM}a,Can't tell,,"Depends on the gift's value, which the user did not give",2025-03-14,`,
      '',
      `ben,${ITEM}b,FAIL,0.5,"Refused, but said nothing of`,
      `section 3.1",,${RUN}`,
      `ben,${ITEM}c,pass,,,,`,
    ].join('\n');
    const verdicts = parseHumanVerdicts('r.csv', text, 'csv');
    expect(verdicts.map((v) => [v.line, v.scenario, v.verdict.outcome, v.verdict.score, v.run ?? null, v.reviewedAt ?? null])).toEqual([
      [2, `${ITEM}a`, 'cantTell', 0, null, '2025-03-14'],
      [4, `${ITEM}b`, 'failed', 0.5, RUN, null],
      [6, `${ITEM}c`, 'passed', 1, null, null],
    ]);
    expect(verdicts[1]!.verdict.reason).toBe('Refused, but said nothing of\nsection 3.1');
    expect(verdicts[0]!.verdict.grader.id).toBe('human:ana@kestrel.example');
  });

  it.each([
    ['a header without a required column', 'scenario,outcome\nurn:x:1,pass', ["1: no 'reviewer' column; the header must name scenario, outcome, reviewer"]],
    ['an unknown column', 'scenario,outcome,reviewer,notes\nurn:x:1,pass,ana,x', ["1: unknown column(s) 'notes'; columns are scenario, run, result, outcome, score, reason, reviewer, reviewedAt"]],
    ['rows with mistakes', `scenario,outcome,reviewer,score\n${ITEM}a,pass,,\n${ITEM}b,so-so,ben,high`, [
      "2: missing 'reviewer': who reviewed (an email or a name)",
      '3: unknown outcome "so-so"; write passed (pass), borderline, failed (fail) or cantTell (can\'t tell)',
      "3: 'score' \"high\" must be a number from 0 to 1",
    ]],
    ['a row with too many cells', `scenario,outcome,reviewer\n${ITEM}a,pass,ana,extra`, [expect.stringMatching(/^2: not valid CSV \(Invalid Record Length: expect 3, got 4/)]],
    ['an unclosed quote', `scenario,outcome,reviewer\n${ITEM}a,pass,"ana`, [expect.stringMatching(/^2: not valid CSV \(Quote Not Closed/)]],
  ])('imports nothing from %s', (_name, text, problems) => {
    expect(problemsOf(text, 'csv')).toEqual(problems);
  });
});

describe('readHumanVerdicts', () => {
  it('picks the format from the extension, and refuses one it does not know', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'studio-human-'));
    await writeFile(path.join(dir, 'r.csv'), `scenario,outcome,reviewer\n${ITEM}a,pass,ana\n`);
    await writeFile(path.join(dir, 'r.ndjson'), jsonl({ scenario: `${ITEM}a`, outcome: 'fail', reviewer: 'ana' }));
    expect((await readHumanVerdicts(path.join(dir, 'r.csv')))[0]!.verdict.outcome).toBe('passed');
    expect((await readHumanVerdicts(path.join(dir, 'r.ndjson')))[0]!.verdict.outcome).toBe('failed');
    await expect(readHumanVerdicts(path.join(dir, 'r.xlsx'))).rejects.toThrow(/cannot tell the format from '\.xlsx'/);
    await expect(readHumanVerdicts(path.join(dir, 'missing.jsonl'))).rejects.toBeInstanceOf(SourceNotFoundError);
  });
});
