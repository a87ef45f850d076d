/**
 * The diff of two large versions without reading all of either. Two
 * versions of a policy are mostly the same text: each Turtle file is cut
 * into its top-level statements, grouped by subject, and a subject whose
 * statements read the same, byte for byte, in both (under the same prefixes)
 * has the same triples in both. Only the other subjects are parsed, with
 * what their fields read (the conditions they name, described by content),
 * what refers to something renamed, and the policy node; the entities every
 * version counts are taken from the statements' `a` types. The result is
 * what diffPolicies gives on the whole files.
 *
 * Every changed statement of the new text is parsed (with the prefixes); the
 * others are byte for byte statements of the old text. So once the old text's
 * syntax is checked whole, the new text's is too, but for an error thrown
 * from here, which the caller locates by reading the new text whole.
 *
 * Anything this reading cannot vouch for gives up (undefined) and the caller
 * diffs the whole files: SPARQL-style PREFIX/BASE, labelled blank nodes
 * (`_:b`, which may tie statements together), different prefixes, a changed
 * subject that is neither a provision, section, term, policy nor documented
 * conflict (a named condition, say), a statement the cutter cannot close.
 */

import N3 from 'n3';
import type { Quad } from '@rdfjs/types';
import { STUDIO } from '../vocabulary.js';
import { diffSnapshots, type PolicyDiff } from './diff.js';
import { readSnapshot, PROVISION_CLASS_NAMES, TERM_CLASS_NAMES } from './snapshot.js';

/** One top-level statement: its text, and its subject as written (an IRI, a prefixed name, or '' for a blank one). */
interface Statement {
  readonly text: string;
  readonly subject: string;
  readonly directive: boolean;
}

