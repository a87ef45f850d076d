/**
 * The chain-of-command shapes: message sources and their ranks (0 only for a
 * source), rules triggered by an instruction, defaults and who may override
 * them, hard limits. Each mistake is planted in the chain-of-command fixture.
 */

import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { PolicyValidator, type Violation } from '../../src/validation/validator.js';
import { sourceOf } from '../store/store-spec.js';

const FIXTURE = 'tests/fixtures/chain-of-command-policy.ttl';
let validator: PolicyValidator;
let fixture: string;
beforeAll(async () => {
  validator = await PolicyValidator.create();
  fixture = await readFile(FIXTURE, 'utf8');
});

async function violationsAfter(edit: (text: string) => string): Promise<Violation[]> {
  const text = edit(fixture);
  expect(text, 'the edit must change the policy').not.toBe(fixture);
  const report = await validator.validateSources([sourceOf('broken.ttl', text)]);
  expect(report.syntaxErrors).toEqual([]);
  return [...report.violations];
}

const replace = (from: string, to: string) => (text: string) => {
  expect(text).toContain(from);
  return text.replace(from, to);
};
const append = (extra: string) => (text: string) => `${text}\n${extra}\n`;

describe('chain-of-command shapes', () => {
  it('pass the fixture, whose tool source has rank 0', async () => {
    const report = await validator.validateFiles([FIXTURE]);
    expect(report.violations).toEqual([]);
  });

  it('pass the sample assistant spec', async () => {
    const report = await validator.validateFiles(['policies/assistant-spec.ttl']);
    expect(report.violations).toEqual([]);
  });

  it('let a policy declare a source of its own with no authority', async () => {
    const violations = await violationsAfter(append('coc:quoted a studio:MessageSource ; rdfs:label "quoted e-mail" ; studio:authorityRank 0 .'));
    expect(violations).toEqual([]);
  });

  it('accept caution and helpfulness as a documented conflict\'s intended principle', async () => {
    const edit = (principle: string) => replace('studio:intendedWinner coc:def-002 ;\n    studio:intendedPrinciple studio:LexSuperior .', `studio:intendedWinner coc:def-002 ;\n    studio:intendedPrinciple ${principle} .`);
    expect(await violationsAfter(edit('studio:Caution'))).toEqual([]);
    expect(await violationsAfter(edit('studio:Helpfulness'))).toEqual([]);
  });

  it.each([
    ['a documented conflict decided by an undeclared principle', replace('studio:intendedWinner coc:def-002 ;\n    studio:intendedPrinciple studio:LexSuperior .', 'studio:intendedWinner coc:def-002 ;\n    studio:intendedPrinciple studio:Prudence .'),
      { focusNode: 'coc:conflict-3', path: 'studio:intendedPrinciple', constraint: 'In', value: 'studio:Prudence' }, /studio:Caution, studio:Helpfulness/],
    ['rank 0 on a regulation', replace('studio:authorityRank 3 .', 'studio:authorityRank 0 .'),
      { focusNode: 'coc:spec', path: 'studio:authorityRank', constraint: 'MinInclusive' }, /positive xsd:integer/],
    ['a source with a negative rank', append('coc:quoted a studio:MessageSource ; rdfs:label "quoted e-mail" ; studio:authorityRank -1 .'),
      { focusNode: 'coc:quoted', path: 'studio:authorityRank', constraint: 'MinInclusive' }, /0 or more/],
    ['a source with no rank', append('coc:quoted a studio:MessageSource ; rdfs:label "quoted e-mail" .'),
      { focusNode: 'coc:quoted', path: 'studio:authorityRank', constraint: 'MinCount' }, /exactly one studio:authorityRank/],
    ['a misspelt property on a source', append('coc:quoted a studio:MessageSource ; rdfs:label "quoted e-mail" ; studio:authorityRank 0 ; studio:laterPrevail true .'),
      { focusNode: 'coc:quoted', path: 'studio:laterPrevail', constraint: 'Closed' }, /not a property the vocabulary allows/],
    ['a rule instructed by something that is not a source', replace('studio:instructedBy studio:DeveloperSource ;\n    studio:expectedBehaviour studio:Inform .\n\ncoc:ins-002',
      'studio:instructedBy studio:Customer ;\n    studio:expectedBehaviour studio:Inform .\n\ncoc:ins-002'),
      { focusNode: 'coc:ins-001', path: 'studio:instructedBy', constraint: 'Class', value: 'studio:Customer' }, /names the one source/],
    ['a rule instructed by two sources', replace('studio:instructedBy studio:ToolSource ;', 'studio:instructedBy studio:ToolSource, studio:UserSource ;'),
      { focusNode: 'coc:ins-005', path: 'studio:instructedBy', constraint: 'MaxCount' }, /names the one source/],
    ['a default nobody may override', replace('    studio:overridableBy studio:DeveloperSource ;\n', ''),
      { focusNode: 'coc:def-002', path: 'studio:overridableBy', constraint: 'MinCount' }, /names who may override it/],
    ['a default a tool may override', replace('studio:overridableBy studio:DeveloperSource ;', 'studio:overridableBy studio:ToolSource ;'),
      { focusNode: 'coc:def-002', path: 'studio:overridableBy', constraint: 'SPARQL', value: 'studio:ToolSource' }, /can override nothing/],
    ['a default overridable by something that is not a source', replace('studio:overridableBy studio:DeveloperSource ;', 'studio:overridableBy studio:Manager ;'),
      { focusNode: 'coc:def-002', path: 'studio:overridableBy', constraint: 'Class', value: 'studio:Manager' }, /names a source that may override/],
    ['a hard limit someone may override', replace('studio:target coc:nerveAgent ;\n    studio:expectedBehaviour studio:Refuse .', 'studio:target coc:nerveAgent ;\n    studio:overridableBy studio:DeveloperSource ;\n    studio:expectedBehaviour studio:Refuse .'),
      { focusNode: 'coc:lim-001', constraint: 'Class' }, /belongs on a default/],
    ['a rule both a hard limit and a default', replace('coc:lim-001 a studio:Prohibition, studio:HardLimit ;', 'coc:lim-001 a studio:Prohibition, studio:HardLimit, studio:Default ;\n    studio:overridableBy studio:UserSource ;'),
      { focusNode: 'coc:lim-001', constraint: 'Not' }, /never both/],
  ] as const)('report %s', async (_label, edit, expected, message) => {
    const violations = await violationsAfter(edit);
    expect(new Set(violations.map((v) => v.focusNode))).toEqual(new Set([expected.focusNode]));
    const violation = violations.find((v) => v.constraint === expected.constraint);
    expect(violation).toMatchObject({ file: 'broken.ttl', severity: 'violation', ...expected });
    expect(violation!.message).toMatch(message);
  });
});
