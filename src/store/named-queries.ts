/**
 * Named queries are files: sparql/<name>.rq and its twin cypher/<name>.cypher.
 * Each starts with comment lines: a one-line purpose, then one
 * "@param <name> <iri|string|integer|boolean>" line per parameter, or
 * "@param <name> table(<column> <type>, ...)" for a table of rows (each row
 * an object with exactly those columns, of scalar types), and
 * optionally "@skips <kind> ...": the kinds of derived graph its answer never
 * depends on (no triple of theirs can match it), which the embedded store
 * then need not read for it (tests/store/query-skips.test.ts checks each
 * such query's answer with and without them).
 * A line "#@include <fragment>(?a, ?b)" ("// @include <fragment>(a, b)")
 * includes a pattern written once for several queries (src/store/query-fragments.ts).
 */

import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../vocabulary.js';
import { QueryError, UnknownQueryError } from '../errors.js';
import { includeFragments } from './query-fragments.js';

export type QueryLanguage = 'sparql' | 'cypher';
export type ScalarType = 'iri' | 'string' | 'integer' | 'boolean';
/** A table parameter: its columns, in the order declared, and their types. */
export interface TableType {
  readonly table: ReadonlyMap<string, ScalarType>;
}
export type ParamType = ScalarType | TableType;
export type ScalarValue = string | number | boolean;
/** The rows of a table parameter, each with exactly the declared columns. */
export type TableValue = readonly Readonly<Record<string, ScalarValue>>[];
export type ParamValue = ScalarValue | TableValue;
export type QueryParams = Readonly<Record<string, ParamValue>>;

/** A named query as read from its file. */
export interface NamedQuery {
  readonly name: string;
  readonly language: QueryLanguage;
  readonly purpose: string;
  readonly params: ReadonlyMap<string, ParamType>;
  /** The kinds of derived graph the answer never depends on ("@skips"). */
  readonly skips: ReadonlySet<string>;
  readonly text: string;
}

const FOLDERS: Record<QueryLanguage, { folder: string; extension: string; comment: string }> = {
  sparql: { folder: 'sparql', extension: '.rq', comment: '#' },
  cypher: { folder: 'cypher', extension: '.cypher', comment: '//' },
};

const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const cache = new Map<string, NamedQuery>();

/** The names of all named queries of a language. */
export async function namedQueryNames(language: QueryLanguage): Promise<string[]> {
  const { folder, extension } = FOLDERS[language];
  const files = await readdir(path.join(PROJECT_ROOT, folder));
  // cypher/schema.cypher is the store's schema, not a query.
  return files.filter((f) => f.endsWith(extension) && f !== 'schema.cypher').map((f) => f.slice(0, -extension.length)).sort();
}

