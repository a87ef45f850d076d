/** Test helpers for RDF: canonical form (RDFC-1.0) to compare graphs up to blank node names. */

import N3 from 'n3';
import canonize from 'rdf-canonize';
import type { Quad } from '@rdfjs/types';
import { parseTurtle, readTurtle } from '../../src/rdf/turtle.js';

/** The canonical N-Quads of a set of triples (graph names dropped): equal strings mean isomorphic graphs. */
export async function canonical(quads: readonly Quad[]): Promise<string> {
  const writer = new N3.Writer({ format: 'N-Quads' });
  for (const q of quads) writer.addQuad(q.subject as N3.Quad_Subject, q.predicate as N3.Quad_Predicate, q.object as N3.Quad_Object);
  const nquads = await new Promise<string>((resolve, reject) => writer.end((error, result) => (error ? reject(error) : resolve(result))));
  // A graph without blank nodes is canonical up to the order of its lines: sorting them is enough, and far
  // cheaper than RDFC-1.0 on the tens of thousands of triples a generation run writes.
  if (!quads.some((q) => q.subject.termType === 'BlankNode' || q.object.termType === 'BlankNode')) {
    return [...new Set(nquads.split('\n').filter((line) => line !== ''))].sort().join('\n');
  }
  return canonize.canonize(nquads, { algorithm: 'RDFC-1.0', inputFormat: 'application/n-quads' });
}

/** The triples of a Turtle file. */
export async function triplesOf(file: string): Promise<Quad[]> {
  return parseTurtle(await readTurtle(file));
}
