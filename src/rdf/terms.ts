/** Query answers as plain values, and query parameters as SPARQL terms. */

import { XSD } from '../vocabulary.js';
import type { QueryAnswer, Row, Value } from '../store/graph-store.js';
import type { ScalarType, ScalarValue } from '../store/named-queries.js';

const NUMERIC = new Set(
  ['integer', 'decimal', 'double', 'float', 'long', 'int', 'short', 'byte', 'nonNegativeInteger', 'positiveInteger', 'negativeInteger', 'nonPositiveInteger', 'unsignedLong', 'unsignedInt', 'unsignedShort', 'unsignedByte'].map(
    (name) => XSD + name,
  ),
);

/** A parameter as a SPARQL term; values are checked by checkParams before they get here. */
export function sparqlTerm(value: ScalarValue, type: ScalarType): string {
  switch (type) {
    case 'iri':
      return `<${String(value)}>`;
    case 'integer':
      return String(Math.trunc(Number(value)));
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(String(value));
  }
}

export const SPARQL_JSON = 'application/sparql-results+json';

interface SparqlJsonTerm {
  type: 'uri' | 'literal' | 'bnode' | 'typed-literal';
  value: string;
  datatype?: string;
  'xml:lang'?: string;
}

/** SPARQL 1.1 Query Results JSON, as oxigraph writes it. */
export interface SparqlJson {
  head: { vars?: string[] };
  boolean?: boolean;
  results?: { bindings: Record<string, SparqlJsonTerm>[] };
}

/** Turns SPARQL JSON results into rows of plain values. */
export function fromSparqlJson(json: SparqlJson): QueryAnswer {
  if (typeof json.boolean === 'boolean') return { kind: 'boolean', value: json.boolean };
  const columns = json.head.vars ?? [];
  const rows: Row[] = (json.results?.bindings ?? []).map((binding) =>
    Object.fromEntries(columns.map((column) => [column, jsonTermToValue(binding[column])])),
  );
  return { kind: 'rows', columns, rows };
}

function jsonTermToValue(term: SparqlJsonTerm | undefined): Value {
  if (!term) return null;
  if (term.type === 'bnode') return `_:${term.value}`;
  if (term.type === 'uri') return term.value;
  if (term.datatype && NUMERIC.has(term.datatype)) return Number(term.value);
  if (term.datatype === `${XSD}boolean`) return term.value === 'true' || term.value === '1';
  return term.value;
}
