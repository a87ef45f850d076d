/**
 * The dataset validation runs on answers every pattern as an N3.Store over
 * the same triples does, keeps each triple once, and a revision of it answers
 * as a dataset built from the revised triples would, the indexes built before
 * the revision included.
 */

import N3 from 'n3';
import type { DatasetCore, Quad, Term } from '@rdfjs/types';
import { describe, expect, it } from 'vitest';
import { SubjectDataset, termKey } from '../../src/rdf/subject-dataset.js';

const { namedNode: iri, literal, blankNode, quad } = N3.DataFactory;
const ex = (name: string) => iri(`https://example.org/${name}`);

const TRIPLES: Quad[] = [
  quad(ex('a'), ex('p'), ex('b')),
  quad(ex('a'), ex('p'), ex('c')),
  quad(ex('a'), ex('q'), literal('one')),
  quad(ex('b'), ex('p'), ex('c')),
  quad(ex('b'), ex('q'), literal('one', 'en')),
  quad(blankNode('x'), ex('p'), ex('a')),
  // 20 values of one property: past the length where duplicates are looked up in a set.
  ...Array.from({ length: 20 }, (_, i) => quad(ex('wide'), ex('p'), literal(String(i)))),
];

const sorted = (quads: DatasetCore) => [...quads].map((q) => `${termKey(q.subject)} ${termKey(q.predicate)} ${termKey(q.object)}`).sort();

/** Every pattern of a subject, predicate and object each given or not, over the terms used. */
function patterns(quads: readonly Quad[]): [Term | null, Term | null, Term | null][] {
  const subjects = [null, ...new Set(quads.map((q) => q.subject))];
  const predicates = [null, ex('p'), ex('q'), ex('none')];
  const objects = [null, ex('a'), ex('c'), literal('one'), literal('one', 'en'), literal('7'), ex('none')];
  return subjects.flatMap((s) => predicates.flatMap((p) => objects.map((o): [Term | null, Term | null, Term | null] => [s, p, o])));
}

function expectSameAnswers(dataset: SubjectDataset, quads: readonly Quad[]): void {
  const store = new N3.Store(quads as N3.Quad[]);
  expect(dataset.size).toBe(store.size);
  expect(sorted(dataset)).toEqual(sorted(store));
  for (const [s, p, o] of patterns(quads)) {
    expect(sorted(dataset.match(s, p, o)), `${s?.value} ${p?.value} ${o?.value}`).toEqual(sorted(store.match(s as N3.Term, p as N3.Term, o as N3.Term)));
  }
}

describe('SubjectDataset', () => {
  it('answers every pattern as an N3.Store does, and keeps a triple given twice once', () => {
    const dataset = new SubjectDataset([...TRIPLES, ...TRIPLES.slice(0, 3), TRIPLES.at(-1)!]);
    expectSameAnswers(dataset, TRIPLES);
    expect(dataset.has(TRIPLES[0]!)).toBe(true);
    expect(dataset.has(quad(ex('a'), ex('p'), ex('a')))).toBe(false);
    expect(dataset.usersOf(termKey(ex('c'))).map((q) => q.subject.value).sort()).toEqual([ex('a').value, ex('b').value]);
  });

  it('revises the descriptions of changed subjects, with the indexes built before patched, and leaves the original as it was', () => {
    const before = new SubjectDataset(TRIPLES);
    // Build the indexes a revision must patch rather than share as they were.
    before.match(null, ex('p'), ex('c'));
    before.match(null, ex('q'));
    before.usersOf(termKey(ex('c')));
    const after = [
      ...TRIPLES.filter((q) => !q.subject.equals(ex('a'))),
      quad(ex('a'), ex('p'), ex('b')),
      quad(ex('a'), ex('q'), literal('two')),
      quad(ex('d'), ex('p'), ex('c')),
    ];
    const changed = new Set([termKey(ex('a')), termKey(ex('d'))]);
    const revision = before.revised(changed, after);
    expectSameAnswers(revision.dataset, after);
    expect(sorted(new SubjectDataset(revision.removed))).toEqual(sorted(new SubjectDataset(TRIPLES.filter((q) => q.subject.equals(ex('a'))))));
    expect(revision.added).toHaveLength(3);
    expectSameAnswers(before, TRIPLES);
  });
});
