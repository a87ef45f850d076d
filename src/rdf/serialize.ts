/** Writes quads as Turtle or N-Triples (n3's writer, with prefixes) or JSON-LD (oxigraph's). */

import N3 from 'n3';
import oxigraph from 'oxigraph';
import type { Quad } from '@rdfjs/types';
import { PREFIXES } from '../vocabulary.js';

export const EXPORT_FORMATS = ['ttl', 'nt', 'jsonld'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Serializes triples (graph names are dropped) in the given format. */
export function serializeQuads(quads: readonly Quad[], format: ExportFormat, prefixes: Record<string, string> = {}): string {
  const triples = quads.map((q) => N3.DataFactory.quad(q.subject as N3.Quad_Subject, q.predicate as N3.Quad_Predicate, q.object as N3.Quad_Object));
  if (format === 'jsonld') {
    const store = new oxigraph.Store(triples as unknown as oxigraph.Quad[]);
    return store.dump({ format: 'application/ld+json', from_graph_name: oxigraph.defaultGraph() });
  }
  const writer = new N3.Writer(format === 'ttl' ? { prefixes: { ...PREFIXES, ...prefixes } } : { format: 'N-Triples' });
  writer.addQuads(triples);
  let output = '';
  writer.end((error, result) => {
    if (error) throw error;
    output = result;
  });
  return output;
}

/**
 * N-Triples in pieces of at most `size` triples, so that a graph of millions
 * of triples never becomes one string (V8 caps a string at about 512 MB).
 */
export function* nTriplesChunks(quads: readonly Quad[], size = 100_000): Generator<string> {
  for (let start = 0; start < quads.length; start += size) yield serializeQuads(quads.slice(start, start + size), 'nt');
}