/** The characters that open or close something, or end a statement. */
const SPECIAL = /[#<"'[\]()_.]/g;

/** Cuts Turtle text into top-level statements; undefined when it cannot vouch for the cut. */
export function splitStatements(text: string): Statement[] | undefined {
  const out: Statement[] = [];
  let start = 0;
  let depth = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    // Straight to the next character that matters: most of a policy is names, spaces and the insides of strings.
    SPECIAL.lastIndex = i;
    if (!SPECIAL.test(text)) break;
    i = SPECIAL.lastIndex - 1;
    const c = text.charCodeAt(i);
    if (c === 0x23 /* # */) {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
      if (depth === 0 && text.slice(start, i).trim().startsWith('#')) start = i; // a comment between statements is no part of either
      continue;
    }
    if (c === 0x3c /* < */) {
      const end = text.indexOf('>', i + 1);
      if (end < 0) return undefined;
      i = end + 1;
      continue;
    }
    if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
      const q = text[i]!;
      const long = text.startsWith(q + q + q, i);
      const close = long ? q + q + q : q;
      let j = i + close.length;
      for (;;) {
        if (j >= n) return undefined;
        const d = text[j]!;
        if (d === '\\') {
          j += 2;
          continue;
        }
        if (!long && d === '\n') return undefined;
        if (text.startsWith(close, j)) {
          j += close.length;
          break;
        }
        j++;
      }
      i = j;
      continue;
    }
    if (c === 0x5b /* [ */ || c === 0x28 /* ( */) depth++;
    else if (c === 0x5d /* ] */ || c === 0x29 /* ) */) depth--;
    else if (c === 0x5f /* _ */ && text[i + 1] === ':' && (i === 0 || /[\s,;([]/.test(text[i - 1]!))) return undefined; // a labelled blank node
    else if (c === 0x2e /* . */ && depth === 0) {
      const next = text[i + 1];
      if (next === undefined || next === ' ' || next === '\n' || next === '\r' || next === '\t' || next === '#') {
        const statement = text.slice(start, i + 1).trim();
        if (/^(PREFIX|BASE)\s/i.test(statement)) return undefined;
        const directive = statement.startsWith('@');
        const subject = directive ? '' : /^(<[^>]*>|[^\s[(]+)/.exec(statement)?.[1] ?? '';
        out.push({ text: statement, subject, directive });
        start = i + 1;
      }
    }
    if (depth < 0) return undefined;
    i++;
  }
  if (text.slice(start).trim().length > 0 || depth !== 0) return undefined;
  return out;
}

const KNOWN_TYPES = new Set([...PROVISION_CLASS_NAMES, ...TERM_CLASS_NAMES, 'Section', 'Policy', 'DocumentedConflict']);
const NAME = String.raw`(?:<[^>\s]*>|[A-Za-z][\w-]*:[\w-]*|:[\w-]+)`;
const TYPES_AT_START = new RegExp(String.raw`^${NAME}\s+a\s+(${NAME}(?:\s*,\s*${NAME})*)\s*[;.]`);

/** The studio types (local names) a subject's statements give with a leading `a`; undefined when they are said otherwise. */
function typesOf(statements: readonly Statement[], expand: (name: string) => string): string[] | undefined {
  const types: string[] = [];
  for (const s of statements) {
    const m = TYPES_AT_START.exec(s.text);
    if (!m) {
      // No leading `a`: fine only if the statement never names rdf:type otherwise.
      if (/(^|[\s;])(a|rdf:type|<http:\/\/www\.w3\.org\/1999\/02\/22-rdf-syntax-ns#type>)\s/.test(s.text.replace(/"[^"]*"/g, '""'))) return undefined;
      continue;
    }
    for (const name of m[1]!.split(/\s*,\s*/)) {
      const iri = expand(name);
      if (iri.startsWith(STUDIO)) types.push(iri.slice(STUDIO.length));
    }
    if (/;\s*(a|rdf:type)\s/.test(s.text.replace(/"[^"]*"/g, '""'))) return undefined;
  }
  return types;
}

/** The diff of two versions' Turtle texts, reading only what differs; undefined when the whole files must be read. */
export function fastDiff(oldText: string, newText: string, why?: (reason: string) => void): PolicyDiff | undefined {
  const giveUp = (reason: string) => {
    why?.(reason);
    return undefined;
  };
  // A relative IRI resolves against each file's own base: leave those to the whole reading.
  if (RELATIVE_IRI.test(oldText) || RELATIVE_IRI.test(newText)) return giveUp('a relative IRI');
  const splitA = splitStatements(oldText);
  const splitB = splitStatements(newText);
  if (!splitA || !splitB) return giveUp('a statement the cutter cannot close (or a labelled blank node, or PREFIX/BASE)');
  const a: Statement[] = splitA;
  const b: Statement[] = splitB;
  const directives = (list: Statement[]) => list.filter((s) => s.directive).map((s) => s.text);
  const [da, db] = [directives(a), directives(b)];
  if (da.length !== db.length || da.some((d, i) => d !== db[i])) return giveUp('different prefixes');
  // Every directive first, each prefix once: then a statement reads the same wherever it stands.
  for (const list of [a, b]) if (list.findIndex((st) => !st.directive) < list.findLastIndex((st) => st.directive) && list.some((st) => !st.directive)) return giveUp('a prefix declared after a statement');
  const declared = da.map((d) => /^@prefix\s+([\w-]*):/.exec(d)?.[1] ?? d);
  if (new Set(declared).size !== declared.length) return giveUp('a prefix declared twice');

  // Prefixes, to read `a` types and to parse pieces.
  const prefixes: Record<string, string> = {};
  const header = da.join('\n');
  new N3.Parser({ format: 'text/turtle' }).parse(header, null, (prefix, iri) => {
    prefixes[prefix] = iri.value;
  });
  const expand = (name: string): string => {
    if (name.startsWith('<')) return name.slice(1, -1);
    const colon = name.indexOf(':');
    const ns = prefixes[name.slice(0, colon)];
    return ns === undefined ? name : ns + name.slice(colon + 1);
  };
  if (da.some((d) => /^@base/.test(d))) return giveUp('@base');

  const keys = new Map<Statement, string>();
  const keyOf = (s: Statement) => {
    let key = keys.get(s);
    if (key === undefined) keys.set(s, (key = s.subject === '' || s.subject.startsWith('[') || s.subject.startsWith('(') ? `blank ${s.text}` : expand(s.subject)));
    return key;
  };
  const group = (list: Statement[]) => {
    const groups = new Map<string, Statement[]>();
    for (const s of list) {
      if (s.directive) continue;
      const key = keyOf(s);
      const g = groups.get(key);
      if (g) g.push(s);
      else groups.set(key, [s]);
    }
    return groups;
  };
  const [ga, gb] = [group(a), group(b)];
  const same = (key: string) => {
    const [x, y] = [ga.get(key), gb.get(key)];
    return x !== undefined && y !== undefined && x.length === y.length && x.every((s, i) => s.text === y[i]!.text);
  };
  const changed = new Set<string>();
  for (const key of ga.keys()) if (!same(key)) changed.add(key);
  for (const key of gb.keys()) if (!same(key)) changed.add(key);

  // Types of every subject, from its statements' leading `a`.
  const typesA = new Map<string, string[]>();
  const typesB = new Map<string, string[]>();
  for (const [groups, types] of [[ga, typesA], [gb, typesB]] as const) {
    for (const [key, statements] of groups) {
      const t = typesOf(statements, expand);
      if (t === undefined) return giveUp(`a type said otherwise than by a leading 'a': ${key}`);
      types.set(key, t);
    }
  }
  // What to parse: the changed subjects, the policy node, and (below) what their fields read or what refers to a rename.
  const read = new Set(changed);
  for (const [key, t] of typesB) if (t.includes('Policy')) read.add(key);
  for (const [key, t] of typesA) if (t.includes('Policy')) read.add(key);
  const kindOf = (t: readonly string[] | undefined) =>
    !t || t.length === 0 ? 'none' : t.some((x) => PROVISION_CLASS_NAMES.includes(x)) ? 'provision' : t.includes('Section') ? 'section' : t.some((x) => TERM_CLASS_NAMES.includes(x)) ? 'term' : 'other';
  const known = (key: string) => [typesA.get(key), typesB.get(key)].every((t) => t === undefined || t.some((x) => KNOWN_TYPES.has(x)));

  /**
   * Reads every subject not read yet whose statements name one of `iris` (as <IRI> or under any prefix that
   * fits: a superset, which costs time, never exactness); returns those that are neither provision, section,
   * term nor policy, whose own readers depend on them in turn.
   */
  const readReferrers = (iris: readonly string[]): string[] => {
    if (iris.length === 0) return [];
    const spellings = iris.flatMap((iri) => [`<${iri}>`, ...Object.entries(prefixes).filter(([, ns]) => iri.startsWith(ns)).map(([p, ns]) => `${p}:${iri.slice(ns.length)}`)]);
    const pattern = new RegExp(spellings.map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
    const found: string[] = [];
    for (const groups of [ga, gb]) {
      for (const [key, statements] of groups) {
        if (read.has(key) || !statements.some((st) => pattern.test(st.text))) continue;
        read.add(key);
        if (!known(key)) found.push(key);
      }
    }
    return found;
  };
  // A changed condition (or anything else no provision, section or term) is read by what names it: a rule describes its conditions by content.
  let content = [...changed].filter((key) => !key.startsWith('blank ') && !known(key));
  for (let depth = 0; content.length > 0; depth++) {
    if (depth > 16) return giveUp('conditions nested deeper than 16');
    content = readReferrers(content);
  }

  const parse = (keys: ReadonlySet<string>, list: Statement[]): Quad[] => {
    const body = list.filter((s) => !s.directive && keys.has(keyOf(s)));
    return new N3.Parser({ format: 'text/turtle' }).parse(`${header}\n${body.map((s) => s.text).join('\n')}\n`);
  };

  // Named nodes a parsed subject points at that are neither provisions, sections nor terms (conditions, their members): read them too.
  const close = () => {
    for (let round = 0; round < 16; round++) {
      const before = read.size;
      for (const [groups, list, types] of [[ga, a, typesA], [gb, b, typesB]] as const) {
        for (const q of parse(read, list)) {
          if (q.object.termType !== 'NamedNode') continue;
          const key = q.object.value;
          if (read.has(key) || !groups.has(key)) continue;
          const kind = kindOf(types.get(key));
          if (kind === 'none' || kind === 'other') read.add(key);
        }
      }
      if (read.size === before) return;
    }
  };
  close();

  let diff = diffOf(read);
  // Something renamed: whatever refers to its old IRI (in any spelling) reads differently in the full diff; read it too.
  const renamed = [...diff.rules.renamed, ...diff.terms.renamed, ...diff.sections.renamed].map((r) => r.from);
  if (renamed.length > 0) {
    let next = readReferrers(renamed);
    for (let depth = 0; next.length > 0; depth++) {
      if (depth > 16) return giveUp('conditions nested deeper than 16');
      next = readReferrers(next);
    }
    close();
    diff = diffOf(read);
  }
  return diff;

  function diffOf(keys: ReadonlySet<string>): PolicyDiff {
    const [qa, qb] = [parse(keys, a), parse(keys, b)];
    const partial = diffSnapshots(readSnapshot(qa), readSnapshot(qb), (rename) => readSnapshot(qa, rename));
    // The subjects not read are the same in both versions: count them from their types.
    const rest = (types: Map<string, string[]>) => {
      const c = { provisions: 0, sections: 0, terms: 0 };
      for (const [key, t] of types) {
        if (keys.has(key) || key.startsWith('blank ') || key.startsWith('_:')) continue;
        const kind = kindOf(t);
        if (kind === 'provision') c.provisions++;
        else if (kind === 'section') c.sections++;
        else if (kind === 'term') c.terms++;
      }
      return c;
    };
    const [ra, rb] = [rest(typesA), rest(typesB)];
    return {
      ...partial,
      old: { ...partial.old, provisions: partial.old.provisions + ra.provisions, sections: partial.old.sections + ra.sections, terms: partial.old.terms + ra.terms },
      new: { ...partial.new, provisions: partial.new.provisions + rb.provisions, sections: partial.new.sections + rb.sections, terms: partial.new.terms + rb.terms },
    };
  }
}

/** An IRI in angle brackets without a scheme (outside strings, roughly: a string holding one only makes the reading whole). */
const RELATIVE_IRI = /<(?![a-zA-Z][a-zA-Z0-9+.-]*:)[^>\s"]*>/;
