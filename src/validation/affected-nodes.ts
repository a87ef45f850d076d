/**
 * Which focus nodes an edit can change the findings of. A shape reads its
 * focus node's description and, through paths and value checks, the
 * descriptions of the nodes it reaches forward; so the findings of a node
 * can change only when the description of a node it reaches changed. The
 * affected nodes are the nodes described differently before and after the
 * edit, with every node that reaches one of them, in either version.
 *
 * This holds for shapes that read only forward: no sh:inversePath, no
 * sh:targetObjectsOf (a node becomes a target through another's triple),
 * and SPARQL that starts at $this and follows triples forward, as the
 * studio's shapes do. readsForwardOnly checks the first two; a shape whose
 * SPARQL read backward would need the whole validation.
 */

import N3 from 'n3';
import type { DatasetCore, Quad, Term } from '@rdfjs/types';
import { termKey, type SubjectDataset } from '../rdf/subject-dataset.js';
import { SH } from '../vocabulary.js';

/** The nodes whose findings an edit from `before` to `after` can change, by key. */
export function affectedNodes(before: SubjectDataset, after: SubjectDataset): Map<string, Term> {
  const affected = new Map<string, Term>();
  const pending: string[] = [];
  const add = (key: string, term: Term) => {
    if (affected.has(key)) return;
    affected.set(key, term);
    pending.push(key);
  };
  for (const [key, term] of after.subjects()) if (!after.describesAlike(key, before)) add(key, term);
  for (const [key, term] of before.subjects()) if (!after.describesAlike(key, before)) add(key, term);
  // Everything that reaches a changed node, in the old version (it may have let go since) and the new one.
  while (pending.length > 0) {
    const key = pending.pop()!;
    for (const users of [before.usersOf(key), after.usersOf(key)]) for (const q of users as Quad[]) add(termKey(q.subject), q.subject);
  }
  return affected;
}

/** Whether the shapes read only forward from their focus nodes (see the file comment). */
export function readsForwardOnly(shapes: DatasetCore): boolean {
  return ['inversePath', 'targetObjectsOf'].every((name) => shapes.match(null, N3.DataFactory.namedNode(`${SH}${name}`)).size === 0);
}
