/**
 * Which focus nodes an edit can change the findings of. A shape reads its
 * focus node's description and, through paths and value checks, the
 * descriptions of the nodes it reaches forward; so the findings of a node
 * can change only when the description of a node it reaches changed. The
 * affected nodes are the nodes described differently before and after the
 * edit, with every node that reaches one of them, in either version.
 * A node targeted as the object of a predicate (sh:targetObjectsOf rdf:type:
 * every class used) becomes or stops being a target through another node's
 * triple: the objects of those predicates on the changed nodes are affected
 * too.
 *
 * This holds for shapes that read only forward: no sh:inversePath, and
 * SPARQL that starts at $this and follows triples forward, as the studio's
 * shapes do. readsForwardOnly checks the first; a shape whose SPARQL read
 * backward would need the whole validation.
 */

import N3 from 'n3';
import type { DatasetCore, Quad, Term } from '@rdfjs/types';
import { termKey, type SubjectDataset } from '../rdf/subject-dataset.js';
import { SH } from '../vocabulary.js';

/** The nodes whose findings an edit from `before` to `after` can change, by key. */
export function affectedNodes(before: SubjectDataset, after: SubjectDataset, targetObjectsOf: readonly Term[]): Map<string, Term> {
  const affected = new Map<string, Term>();
  const pending: string[] = [];
  const add = (key: string, term: Term) => {
    if (affected.has(key)) return;
    affected.set(key, term);
    pending.push(key);
  };
  for (const [key, term] of after.subjects()) if (!after.describesAlike(key, before)) add(key, term);
  for (const [key, term] of before.subjects()) if (!after.describesAlike(key, before)) add(key, term);
  const changed = [...affected.values()];
  // Everything that reaches a changed node, in the old version (it may have let go since) and the new one.
  while (pending.length > 0) {
    const key = pending.pop()!;
    for (const users of [before.usersOf(key), after.usersOf(key)]) for (const q of users as Quad[]) add(termKey(q.subject), q.subject);
  }
  for (const subject of changed) {
    for (const predicate of targetObjectsOf) {
      for (const version of [before, after]) for (const q of version.match(subject, predicate) as Iterable<Quad>) affected.set(termKey(q.object), q.object);
    }
  }
  return affected;
}

/** Whether the shapes read only forward from their focus nodes (see the file comment). */
export function readsForwardOnly(shapes: DatasetCore): boolean {
  return shapes.match(null, N3.DataFactory.namedNode(`${SH}inversePath`)).size === 0;
}

/** The predicates whose objects shapes target (sh:targetObjectsOf). */
export function targetedObjectsOf(shapes: DatasetCore): Term[] {
  return [...(shapes.match(null, N3.DataFactory.namedNode(`${SH}targetObjectsOf`)) as Iterable<Quad>)].map((q) => q.object);
}
