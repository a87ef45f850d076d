// Review of a draft: accept drops studio:Draft, edit sets one field, reject removes the provision and what only it used; the result passes the shapes.
import { describe, expect, it } from 'vitest';
import { ingest } from '../../src/ingest/ingest.js';
import { applyReview, listProvisions, parseDraft } from '../../src/ingest/review.js';
import { serializeQuads } from '../../src/rdf/serialize.js';
import { ReviewError } from '../../src/errors.js';
import { PolicyValidator } from '../../src/validation/validator.js';
import { STUDIO } from '../../src/vocabulary.js';

const D = 'https://example.org/gifts#';

describe('ingest review', async () => {
  const result = await ingest('tests/ingest/fixtures/gifts-rule.md', { policyIri: `${D}policy` });
  const draft = parseDraft('draft.ttl', result.turtle, 'file:///draft.ttl');
  const validator = await PolicyValidator.create();
  const passes = async (quads: Parameters<typeof serializeQuads>[0]) =>
    (await validator.validateSources([{ file: 'r.ttl', text: serializeQuads(quads, 'ttl', { draft: D }), baseIri: 'file:///r.ttl' }])).violations;

  it('lists every provision as a draft with its placeholders', () => {
    const items = listProvisions(draft);
    expect(items).toHaveLength(11);
    expect(items.every((p) => p.draft)).toBe(true);
    expect(items.find((p) => p.iri === `${D}sec-12-2-a-p1`)?.unresolved.length).toBeGreaterThan(0);
  });

  it('accepts, edits and rejects by local name, prefixed name or IRI, and the result passes the shapes', async () => {
    const outcome = applyReview(draft, {
      accept: ['sec-12-2-b-p1'],
      edit: [{ iri: 'draft:sec-12-2-b-1-p1', field: 'kind', value: 'Obligation' }, { iri: `<${D}sec-12-2-b-p1>`, field: 'text', value: 'An employee must report every gift worth more than $100.' }],
      reject: ['sec-12-2-d-p2'],
    });
    const types = (iri: string) => outcome.quads.filter((q) => q.subject.value === D + iri && q.predicate.value.endsWith('#type')).map((q) => q.object.value);
    expect(types('sec-12-2-b-p1')).not.toContain(`${STUDIO}Draft`);
    expect(types('sec-12-2-b-1-p1')).toEqual(expect.arrayContaining([`${STUDIO}Obligation`]));
    expect(types('sec-12-2-b-1-p1')).not.toContain(`${STUDIO}Permission`);
    expect(types('sec-12-2-d-p2')).toEqual([]);
    expect(outcome.cascaded).toEqual([`${D}sec-12-2-d-p3`]);
    expect(outcome.quads.some((q) => q.subject.value === `${D}sec-12-2-d-p2-action`)).toBe(false);
    expect(await passes(outcome.quads)).toEqual([]);
  });

  it.each([
    ['an IRI that names no provision', { accept: ['sec-99-p1'] }, /names no provision/],
    ['a kind that is no modality', { edit: [{ iri: 'sec-12-2-a-p1', field: 'kind' as const, value: 'Maybe' }] }, /not one of Obligation/],
    ['a provision both accepted and rejected', { accept: ['sec-12-2-a-p1'], reject: ['sec-12-2-a-p1'] }, /both accepted and rejected/],
  ])('refuses %s with a ReviewError', (_, decisions, message) => {
    expect(() => applyReview(draft, decisions)).toThrow(ReviewError);
    expect(() => applyReview(draft, decisions)).toThrow(message);
  });
});
