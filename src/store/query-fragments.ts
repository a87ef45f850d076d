/**
 * Query fragments: a pattern several named queries share, written once per
 * store language, in sparql/fragments/<name>.rq or cypher/fragments/<name>.cypher.
 * A fragment opens with comment lines: its purpose, and last the line that
 * names it and its parameters, "@fragment <name>(?a, ?b)" (SPARQL) or
 * "@fragment <name>(a, b)" (Cypher); the fragment is what follows.
 *
 * A query includes it by a line "#@include <name>(?x, ?y)" or "// @include
 * <name>(x, y)": when the query is loaded, the fragment's lines after its
 * opening comments take that line's place, indented as it is, each parameter
 * renamed to the argument in its place (a whole word, in Cypher also a label
 * or relationship type; never inside a string or a comment). A SPARQL
 * argument may be a constant, a prefixed name or an IRI, for a parameter
 * that stands where a property does. The fragment's other variables keep
 * their names, so a SPARQL query must not use them itself (checked); a
 * Cypher fragment is a CALL subquery, whose variables stay inside it.
 * Fragments include no fragments.
 */

import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { QueryError } from '../errors.js';

/** How a store language writes comments, variables and query files. */
export interface FragmentSyntax {
  readonly language: 'sparql' | 'cypher';
  readonly comment: string;
  readonly extension: string;
}

/** A fragment as read from its file. */
interface Fragment {
  readonly params: readonly string[];
  readonly lines: readonly string[];
}

