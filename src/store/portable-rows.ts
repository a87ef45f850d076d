/**
 * A named query's rows as they can cross to another thread unread. The
 * embedded store's query threads answer with SPARQL JSON text (a large answer
 * in pieces, query-thread.ts); turning 100,000 bindings into rows costs the
 * thread that does it a few hundred milliseconds and much garbage. A server
 * that only hands an answer on (to the generation worker, say) passes the
 * text as it came, and the thread that uses the rows reads them with
 * readPortableRows: the same rows namedQuery gives. A store whose rows are
 * already objects (Neo4j, or the embedded store reading in its own thread)
 * gives the rows.
 */

import { QueryError } from '../errors.js';
import { fromSparqlJson, type SparqlJson } from '../rdf/terms.js';
import type { Row } from './graph-store.js';

export type PortableRows =
  | { readonly rows: readonly Row[] }
  /** SPARQL JSON; with `pieces`, its bindings were cut out and follow as JSON arrays of bindings, in order. */
  | { readonly sparqlJson: string; readonly pieces?: readonly string[] };

/** The rows of a named query's answer, wherever it is read; `name` is the query's, for the error of an answer that has no rows. */
export function readPortableRows(name: string, answer: PortableRows): Row[] {
  if ('rows' in answer) return [...answer.rows];
  const json = JSON.parse(answer.sparqlJson) as SparqlJson;
  const head = fromSparqlJson(json);
  if (head.kind !== 'rows') throw new QueryError(name, 'a named query must be a SELECT');
  const rows = [...head.rows];
  for (const piece of answer.pieces ?? []) for (const row of pieceRows(json, piece)) rows.push(row);
  return rows;
}

/** The rows of one piece of a SPARQL JSON answer cut into pieces (query-thread.ts): `head` is the answer without its bindings. */
export function pieceRows(head: SparqlJson, piece: string): readonly Row[] {
  const part = fromSparqlJson({ ...head, results: { bindings: JSON.parse(piece) as NonNullable<SparqlJson['results']>['bindings'] } });
  return part.kind === 'rows' ? part.rows : [];
}
