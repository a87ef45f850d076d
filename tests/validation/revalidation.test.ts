/**
 * Revalidating an edit (PolicyValidator.revalidateParsed) gives exactly what
 * validating the edited policy whole gives, file:line and message included,
 * while validating again only the nodes the edit reaches.
 */

import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { PolicyValidator, type KeptValidation } from '../../src/validation/validator.js';
import { parseTurtle } from '../../src/rdf/turtle.js';
import { MINI, sourceOf } from '../store/store-spec.js';

let validator: PolicyValidator;
let mini: string;
beforeAll(async () => {
  validator = await PolicyValidator.create();
  mini = await readFile(MINI, 'utf8');
});

/** Validates a version whole, and kept for the next. */
async function whole(text: string) {
  const source = sourceOf('policy.ttl', text);
  return validator.revalidateParsed(source, parseTurtle(source));
}

/** Revalidates `text` after `kept`, and checks it against a whole validation of `text`. */
async function revalidatedAlike(kept: KeptValidation, text: string) {
  const source = sourceOf('policy.ttl', text);
  const again = await validator.revalidateParsed(source, parseTurtle(source), kept);
  expect(again.violations).toEqual((await whole(text)).violations);
  return again;
}

const replace = (from: string, to: string) => (text: string) => {
  expect(text).toContain(from);
  return text.replace(from, to);
};
const append = (extra: string) => (text: string) => `${text}\n${extra}\n`;

// Each edit breaks something the shapes report; several reach other nodes than the one edited.
const EDITS = [
  ['a second bearer on a rule', replace('studio:bearer studio:Employee ;\n    studio:action mini:acceptGift', 'studio:bearer studio:Employee, studio:Manager ;\n    studio:action mini:acceptGift')],
  ['an action no longer declared one (its rules break)', replace('mini:acceptGift a studio:Action ;', 'mini:acceptGift a studio:Asset ;')],
  ['an asset removed (the rule naming it breaks)', replace('mini:gift a studio:Asset ; rdfs:label "gift" .\n', '')],
  ['a section removed (its rules break)', replace('mini:s1 a studio:Section ;', 'mini:s1 a studio:Thing ;')],
  ['an exception to a misspelt rule', replace('studio:exceptionTo mini:gifts-001', 'studio:exceptionTo mini:gifts-01')],
  ['a misspelt rule class', replace('mini:conf-003 a studio:Permission ;', 'mini:conf-003 a studio:Permision ;')],
  ['an impossible date', replace('"2024-01-01"^^xsd:date', '"2024-02-30"^^xsd:date')],
  ['a cycle through two compound conditions', append(`mini:cond-a a studio:CompoundCondition ;
    rdfs:label "a" ;
    studio:anyOf ( mini:cond-nominal mini:cond-b ) .
mini:cond-b a studio:CompoundCondition ;
    rdfs:label "b" ;
    studio:allOf ( mini:cond-external mini:cond-a ) .`)],
  ['a documented conflict whose winner is not one of its rules', append(`mini:conflict-1 a studio:DocumentedConflict ;
    rdfs:label "Sharing" ;
    studio:between mini:conf-001, mini:conf-003 ;
    studio:intendedWinner mini:conf-002 .`)],
] as const;

describe('revalidation of an edit', () => {
  it.each(EDITS)('finds what a whole validation finds after %s, and again once it is undone', async (_label, edit) => {
    const base = await whole(mini);
    expect(base.violations).toEqual([]);
    const edited = await revalidatedAlike(base.kept, edit(mini));
    expect(edited.violations.length).toBeGreaterThan(0);
    const undone = await revalidatedAlike(edited.kept, mini);
    expect(undone.violations).toEqual([]);
  });

  it('validates again only the nodes an edit reaches', async () => {
    const base = await whole(mini);
    expect(base.revalidated).toBeGreaterThan(20);
    const unchanged = await revalidatedAlike(base.kept, mini);
    expect(unchanged.revalidated).toBe(0);
    // A rule's text: that rule alone (no node of the mini policy refers to gifts-002's).
    const text = await revalidatedAlike(base.kept, mini.replace('studio:refersTo mini:gifts-001 .', 'studio:refersTo mini:gifts-001 ; rdfs:comment "edited" .'));
    expect(text.revalidated).toBeGreaterThan(0);
    expect(text.revalidated).toBeLessThan(5);
  });

  it('carries findings of nodes the edit does not reach into the next version, at their new lines', async () => {
    const text = replace('studio:exceptionTo mini:gifts-001', 'studio:exceptionTo mini:gifts-01')(mini);
    const broken = await whole(text);
    expect(broken.violations).toMatchObject([{ focusNode: 'mini:gifts-003', line: 83 }]);
    const moved = await revalidatedAlike(broken.kept, replace('mini:acceptGift a studio:Action ;', '# moved\nmini:acceptGift a studio:Action ;')(text));
    expect(moved.revalidated).toBe(0);
    expect(moved.violations).toMatchObject([{ focusNode: 'mini:gifts-003', line: 84 }]);
  });
});