const DECLARATION = /^@fragment\b(.*)$/;
const INCLUDE = /^([ \t]*)(?:#|\/\/)[ \t]*@include\b(.*)$/;
const CALL = /^[ \t]*([a-z0-9]+(?:-[a-z0-9]+)*)[ \t]*\(([^()]*)\)[ \t]*$/;
const VARIABLE = { sparql: /^\?[A-Za-z_]\w*$/, cypher: /^[A-Za-z_]\w*$/ };
/** A SPARQL constant, a prefixed name or an IRI: an include's argument may be one, for a parameter that stands where a property does. */
const SPARQL_CONSTANT = /^(?:[A-Za-z][\w.-]*:[\w.-]*|<[^<>\s]*>)$/;

/**
 * The query text with each include line replaced by its fragment, read from
 * `folder`/fragments. `file` names the query in errors, which give its line.
 */
export async function includeFragments(text: string, file: string, folder: string, syntax: FragmentSyntax): Promise<string> {
  const lines = text.split('\n');
  if (!lines.some((line) => INCLUDE.test(line))) return text;
  const out: string[] = [];
  const own: string[] = [];
  const internal = new Map<string, string>();
  for (const [index, line] of lines.entries()) {
    const include = INCLUDE.exec(line);
    if (!include) {
      out.push(line);
      own.push(line);
      continue;
    }
    const where = `${file}, line ${index + 1}`;
    const { name, args } = parseCall(include[2]!, where, syntax, 'include');
    const fragment = await readFragment(name, where, folder, syntax);
    if (args.length !== fragment.params.length) {
      throw new QueryError(where, `fragment '${name}' takes ${fragment.params.length} argument(s) (${fragment.params.join(', ')}), given ${args.length}`);
    }
    const renames = new Map(fragment.params.map((param, i) => [param, args[i]!]));
    for (const fragmentLine of fragment.lines) out.push(fragmentLine === '' ? '' : include[1]! + rename(fragmentLine, renames, syntax));
    if (syntax.language === 'sparql') for (const variable of variablesOf(fragment.lines)) if (!renames.has(variable)) internal.set(variable, name);
  }
  // A SPARQL fragment's own variables would join with the query's variables of the same name.
  for (const variable of variablesOf(own)) {
    const fragment = internal.get(variable);
    if (fragment) throw new QueryError(file, `uses ${variable}, a variable of the fragment '${fragment}' it includes; rename it`);
  }
  return out.join('\n');
}

async function readFragment(name: string, where: string, folder: string, syntax: FragmentSyntax): Promise<Fragment> {
  const dir = path.join(folder, 'fragments');
  let text: string;
  try {
    text = await readFile(path.join(dir, name + syntax.extension), 'utf8');
  } catch {
    const known = await readdir(dir).then(
      (files) => files.filter((f) => f.endsWith(syntax.extension)).map((f) => f.slice(0, -syntax.extension.length)),
      () => [],
    );
    throw new QueryError(where, `unknown fragment '${name}'; known: ${known.sort().join(', ') || 'none'}`);
  }
  const lines = text.replace(/\n+$/, '').split('\n');
  const fragmentFile = `${path.basename(folder)}/fragments/${name}${syntax.extension}`;
  // The opening comments end with the @fragment line; the fragment is what follows it.
  let at = 0;
  while (at < lines.length && lines[at]!.startsWith(syntax.comment) && !DECLARATION.test(lines[at]!.slice(syntax.comment.length).trim())) at++;
  const declaration = at < lines.length && lines[at]!.startsWith(syntax.comment) ? DECLARATION.exec(lines[at]!.slice(syntax.comment.length).trim()) : null;
  if (!declaration) throw new QueryError(fragmentFile, `has no "@fragment ${name}(...)" line closing its opening comments`);
  const declared = parseCall(declaration[1]!, fragmentFile, syntax, 'fragment');
  if (declared.name !== name) throw new QueryError(fragmentFile, `declares the fragment '${declared.name}', not '${name}'`);
  const body = lines.slice(at + 1);
  if (body.some((line) => INCLUDE.test(line))) throw new QueryError(fragmentFile, 'includes a fragment; fragments include none');
  return { params: declared.args, lines: body };
}

function parseCall(call: string, where: string, syntax: FragmentSyntax, what: 'include' | 'fragment'): { name: string; args: string[] } {
  const example = syntax.language === 'sparql' ? '<name>(?a, ?b)' : '<name>(a, b)';
  const match = CALL.exec(call);
  if (!match) throw new QueryError(where, `@${what} must be followed by ${example}, not '${call.trim()}'`);
  const args = match[2]!.trim() === '' ? [] : match[2]!.split(',').map((a) => a.trim());
  const constants = what === 'include' && syntax.language === 'sparql';
  for (const arg of args) {
    if (!VARIABLE[syntax.language].test(arg) && !(constants && SPARQL_CONSTANT.test(arg))) {
      const expected = syntax.language === 'cypher' ? 'a Cypher name' : constants ? 'a SPARQL variable (?name), prefixed name or IRI' : 'a SPARQL variable (?name)';
      throw new QueryError(where, `@${what} ${match[1]}: '${arg}' is not ${expected}`);
    }
  }
  if (what === 'fragment' && new Set(args).size !== args.length) throw new QueryError(where, `@fragment ${match[1]} names a parameter twice`);
  return { name: match[1]!, args };
}

/** A fragment line with its parameters renamed, outside strings; comment lines are left as they are. */
function rename(line: string, renames: ReadonlyMap<string, string>, syntax: FragmentSyntax): string {
  if (line.trimStart().startsWith(syntax.comment)) return line;
  // Odd pieces are string literals, kept as they are.
  return line
    .split(/("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/)
    .map((piece, i) => (i % 2 === 1 ? piece : piece.replace(syntax.language === 'sparql' ? /\?\w+/g : /(?<![\w$.])[A-Za-z_]\w*/g, (word) => renames.get(word) ?? word)))
    .join('');
}

/** The SPARQL variables (?name) of some lines, outside strings and comments. */
function variablesOf(lines: readonly string[]): Set<string> {
  const variables = new Set<string>();
  for (const line of lines) {
    if (line.trimStart().startsWith('#')) continue;
    const code = line.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '').replace(/<[^<>\s]*>/g, '');
    for (const match of code.matchAll(/\?\w+/g)) variables.add(match[0]);
  }
  return variables;
}
