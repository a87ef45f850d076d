import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { PolicyValidator, type Violation } from '../../src/validation/validator.js';
import { MINI, SAMPLE_POLICIES, sourceOf } from '../store/store-spec.js';

let validator: PolicyValidator;
let mini: string;
beforeAll(async () => {
  validator = await PolicyValidator.create();
  mini = await readFile(MINI, 'utf8');
});

/** Validates the mini policy after one textual edit. */
async function violationsAfter(edit: (text: string) => string): Promise<Violation[]> {
  const text = edit(mini);
  expect(text, 'the edit must change the policy').not.toBe(mini);
  const report = await validator.validateSources([sourceOf('broken.ttl', text)]);
  expect(report.syntaxErrors).toEqual([]);
  return [...report.violations];
}

const replace = (from: string | RegExp, to: string) => (text: string) => text.replace(from, to);

describe('PolicyValidator', () => {
  it('passes the mini policy', async () => {
    const report = await validator.validateFiles([MINI]);
    expect(report.violations).toEqual([]);
    expect(report.conforms).toBe(true);
  });

  it.each(SAMPLE_POLICIES)('passes the sample policy %s', async (file) => {
    const report = await validator.validateFiles([file]);
    expect(report.violations).toEqual([]);
    expect(report.conforms).toBe(true);
  });

  // Each row: a mistake, the edit that makes it, and the violation expected
  // (focus node, path, constraint, line of the focus node, words of the message).
  it.each([
    ['a rule with two bearers', replace('studio:bearer studio:Employee ;\n    studio:action mini:acceptGift', 'studio:bearer studio:Employee, studio:Manager ;\n    studio:action mini:acceptGift'),
      { focusNode: 'mini:gifts-001', path: 'studio:bearer', constraint: 'MaxCount', line: 54, section: '1 Gifts' }, /exactly one bearer/],
    ['a rule with no bearer', replace('    studio:bearer studio:Manager ;\n', ''),
      { focusNode: 'mini:conf-003', path: 'studio:bearer', constraint: 'MinCount', section: '2 Confidential information' }, /exactly one bearer/],
    ['a rule with two actions', replace('studio:action mini:protect ;', 'studio:action mini:protect, mini:share ;'),
      { focusNode: 'mini:conf-002', path: 'studio:action', constraint: 'MaxCount' }, /exactly one action/],
    ['an exception to nothing', replace('studio:exceptionTo mini:gifts-001', 'studio:exceptionTo mini:gifts-01'),
      { focusNode: 'mini:gifts-003', path: 'studio:exceptionTo', constraint: 'Or', value: 'mini:gifts-01', line: 78 }, /naming an existing one/],
    ['an exception without exceptionTo', replace('    studio:exceptionTo mini:gifts-001 ;\n', ''),
      { focusNode: 'mini:gifts-003', path: 'studio:exceptionTo', constraint: 'MinCount' }, /exactly one declared rule or exception/],
    ['a rule with no section', replace('    studio:section mini:s2 ;\n    studio:text "Employees must protect', '    studio:text "Employees must protect'),
      { focusNode: 'mini:conf-002', path: 'studio:section', constraint: 'MinCount' }, /studio:section/],
    ['a malformed date', replace('"2024-01-01"^^xsd:date', '"2024-13-01"^^xsd:date'),
      { focusNode: 'mini:gifts-001', path: 'studio:effectiveFrom', constraint: 'Datatype', value: '"2024-13-01"' }, /valid xsd:date/],
    ['a date given as a plain string', replace('"2024-01-01"^^xsd:date', '"2024-01-01"'),
      { focusNode: 'mini:gifts-001', path: 'studio:effectiveFrom', constraint: 'Datatype' }, /xsd:date/],
    ['a rank that is not a positive integer', replace('studio:authorityRank 2 .\n\nmini:def-secret', 'studio:authorityRank 0 .\n\nmini:def-secret'),
      { focusNode: 'mini:conf-003', path: 'studio:authorityRank', constraint: 'MinInclusive' }, /positive xsd:integer/],
    ['a rank given as text', replace('studio:authorityRank 2 .\n\nmini:def-secret', 'studio:authorityRank "high" .\n\nmini:def-secret'),
      { focusNode: 'mini:conf-003', path: 'studio:authorityRank', constraint: 'Datatype' }, /positive xsd:integer/],
    ['a rule with no expected behaviour', replace('    studio:expectedBehaviour studio:Warn .\n', '    rdfs:comment "no behaviour" .\n'),
      { focusNode: 'mini:conf-002', path: 'studio:expectedBehaviour', constraint: 'MinCount' }, /expected to do/],
    ['a reference to an undeclared term', replace('studio:target mini:gift ;\n    studio:counterparty', 'studio:target mini:gfit ;\n    studio:counterparty'),
      { focusNode: 'mini:gifts-001', path: 'studio:target', constraint: 'Class', value: 'mini:gfit' }, /declared studio:Asset/],
    ['an undeclared bearer', replace('studio:bearer studio:Manager ;', 'studio:bearer mini:Boss ;'),
      { focusNode: 'mini:conf-003', path: 'studio:bearer', constraint: 'Class', value: 'mini:Boss' }, /declared studio:Role/],
    ['a misspelt property', replace('studio:refersTo mini:gifts-001 .', 'studio:refersto mini:gifts-001 .'),
      { focusNode: 'mini:gifts-002', path: 'studio:refersto', constraint: 'Closed' }, /not a property the vocabulary allows/],
    ['a misspelt rule class', replace('mini:conf-003 a studio:Permission ;', 'mini:conf-003 a studio:Permision ;'),
      { focusNode: 'studio:Permision', constraint: 'Or', line: 108 }, /not in the vocabulary/],
    ['a rule of two kinds', replace('mini:conf-003 a studio:Permission ;', 'mini:conf-003 a studio:Permission, studio:Prohibition ;'),
      { focusNode: 'mini:conf-003', path: 'rdf:type', constraint: 'QualifiedMaxCount' }, /exactly one of/],
    ['direct-to-channel without a channel', replace('    studio:channel mini:hotline ;\n', ''),
      { focusNode: 'mini:gifts-002', path: 'studio:channel', constraint: 'MinCount' }, /needs the channel/],
    ['an empty threshold interval', replace('studio:maxInclusive "50"^^xsd:decimal ;', 'studio:maxInclusive "50"^^xsd:decimal ; studio:minInclusive "80"^^xsd:decimal ;'),
      { focusNode: 'mini:cond-nominal', path: 'studio:minInclusive', constraint: 'LessThanOrEquals' }, /interval is empty/],
    ['an audience that is neither internal nor external', replace('studio:audience studio:External', 'studio:audience mini:everyone'),
      { focusNode: 'mini:cond-external', path: 'studio:audience', constraint: 'In' }, /studio:Internal or studio:External/],
    ['a channel contact point given as a number', replace('mini:hotline a studio:Channel ; rdfs:label "ethics hotline" .', 'mini:hotline a studio:Channel ; rdfs:label "ethics hotline" ; studio:contactPoint 988 .'),
      { focusNode: 'mini:hotline', path: 'studio:contactPoint', constraint: 'Datatype' }, /contactPoint is a plain string/],
    ['a definition of an undeclared term', replace('studio:defines mini:secret', 'studio:defines mini:secrets'),
      { focusNode: 'mini:def-secret', path: 'studio:defines', constraint: 'Class' }, /declared term/],
  ] as const)('reports %s', async (_label, edit, expected, message) => {
    const violations = await violationsAfter(edit);
    // One mistake may break more than one constraint of the same node (a rank "high" is neither an integer nor >= 1).
    expect(new Set(violations.map((v) => v.focusNode))).toEqual(new Set([expected.focusNode]));
    const violation = violations.find((v) => v.constraint === expected.constraint);
    expect(violation).toMatchObject({ file: 'broken.ttl', severity: 'violation', ...expected });
    expect(violation!.message).toMatch(message);
  });

  it('names file, line and column for a syntax error and reports no violations', async () => {
    const report = await validator.validateSources([sourceOf('broken.ttl', mini.replace('studio:bearer studio:Manager ;', 'studio:bearer studio:Manager'))]);
    expect(report.conforms).toBe(false);
    expect(report.violations).toEqual([]);
    expect(report.syntaxErrors.map((e) => [e.file, e.line, e.column])).toEqual([['broken.ttl', 114, 5]]);
  });
});
