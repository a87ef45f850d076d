import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { PolicyValidator, type Violation } from '../../src/validation/validator.js';
import { MINI, SAMPLE_POLICIES, sourceOf } from '../store/store-spec.js';
import { TurtleSyntaxError } from '../../src/errors.js';

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
      { focusNode: 'mini:gifts-001', path: 'studio:bearer', constraint: 'MaxCount', line: 59, section: '1 Gifts' }, /exactly one bearer/],
    ['a rule with no bearer', replace('    studio:bearer studio:Manager ;\n', ''),
      { focusNode: 'mini:conf-003', path: 'studio:bearer', constraint: 'MinCount', section: '2 Confidential information' }, /exactly one bearer/],
    ['a rule with two actions', replace('studio:action mini:protect ;', 'studio:action mini:protect, mini:share ;'),
      { focusNode: 'mini:conf-002', path: 'studio:action', constraint: 'MaxCount' }, /exactly one action/],
    ['an exception to nothing', replace('studio:exceptionTo mini:gifts-001', 'studio:exceptionTo mini:gifts-01'),
      { focusNode: 'mini:gifts-003', path: 'studio:exceptionTo', constraint: 'Or', value: 'mini:gifts-01', line: 83 }, /naming an existing one/],
    ['an exception without exceptionTo', replace('    studio:exceptionTo mini:gifts-001 ;\n', ''),
      { focusNode: 'mini:gifts-003', path: 'studio:exceptionTo', constraint: 'MinCount' }, /at least one studio:exceptionTo/],
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
      { focusNode: 'mini:conf-003', path: 'studio:bearer', constraint: 'Or', value: 'mini:Boss' }, /declared studio:Role or studio:Organization/],
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
    ['a gerund on a term that is not an action', replace('mini:hotline a studio:Channel ; rdfs:label "ethics hotline" .', 'mini:hotline a studio:Channel ; rdfs:label "ethics hotline" ; studio:gerund "hotlining" .'),
      { focusNode: 'mini:hotline', constraint: 'Class' }, /only a studio:Action has them/],
    ['a gerund that is not one', replace('mini:acceptGift a studio:Action ; rdfs:label "accept a gift" .', 'mini:acceptGift a studio:Action ; rdfs:label "accept a gift" ; studio:gerund "accept a gift" .'),
      { focusNode: 'mini:acceptGift', path: 'studio:gerund', constraint: 'Pattern' }, /first word ends in -ing/],
    ['an act with its object that has no place for it', replace('mini:acceptGift a studio:Action ; rdfs:label "accept a gift" .', 'mini:acceptGift a studio:Action ; rdfs:label "accept a gift" ; studio:withObject "accept a gift" .'),
      { focusNode: 'mini:acceptGift', path: 'studio:withObject', constraint: 'Pattern' }, /\{object\} where the object goes/],
    ['a definition of an undeclared term', replace('studio:defines mini:secret', 'studio:defines mini:secrets'),
      { focusNode: 'mini:def-secret', path: 'studio:defines', constraint: 'Class' }, /declared term/],
    // Misspelt properties on conditions and terms, which would otherwise vanish silently; the line is the property's.
    ['a misspelt negation on a condition', replace('studio:audience studio:External', 'studio:audience studio:External ;\n    studio:negatd true'),
      { focusNode: 'mini:cond-external', path: 'studio:negatd', constraint: 'Closed', line: 53 }, /not a property the vocabulary allows/],
    ['a misspelt bound on a condition', replace('studio:maxInclusive "50"', 'studio:maxInclusve "50"'),
      { focusNode: 'mini:cond-nominal', path: 'studio:maxInclusve', constraint: 'Closed', line: 47 }, /not a property the vocabulary allows/],
    ['a misspelt broader on a term', replace('studio:broader studio:Information', 'studio:broadr studio:Information'),
      { focusNode: 'mini:secret', path: 'studio:broadr', constraint: 'Closed', line: 38 }, /not a property the vocabulary allows/],
    ['an impossible date', replace('"2024-01-01"^^xsd:date', '"2024-02-30"^^xsd:date'),
      { focusNode: 'mini:gifts-001', path: 'studio:effectiveFrom', constraint: 'Datatype', value: '"2024-02-30"', line: 64 }, /no day of the calendar: month 02 of 2024 has 29 days/],
    ['an empty interval of exclusive bounds', replace('studio:maxInclusive "50"^^xsd:decimal ;', 'studio:minExclusive "150"^^xsd:decimal ;\n    studio:maxExclusive "100"^^xsd:decimal ;'),
      { focusNode: 'mini:cond-nominal', path: 'studio:minExclusive', constraint: 'LessThan', line: 47 }, /interval is empty/],
    ['an empty interval open at one end', replace('studio:maxInclusive "50"^^xsd:decimal ;', 'studio:maxInclusive "50"^^xsd:decimal ;\n    studio:minExclusive "50"^^xsd:decimal ;'),
      { focusNode: 'mini:cond-nominal', path: 'studio:minExclusive', constraint: 'LessThan', line: 48 }, /interval is empty/],
    ['a documented conflict whose winner is not one of its rules',
      (text: string) => `${text}\nmini:conflict-1 a studio:DocumentedConflict ;\n    rdfs:label "Sharing" ;\n    studio:between mini:conf-001, mini:conf-003 ;\n    studio:intendedWinner mini:conf-002 .\n`,
      { focusNode: 'mini:conflict-1', path: 'studio:intendedWinner', value: 'mini:conf-002', constraint: 'SPARQL', line: 129 }, /one of the two rules/],
    ['an exception that is its own target', replace('studio:exceptionTo mini:gifts-001', 'studio:exceptionTo mini:gifts-003'),
      { focusNode: 'mini:gifts-003', path: 'studio:exceptionTo', constraint: 'SPARQL', line: 83 }, /exception to itself/],
    // Compound conditions (issue 23): appended after the mini policy's last line (124), so the compound starts at line 126 and names its list on line 128.
    ['a compound condition with an empty list',
      (text: string) => `${text}\nmini:cond-or a studio:CompoundCondition ;\n    rdfs:label "nothing" ;\n    studio:anyOf () .\n`,
      { focusNode: 'mini:cond-or', path: 'studio:anyOf', constraint: 'SPARQL', line: 128 }, /list of a compound condition is empty/],
    ['a compound condition listing something that is not a condition',
      (text: string) => `${text}\nmini:cond-or a studio:CompoundCondition ;\n    rdfs:label "nominal or a gift" ;\n    studio:anyOf ( mini:cond-nominal mini:gift ) .\n`,
      { focusNode: 'mini:cond-or', constraint: 'Class', value: 'mini:gift', line: 128 }, /member of studio:anyOf is a declared condition/],
    ['a compound condition with both anyOf and allOf',
      (text: string) => `${text}\nmini:cond-or a studio:CompoundCondition ;\n    rdfs:label "both" ;\n    studio:anyOf ( mini:cond-nominal ) ;\n    studio:allOf ( mini:cond-external ) .\n`,
      { focusNode: 'mini:cond-or', constraint: 'Xone', line: 126 }, /exactly one of studio:anyOf/],
    ['a compound condition that contains itself',
      (text: string) => `${text}\nmini:cond-or a studio:CompoundCondition ;\n    rdfs:label "loop" ;\n    studio:anyOf ( mini:cond-nominal mini:cond-or ) .\n`,
      { focusNode: 'mini:cond-or', path: 'studio:anyOf', constraint: 'SPARQL', line: 128 }, /contains itself/],
    ['a studio: prefix bound to the wrong namespace', replace('@prefix studio: <https://w3id.org/alignment-studio/ns#>', '@prefix studio: <https://w3id.org/alignment-studio/ns/>'),
      { focusNode: 'broken.ttl', constraint: 'Vocabulary', line: 2 }, /uses no studio vocabulary: its studio: prefix is bound to <https:\/\/w3id\.org\/alignment-studio\/ns\/>/],
  ] as const)('reports %s', async (_label, edit, expected, message) => {
    const violations = await violationsAfter(edit);
    // One mistake may break more than one constraint of the same node (a rank "high" is neither an integer nor >= 1).
    expect(new Set(violations.map((v) => v.focusNode))).toEqual(new Set([expected.focusNode]));
    const violation = violations.find((v) => v.constraint === expected.constraint);
    expect(violation).toMatchObject({ file: 'broken.ttl', severity: 'violation', ...expected });
    expect(violation!.message).toMatch(message);
  });

  it('passes compound conditions (or, and, unless, nested) and reports a cycle through two compounds on both', async () => {
    const report = await validator.validateFiles(['tests/fixtures/compound-conditions-policy.ttl', 'tests/fixtures/recommendation-policy.ttl']);
    expect(report.violations).toEqual([]);
    const violations = await violationsAfter((text) => `${text}
mini:cond-a a studio:CompoundCondition ;
    rdfs:label "a" ;
    studio:anyOf ( mini:cond-nominal mini:cond-b ) .
mini:cond-b a studio:CompoundCondition ;
    rdfs:label "b" ;
    studio:negated true ;
    studio:allOf ( mini:cond-external mini:cond-a ) .
`);
    expect(violations.map((v) => [v.focusNode, v.line, v.constraint])).toEqual(
      expect.arrayContaining([['mini:cond-a', 128, 'SPARQL'], ['mini:cond-b', 132, 'SPARQL']]));
    expect(violations.every((v) => /contains itself/.test(v.message))).toBe(true);
  });

  it('reports a SHACL-SPARQL finding on a blank node as that blank node, and none for a well-formed one beside it', async () => {
    const violations = await violationsAfter((text) => `${text}
mini:cond-blank a studio:CompoundCondition ;
    rdfs:label "blank members" ;
    studio:anyOf ( [ a studio:CompoundCondition ; rdfs:label "empty" ; studio:allOf () ] [ a studio:CompoundCondition ; rdfs:label "fine" ; studio:allOf ( mini:cond-nominal ) ] ) .
`);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ constraint: 'SPARQL', path: 'studio:allOf', focusNode: expect.stringMatching(/^_:/) });
    expect(violations[0]!.message).toMatch(/list of a compound condition is empty/);
  });

  // Issue 23: exceptions to several rules and to a definition, notwithstanding, an agency as bearer, a rate.
  const WIDE = 'tests/fixtures/wide-exceptions-policy.ttl';
  it('passes a policy whose exceptions name several rules and a definition, with an agency bearing a duty and a per diem threshold', async () => {
    const report = await validator.validateFiles([WIDE]);
    expect(report.violations).toEqual([]);
  });

  it.each([
    ['a rate threshold with a numeric bound', 'studio:rateReference w:perDiem .', 'studio:rateReference w:perDiem ; studio:maxInclusive 50 .', 'w:cond-per-diem', 'MaxCount', /no numeric bound/],
    ['a rate reference naming no rate', 'studio:rateReference w:perDiem .', 'studio:rateReference w:value .', 'w:cond-per-diem', 'Class', /declared studio:Rate/],
    ['notwithstanding naming a term', 'studio:notwithstanding w:s1 ;', 'studio:notwithstanding w:gift ;', 'w:p-influence', 'Or', /rules or sections/],
    ['an exception to a term', 'studio:exceptionTo w:d-gift ;', 'studio:exceptionTo w:gift ;', 'w:e-refreshments', 'Or', /rules, exceptions or definitions/],
  ] as const)('reports %s', async (_label, from, to, focusNode, constraint, message) => {
    const text = await readFile(WIDE, 'utf8');
    expect(text).toContain(from);
    const report = await validator.validateSources([sourceOf('wide.ttl', text.replace(from, to))]);
    const violation = report.violations.find((v) => v.focusNode === focusNode && v.constraint === constraint);
    expect(violation, JSON.stringify(report.violations)).toBeDefined();
    expect(violation!.message).toMatch(message);
  });

  it('reports a violation once when two shapes reach it (a node typed both an exception and a rule, with no text)', async () => {
    const violations = await violationsAfter((text) =>
      text
        .replace('mini:gifts-003 a studio:Exception ;', 'mini:gifts-003 a studio:Exception, studio:Permission ;')
        .replace(`    studio:text "Employees may accept a supplier's gift worth at most 50 USD." ;\n`, ''),
    );
    expect(violations.filter((v) => v.path === 'studio:text')).toHaveLength(1);
  });

  it('reports the same in a thread of its own (as it validates large sources), syntax errors included', async () => {
    const threaded = await PolicyValidator.create({ threadFrom: 0 });
    const broken = mini
      .replace('    studio:bearer studio:Manager ;\n', '')
      .replace('studio:exceptionTo mini:gifts-001', 'studio:exceptionTo mini:gifts-01')
      .replace('"2024-01-01"^^xsd:date', '"2024-02-30"^^xsd:date');
    const progress: number[] = [];
    const report = await threaded.validateSources([sourceOf('broken.ttl', broken)], (done) => progress.push(done));
    expect(report.violations.length).toBeGreaterThanOrEqual(3);
    expect(report).toEqual(await validator.validateSources([sourceOf('broken.ttl', broken)]));
    expect(progress.length).toBeGreaterThan(1);
    const syntax = await threaded.validateSources([sourceOf('broken.ttl', mini.replace('studio:bearer studio:Manager ;', 'studio:bearer studio:Manager'))]);
    expect(syntax.syntaxErrors[0]).toBeInstanceOf(TurtleSyntaxError);
    expect(syntax.syntaxErrors.map((e) => [e.file, e.line, e.column])).toEqual([['broken.ttl', 114, 5]]);
  });

  it('names file, line and column for a syntax error and reports no violations', async () => {
    const report = await validator.validateSources([sourceOf('broken.ttl', mini.replace('studio:bearer studio:Manager ;', 'studio:bearer studio:Manager'))]);
    expect(report.conforms).toBe(false);
    expect(report.violations).toEqual([]);
    expect(report.syntaxErrors.map((e) => [e.file, e.line, e.column])).toEqual([['broken.ttl', 114, 5]]);
  });
});