/** Reads a named query; an unknown name is an UnknownQueryError. */
export async function loadNamedQuery(name: string, language: QueryLanguage): Promise<NamedQuery> {
  const key = `${language}:${name}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const { folder, extension, comment } = FOLDERS[language];
  if (!NAME.test(name) || name === 'schema') throw new UnknownQueryError(name, await namedQueryNames(language));
  let text: string;
  try {
    text = await readFile(path.join(PROJECT_ROOT, folder, name + extension), 'utf8');
  } catch {
    throw new UnknownQueryError(name, await namedQueryNames(language));
  }
  const header = text.split('\n').filter((line) => line.startsWith(comment)).map((line) => line.slice(comment.length).trim());
  const params = new Map<string, ParamType>();
  for (const line of header) {
    const match = /^@param\s+(\w+)\s+(iri|string|integer|boolean|table\(([^)]*)\))(?=\s|$)/.exec(line);
    if (match) params.set(match[1]!, match[3] === undefined ? (match[2] as ScalarType) : tableType(name, match[1]!, match[3]));
  }
  const skips = new Set(header.filter((line) => /^@skips\s/.test(line)).flatMap((line) => line.slice('@skips'.length).trim().split(/\s+/)));
  const expanded = await includeFragments(text, `${folder}/${name}${extension}`, path.join(PROJECT_ROOT, folder), { language, comment, extension });
  const query: NamedQuery = { name, language, purpose: header[0] ?? name, params, skips, text: expanded };
  cache.set(key, query);
  return query;
}

/** The columns of "table(a iri, b string)"; a column without a scalar type, or named twice, is an error in the query file. */
function tableType(query: string, param: string, text: string): TableType {
  const table = new Map<string, ScalarType>();
  for (const column of text.split(',')) {
    const match = /^\s*(\w+)\s+(iri|string|integer|boolean)\s*$/.exec(column);
    if (!match || table.has(match[1]!)) throw new QueryError(query, `@param ${param}: write table(<column> <iri|string|integer|boolean>, ...) with distinct columns, not table(${text})`);
    table.set(match[1]!, match[2] as ScalarType);
  }
  return { table };
}

/** How a parameter's type is written in its @param line. */
export function typeName(type: ParamType): string {
  return typeof type === 'string' ? type : `table(${[...type.table].map(([column, t]) => `${column} ${t}`).join(', ')})`;
}

/** Checks that the given parameters are exactly those the query declares, with the right types. */
export function checkParams(query: NamedQuery, params: QueryParams): void {
  for (const [name, type] of query.params) {
    const value = params[name];
    if (value === undefined) throw new QueryError(query.name, `missing parameter '${name}' (${typeName(type)})`);
    if (typeof type === 'string') {
      checkScalar(query.name, `parameter '${name}'`, type, value);
      continue;
    }
    if (!Array.isArray(value)) throw new QueryError(query.name, `parameter '${name}' must be a table: a list of rows with the columns ${[...type.table.keys()].join(', ')}`);
    // A table is a set of rows: a row given twice would count twice in a SPARQL VALUES join.
    const seen = new Map<string, number>();
    (value as TableValue).forEach((row, index) => {
      const where = `parameter '${name}', row ${index + 1}`;
      if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new QueryError(query.name, `${where} must be an object with the columns ${[...type.table.keys()].join(', ')}`);
      for (const [column, columnType] of type.table) {
        if (row[column] === undefined) throw new QueryError(query.name, `${where} has no column '${column}' (${columnType})`);
        checkScalar(query.name, `${where}, column '${column}'`, columnType, row[column]);
      }
      for (const column of Object.keys(row)) {
        if (!type.table.has(column)) throw new QueryError(query.name, `${where} has an unknown column '${column}'; the table has ${[...type.table.keys()].join(', ')}`);
      }
      const key = JSON.stringify([...type.table.keys()].map((column) => row[column]));
      const first = seen.get(key);
      if (first !== undefined) throw new QueryError(query.name, `${where} repeats row ${first}`);
      seen.set(key, index + 1);
    });
  }
  for (const name of Object.keys(params)) {
    if (!query.params.has(name)) throw new QueryError(query.name, `unknown parameter '${name}'; it takes ${[...query.params.keys()].join(', ') || 'none'}`);
  }
}

/** Checks one value (a scalar parameter or a cell of a table) against its type. */
function checkScalar(query: string, what: string, type: ScalarType, value: unknown): void {
  const ok = type === 'integer' ? Number.isInteger(value) : type === 'boolean' ? typeof value === 'boolean' : typeof value === 'string';
  if (!ok) throw new QueryError(query, `${what} must be ${type === 'iri' ? 'an IRI string' : `a ${type}`}`);
  if (type === 'iri' && !isIri(value as string)) throw new QueryError(query, `${what} is not an absolute IRI: ${String(value)}`);
}

/** The pattern of src/api/schemas.ts IRI_PATTERN: the characters Turtle, SPARQL and IRIs forbid, and % only as a percent-encoded octet. */
const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:(?:[^\u0000-\u0020\u007F-\u009F\uE000-\uF8FF\uFDD0-\uFDEF\uFFF0-\uFFFF\s<>"{}|\\^`%]|%[0-9A-Fa-f]{2})*$/u;

/** An absolute IRI with none of the characters Turtle and SPARQL forbid in one (control characters included). */
export function isIri(value: string): boolean {
  return IRI.test(value);
}
