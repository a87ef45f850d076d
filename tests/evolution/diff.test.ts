/**
 * diffPolicies on small versions written here: each case edits a base policy one way and says what the diff
 * must find, nothing more. Renames are one change, conditions compare by content, references follow renames.
 */

import { describe, expect, it } from 'vitest';
import { parseTurtle } from '../../src/rdf/turtle.js';
import { diffPolicies, hasChanges, type PolicyDiff } from '../../src/evolution/diff.js';
import { formatDiff } from '../../src/evolution/diff-format.js';
import { diffLines } from './diff-lines.js';

const E = 'https://example.org/evo#';

const BASE = `@prefix studio: <https://w3id.org/alignment-studio/ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix e: <${E}> .
e:policy a studio:Policy ; dcterms:title "Evo" ; studio:version "1" .
e:s1 a studio:Section ; studio:number "1" ; dcterms:title "Gifts" ; studio:sourceText "No gifts over 50 USD." .
e:s2 a studio:Section ; studio:number "2" ; dcterms:title "Records" .
e:Employee a studio:Role ; rdfs:label "employee" .
e:accept a studio:Action ; rdfs:label "accept a gift" .
e:keep a studio:Action ; rdfs:label "keep records" .
e:gift a studio:Asset ; rdfs:label "gift" .
e:value a studio:Quantity ; rdfs:label "value" .
e:approved a studio:Circumstance ; rdfs:label "approved" .
e:cond-small a studio:ThresholdCondition ; rdfs:label "at most 50" ; studio:quantity e:value ; studio:maxInclusive "50"^^xsd:decimal ; studio:unit "USD" .
e:no-gifts a studio:Prohibition ; rdfs:label "No gifts" ; studio:text "Employees must not accept gifts." ;
  studio:bearer e:Employee ; studio:action e:accept ; studio:target e:gift ; studio:section e:s1 ; studio:inPolicy e:policy ;
  studio:expectedBehaviour studio:Refuse .
e:small-gifts a studio:Exception ; rdfs:label "Small gifts" ; studio:text "Employees may accept small gifts." ;
  studio:exceptionTo e:no-gifts ; studio:condition e:cond-small ; studio:section e:s1 ; studio:inPolicy e:policy ;
  studio:expectedBehaviour studio:Inform .
e:keep-records a studio:Obligation ; rdfs:label "Keep records" ; studio:text "Employees must keep records of gifts." ;
  studio:bearer e:Employee ; studio:action e:keep ; studio:target e:gift ; studio:section e:s2 ; studio:inPolicy e:policy ;
  studio:refersTo e:no-gifts ; studio:expectedBehaviour studio:Inform .
`;

const quads = (text: string) => parseTurtle({ file: 'test.ttl', text, baseIri: 'file:///test.ttl' });
const diff = (edited: string) => diffPolicies(quads(BASE), quads(edited));
const local = (iri: string) => iri.slice(E.length);

const said = (d: PolicyDiff) => diffLines(d, local);

