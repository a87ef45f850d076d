/**
 * Named queries are files: sparql/<name>.rq and its twin cypher/<name>.cypher.
 * Each starts with comment lines: a one-line purpose, then one
 * "@param <name> <iri|string|integer|boolean>" line per parameter, and
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
export type ParamType = 'iri' | 'string' | 'integer' | 'boolean';
export type ParamValue = string | number | boolean;
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
    const match = /^@param\s+(\w+)\s+(iri|string|integer|boolean)\b/.exec(line);
    if (match) params.set(match[1]!, match[2] as ParamType);
  }
  const skips = new Set(header.filter((line) => /^@skips\s/.test(line)).flatMap((line) => line.slice('@skips'.length).trim().split(/\s+/)));
  const expanded = await includeFragments(text, `${folder}/${name}${extension}`, path.join(PROJECT_ROOT, folder), { language, comment, extension });
  const query: NamedQuery = { name, language, purpose: header[0] ?? name, params, skips, text: expanded };
  cache.set(key, query);
  return query;
}

/** Checks that the given parameters are exactly those the query declares, with the right types. */
export function checkParams(query: NamedQuery, params: QueryParams): void {
  for (const [name, type] of query.params) {
    const value = params[name];
    if (value === undefined) throw new QueryError(query.name, `missing parameter '${name}' (${type})`);
    const ok =
      type === 'integer' ? Number.isInteger(value) : type === 'boolean' ? typeof value === 'boolean' : typeof value === 'string';
    if (!ok) throw new QueryError(query.name, `parameter '${name}' must be ${type === 'iri' ? 'an IRI string' : `a ${type}`}`);
    if (type === 'iri' && !isIri(value as string)) throw new QueryError(query.name, `parameter '${name}' is not an absolute IRI: ${String(value)}`);
  }
  for (const name of Object.keys(params)) {
    if (!query.params.has(name)) throw new QueryError(query.name, `unknown parameter '${name}'; it takes ${[...query.params.keys()].join(', ') || 'none'}`);
  }
}

/** The pattern of src/api/schemas.ts IRI_PATTERN: the characters Turtle, SPARQL and IRIs forbid, and % only as a percent-encoded octet. */
const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:(?:[^\u0000-\u0020\u007F-\u009F\uE000-\uF8FF\uFDD0-\uFDEF\uFFF0-\uFFFF\s<>"{}|\\^`%]|%[0-9A-Fa-f]{2})*$/u;

/** An absolute IRI with none of the characters Turtle and SPARQL forbid in one (control characters included). */
export function isIri(value: string): boolean {
  return IRI.test(value);
}
