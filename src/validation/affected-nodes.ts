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

/**
 * The subjects whose descriptions may differ between two parses of a source:
 * those of the triples between the longest run of equal triples at the start
 * and at the end. An edit in one place of a file changes its triples in that
 * place only. Blank nodes are labelled anew by each parse, so a triple with
 * one is never taken as equal: its subject counts as changed.
 */
export function changedSubjects(before: readonly Quad[], after: readonly Quad[]): Map<string, Term> {
  const same = (a: Quad, b: Quad) => a.subject.equals(b.subject) && a.predicate.equals(b.predicate) && a.object.equals(b.object);
  let start = 0;
  while (start < before.length && start < after.length && same(before[start]!, after[start]!)) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && same(before[endBefore - 1]!, after[endAfter - 1]!)) {
    endBefore--;
    endAfter--;
  }
  const changed = new Map<string, Term>();
  for (const q of [...before.slice(start, endBefore), ...after.slice(start, endAfter)]) changed.set(termKey(q.subject), q.subject);
  return changed;
}

/** The nodes whose findings can change when the `changed` subjects are described anew (`before` to `after`), by key. */
export function affectedNodes(before: SubjectDataset, after: SubjectDataset, changed: ReadonlyMap<string, Term>, targetObjectsOf: readonly Term[]): Map<string, Term> {
  const affected = new Map(changed);
  const pending = [...changed.keys()];
  // Everything that reaches a changed node, in the old version (it may have let go since) and the new one.
  while (pending.length > 0) {
    const key = pending.pop()!;
    for (const users of [before.usersOf(key), after.usersOf(key)]) {
      for (const q of users) {
        const user = termKey(q.subject);
        if (affected.has(user)) continue;
        affected.set(user, q.subject);
        pending.push(user);
      }
    }
  }
  for (const subject of changed.values()) {
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
