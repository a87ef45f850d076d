/**
 * xsd:dateTime literals. The embedded store hands a date-time back in its
 * canonical lexical form (no trailing zeros in the fraction, no fraction when
 * it is zero) while Neo4j keeps the form written; writing the canonical form
 * makes both stores answer alike, and reading with isoDateTime gives back the
 * form JavaScript writes everywhere else (JSON, YAML, file names).
 */

import N3 from 'n3';
import { XSD } from '../vocabulary.js';

const DATE_TIME = N3.DataFactory.namedNode(`${XSD}dateTime`);

/** An ISO date-time in the canonical lexical form of xsd:dateTime. */
export function canonicalDateTime(iso: string): string {
  return iso.replace(/\.(\d*?)0+Z$/, (_, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}

/** An xsd:dateTime literal in canonical form. */
export function dateTimeLiteral(iso: string): N3.Literal {
  return N3.DataFactory.literal(canonicalDateTime(iso), DATE_TIME);
}

/** A date-time read from a graph, as Date.toISOString writes it; a value that is not one is returned unchanged. */
export function isoDateTime(value: string): string {
  const time = Date.parse(value);
  return Number.isNaN(time) ? value : new Date(time).toISOString();
}