/** Replaces every occurrence, failing when the text is not there (a case that edits nothing tests nothing). */
function edit(text: string, ...pairs: [string | RegExp, string][]): string {
  for (const [from, to] of pairs) {
    const next = text.replace(typeof from === 'string' ? new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g') : from, to);
    if (next === text) throw new Error(`edit: ${String(from)} not found`);
    text = next;
  }
  return text;
}

describe('diffPolicies', () => {
  it('finds nothing between a version and itself, nor after reordering and re-prefixing its triples', () => {
    expect(hasChanges(diff(BASE))).toBe(false);
    const [prefixes, body] = [BASE.slice(0, BASE.indexOf('e:policy')), BASE.slice(BASE.indexOf('e:policy'))];
    const reordered = edit(prefixes + body.split(/ \.\n/).filter(Boolean).reverse().map((s) => `${s} .\n`).join(''), ['e:', 'x:']);
    expect(said(diff(reordered))).toEqual([]);
  });

  it.each<[string, [string | RegExp, string][], string[]]>([
    ['a threshold raised', [['"50"^^xsd:decimal', '100']], ['rules changed small-gifts condition']],
    ['the same threshold written as another number type', [['"50"^^xsd:decimal', '50']], []],
    ['a text reworded', [['Employees must not accept gifts.', 'Staff must not accept gifts.']], ['rules changed no-gifts text']],
    ['a bearer changed', [['e:gift a studio:Asset', 'e:Manager a studio:Role ; rdfs:label "manager" .\ne:gift a studio:Asset'], ['studio:bearer e:Employee ; studio:action e:accept', 'studio:bearer e:Manager ; studio:action e:accept']], ['rules changed no-gifts bearer', 'terms added Manager']],
    ['an exception narrowed with a second condition', [['studio:condition e:cond-small ;', 'studio:condition e:cond-small, [ a studio:CircumstanceCondition ; studio:circumstance e:approved ] ;']], ['rules changed small-gifts condition']],
    ['a rule moved to another section', [['studio:section e:s1 ; studio:inPolicy e:policy ;\n  studio:expectedBehaviour studio:Refuse', 'studio:section e:s2 ; studio:inPolicy e:policy ;\n  studio:expectedBehaviour studio:Refuse']], ['rules changed no-gifts section']],
    ['a rank and a date given', [['studio:expectedBehaviour studio:Refuse .', 'studio:expectedBehaviour studio:Refuse ; studio:authorityRank 3 ; studio:effectiveFrom "2025-01-01"^^xsd:date .']], ['rules changed no-gifts effectiveFrom', 'rules changed no-gifts rank']],
    ['an expected behaviour added', [['studio:expectedBehaviour studio:Refuse .', 'studio:expectedBehaviour studio:Refuse, studio:CiteSection .']], ['rules changed no-gifts expectedBehaviour']],
    ['a rule removed', [[/e:keep-records a studio:Obligation[^]*$/, '']], ['rules removed keep-records']],
    ['a prohibition turned into an obligation', [['e:keep-records a studio:Obligation', 'e:keep-records a studio:Prohibition']], ['rules changed keep-records kind']],
    ['a rule renamed (new IRI, same content): one change, and what referred to it follows', [['e:no-gifts', 'e:gifts-banned']], ['rules renamed no-gifts -> gifts-banned']],
    ['a rule renamed and moved: one change, with the move', [['e:keep-records', 'e:records-kept'], ['studio:section e:s2', 'studio:section e:s1']], ['rules renamed keep-records -> records-kept section']],
    ['a term renamed: one change, no rule changes', [['e:gift', 'e:present']], ['terms renamed gift -> present']],
    ['a term relabelled', [['rdfs:label "gift"', 'rdfs:label "present"']], ['terms changed gift label']],
    ['a section renamed: one change, no rule changes', [['e:s2', 'e:records']], ['sections renamed s2 -> records']],
    ['a section retitled', [['dcterms:title "Records"', 'dcterms:title "Record keeping"']], ['sections changed s2 title']],
    ['the policy version bumped', [['studio:version "1"', 'studio:version "2"']], ['policy changed version']],
  ])('%s', (_, edits, expected) => {
    expect(said(diff(edit(BASE, ...edits)))).toEqual(expected);
  });

  it('compares conditions by content: a named condition and a blank node saying the same are equal, and a threshold change says before and after', () => {
    const blank = edit(BASE, ['studio:condition e:cond-small', 'studio:condition [ a studio:ThresholdCondition ; studio:quantity e:value ; studio:maxInclusive 50 ; studio:unit "USD" ]']);
    expect(said(diff(blank))).toEqual([]);
    const change = diff(edit(BASE, ['"50"^^xsd:decimal', '75'])).rules.changed[0]!.changes[0]!;
    expect(change).toMatchObject({ field: 'condition', before: ['value <= 50 USD'], after: ['value <= 75 USD'], removed: ['value <= 50 USD'], added: ['value <= 75 USD'] });
  });

  it('compares compound conditions member by member, in order, with their negation', () => {
    const compound = (members: string, negated = '') =>
      edit(BASE, ['studio:condition e:cond-small', `studio:condition [ a studio:CompoundCondition ;${negated} studio:anyOf ( ${members} ) ]`]);
    const a = '[ a studio:CircumstanceCondition ; studio:circumstance e:approved ]';
    const two = compound(`e:cond-small ${a}`);
    expect(diffPolicies(quads(two), quads(two)).rules.changed).toEqual([]);
    const negated = diffPolicies(quads(two), quads(compound(`e:cond-small ${a}`, ' studio:negated true ;'))).rules.changed[0]!.changes[0]!;
    expect(negated).toMatchObject({ before: ['(value <= 50 USD or approved)'], after: ['not (value <= 50 USD or approved)'] });
    expect(diffPolicies(quads(two), quads(compound(`${a} e:cond-small`))).rules.changed.map((c) => local(c.iri))).toEqual(['small-gifts']);
  });

  it('says an exception list that shrank as what went, in every format', () => {
    const two = edit(BASE, ['studio:exceptionTo e:no-gifts', 'studio:exceptionTo e:no-gifts, e:keep-records']);
    const d = diffPolicies(quads(two), quads(BASE));
    expect(d.rules.changed[0]!.changes[0]).toMatchObject({ field: 'exceptionTo', removed: [`${E}keep-records`], added: [] });
    expect(formatDiff(d, 'table')).toMatch(/small-gifts\s+exceptionTo\s+- keep-records/);
    expect(formatDiff(d, 'markdown')).toContain('| rules | changed | small-gifts | exceptionTo | - keep-records |  |');
    expect(JSON.parse(formatDiff(d, 'json'))).toEqual(JSON.parse(JSON.stringify(d)));
  });
});
