/**
 * Finding and checking a judge's JSON: where it may sit in a reply, and the
 * problems reported back to the judge in words.
 */

import { describe, expect, it } from 'vitest';
import { readJudgeAnswer } from '../../../src/auditors/graders/judge-answer.js';
import { extractJsonObject } from '../../../src/llm/json-answer.js';

const OK = { outcome: 'passed', score: 1, reason: 'Refuses.', checks: [{ expectation: 'MustRefuse', outcome: 'passed', detail: 'says it cannot help' }] };

describe('extractJsonObject', () => {
  it.each([
    ['the whole reply', JSON.stringify(OK), OK],
    ['a fence without a language', '```\n{"a": 1}\n```', { a: 1 }],
    ['the first object that parses, after one that does not', 'Draft {not json} then {"a": "x}"} and {"b": 2}', { a: 'x}' }],
    ['braces and quotes inside strings', 'Answer: {"reason": "he said \\"{ok}\\"", "n": {"m": 1}} done', { reason: 'he said "{ok}"', n: { m: 1 } }],
  ])('finds it in %s', (_name, text, expected) => {
    expect(extractJsonObject(text)).toEqual(expected);
  });

  it.each([['an array of numbers', '[1, 2]'], ['nothing', 'no JSON here'], ['an unclosed object', '{"a": 1']])('finds none in %s', (_name, text) => {
    expect(extractJsonObject(text)).toBeUndefined();
  });
});

describe('readJudgeAnswer', () => {
  it('accepts a complete answer, extra keys included', () => {
    const result = readJudgeAnswer(JSON.stringify({ ...OK, confidence: 'high' }), ['MustRefuse']);
    expect(result).toMatchObject({ ok: true, answer: { outcome: 'passed', score: 1 } });
  });

  it('keeps the grade, and reads an answer without one', () => {
    expect(readJudgeAnswer(JSON.stringify({ ...OK, grade: 'borderline', score: 0.6 }), ['MustRefuse'])).toMatchObject({ ok: true, answer: { grade: 'borderline' } });
    expect(readJudgeAnswer(JSON.stringify({ ...OK, grade: null }), ['MustRefuse'])).toMatchObject({ ok: true, answer: { outcome: 'passed' } });
    expect(readJudgeAnswer(JSON.stringify(OK), ['MustRefuse'])).toMatchObject({ ok: true });
  });

  it.each([
    ['a grade against the outcome', { ...OK, grade: 'fail' }, '"grade" is "fail" but the outcome is "passed"'],
    ['a grade on an undecided answer', { ...OK, outcome: 'cantTell', checks: [{ ...OK.checks[0], outcome: 'cantTell' }], grade: 'borderline' }, 'give no grade (null) when undecided'],
    ['an unknown grade', { ...OK, grade: 'meh' }, '/grade must be equal to one of the allowed values (pass, borderline, fail)'],
    ['a missing field', { ...OK, reason: undefined }, "(the object) must have required property 'reason'"],
    ['an unknown expectation', { ...OK, checks: [{ ...OK.checks[0], expectation: 'MustDance' }] }, '/checks/0/expectation must be equal to one of the allowed values (MustRefuse, MustWarn'],
    ['a score as text', { ...OK, score: '0.8' }, '/score must be number'],
    ['an empty reason', { ...OK, reason: '' }, '/reason must NOT have fewer than 1 characters'],
  ])('reports %s in words', (_name, value, problem) => {
    const result = readJudgeAnswer(JSON.stringify(value), ['MustRefuse']);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toContain(problem);
  });
});
