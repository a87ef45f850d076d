/**
 * A faster way to run the studio's Handlebars templates. Generation renders
 * one template per item, hundreds of thousands of times, and Handlebars'
 * runtime spends more on each call (an options object and a wrapper per
 * helper call, checked property lookups, a program wrapper per block) than
 * on the text. The templates use a small part of the language: paths
 * (`party.speaker`, `this.label`, `../phrasing`), calls to the studio's
 * helpers with paths, strings, numbers and sub-expressions, and `#if`,
 * `#unless` (with `else` and `else if`) and `#each` blocks. planOf() turns a
 * template's syntax tree (Handlebars' own parser, whitespace control applied)
 * into closures that do exactly what Handlebars does for that part, with
 * strict mode's errors; for anything else (data variables, hashes, partials,
 * other block helpers) it returns undefined and the template runs on
 * Handlebars. The items are the same byte for byte either way.
 */

import type Handlebars from 'handlebars';

type Render = (context: object) => string;
type Helper = (...args: unknown[]) => unknown;
/** The contexts a block has entered: the innermost first (`../` steps one out). */
interface Frame {
  readonly value: unknown;
  readonly parent: Frame | undefined;
}
type Part = (frame: Frame) => string;
type Value = (frame: Frame) => unknown;

/** Not a part of the language the plan runs: the template runs on Handlebars instead. */
class Unsupported extends Error {}

interface Node {
  readonly type: string;
  readonly [key: string]: unknown;
}
interface PathNode extends Node {
  readonly data: boolean;
  readonly depth: number;
  readonly parts: readonly string[];
  readonly original: string;
}
interface CallNode extends Node {
  readonly path: Node;
  readonly params: readonly Node[];
  readonly hash?: Node;
}

/** Handlebars' own helpers: a mustache naming one calls it, which the plan leaves to Handlebars. */
const BUILT_IN = new Set(['if', 'unless', 'each', 'with', 'log', 'lookup', 'helperMissing', 'blockHelperMissing']);

/** The helpers' `options` argument: the studio's helpers read none of it, but `one` counts it as the last argument. */
const OPTIONS = Object.freeze({ hash: Object.freeze({}) });

/**
 * A render function for `text` with the given helpers (the studio's own; `if`, `unless` and `each` are
 * built in), or undefined when the template uses something the plan does not run.
 */
export function planOf(handlebars: typeof Handlebars, text: string, helpers: Readonly<Record<string, Helper>>): Render | undefined {
  let body: Part;
  try {
    body = program(handlebars.parse(text) as unknown as Node, helpers);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
  return (context: object) => body({ value: context, parent: undefined });
}

function program(node: Node, helpers: Readonly<Record<string, Helper>>): Part {
  const parts = (node.body as Node[]).map((statement) => statementOf(statement, helpers)).filter((p): p is Part | string => p !== undefined);
  const texts = parts.map((p) => (typeof p === 'string' ? p : undefined));
  const fns = parts.map((p) => (typeof p === 'string' ? undefined : p));
  if (parts.length === 0) return () => '';
  if (parts.length === 1) return typeof parts[0] === 'string' ? () => texts[0]! : fns[0]!;
  return (frame) => {
    let out = '';
    for (let i = 0; i < parts.length; i++) out += texts[i] ?? fns[i]!(frame);
    return out;
  };
}

function statementOf(node: Node, helpers: Readonly<Record<string, Helper>>): Part | string | undefined {
  switch (node.type) {
    case 'ContentStatement':
      return node.value as string;
    case 'CommentStatement':
      return undefined;
    case 'MustacheStatement': {
      const call = node as unknown as CallNode;
      if ((call.hash as { pairs?: unknown[] } | undefined)?.pairs?.length) throw new Unsupported();
      const name = call.path.type === 'PathExpression' ? (call.path as PathNode).original : '';
      if (BUILT_IN.has(name)) throw new Unsupported();
      const value = call.params.length === 0 && call.path.type === 'PathExpression' && !helpers[name] ? path(call.path as PathNode, true) : helperCall(call, helpers);
      return (frame) => {
        const v = value(frame);
        return v == null ? '' : String(v);
      };
    }
    case 'BlockStatement':
      return block(node as unknown as CallNode, helpers);
    default:
      throw new Unsupported();
  }
}

function block(node: CallNode, helpers: Readonly<Record<string, Helper>>): Part {
  const name = node.path.type === 'PathExpression' ? (node.path as PathNode).original : '';
  if ((node.hash as { pairs?: unknown[] } | undefined)?.pairs?.length || node.params.length !== 1 || (node as { blockParams?: unknown }).blockParams) throw new Unsupported();
  const fn = node.program ? program(node.program as Node, helpers) : () => '';
  const inverse = node.inverse ? program(node.inverse as Node, helpers) : () => '';
  const param = valueOf(node.params[0]!, helpers);
  if (name === 'if' || name === 'unless') {
    const positive = name === 'if';
    return (frame) => (truthy(param(frame)) === positive ? fn(frame) : inverse(frame));
  }
  if (name === 'each') {
    return (frame) => {
      const value = param(frame);
      // An object's values in key order, an iterable's in its order, as Handlebars walks them.
      const list =
        Array.isArray(value) || value === null || typeof value !== 'object'
          ? value
          : Symbol.iterator in value
            ? [...(value as Iterable<unknown>)]
            : Object.keys(value).map((k) => (value as Record<string, unknown>)[k]);
      if (!Array.isArray(list) || list.length === 0) return inverse(frame);
      let out = '';
      for (let i = 0; i < list.length; i++) if (i in list) out += fn({ value: list[i], parent: frame });
      return out;
    };
  }
  throw new Unsupported();
}

/** Handlebars' `if`: false for a falsy value and for an empty array. */
function truthy(value: unknown): boolean {
  if (typeof value === 'function') throw new Error('a function as a condition is not run by the plan');
  return Array.isArray(value) ? value.length > 0 : !!value;
}

function helperCall(node: CallNode, helpers: Readonly<Record<string, Helper>>): Value {
  if (node.path.type !== 'PathExpression') throw new Unsupported();
  const helper = helpers[(node.path as PathNode).original];
  if (!helper || (node.hash as { pairs?: unknown[] } | undefined)?.pairs?.length) throw new Unsupported();
  const params = node.params.map((p) => valueOf(p, helpers));
  if (params.length === 1) {
    const [first] = params as [Value];
    return (frame) => helper.call(frame.value, first(frame), OPTIONS);
  }
  if (params.length === 2) {
    const [first, second] = params as [Value, Value];
    return (frame) => helper.call(frame.value, first(frame), second(frame), OPTIONS);
  }
  return (frame) => helper.call(frame.value, ...params.map((p) => p(frame)), OPTIONS);
}

function valueOf(node: Node, helpers: Readonly<Record<string, Helper>>): Value {
  switch (node.type) {
    case 'PathExpression':
      return path(node as PathNode, false);
    case 'StringLiteral':
    case 'NumberLiteral':
    case 'BooleanLiteral': {
      const literal = node.value;
      return () => literal;
    }
    case 'UndefinedLiteral':
      return () => undefined;
    case 'NullLiteral':
      return () => null;
    case 'SubExpression':
      return helperCall(node as unknown as CallNode, helpers);
    default:
      throw new Unsupported();
  }
}

/**
 * A path's value, as strict mode looks it up: every step but the last must find an object (a TypeError
 * otherwise, as in Handlebars), and `terminal` (a mustache's own value) requires the last name to exist.
 */
function path(node: PathNode, terminal: boolean): Value {
  if (node.data) throw new Unsupported();
  const depth = node.depth;
  const parts = node.parts;
  const where = (frame: Frame): unknown => {
    let f: Frame | undefined = frame;
    for (let d = 0; d < depth && f; d++) f = f.parent;
    return f?.value;
  };
  if (parts.length === 0) return where; // this, ../
  const last = parts.length - 1;
  return (frame) => {
    let value = where(frame);
    for (let i = 0; i < last; i++) value = property(value, parts[i]!);
    if (terminal && (!value || !(parts[last]! in (value as object)))) throw new Error(`"${parts[last]}" not defined in ${String(value)}`);
    return property(value, parts[last]!);
  };
}

/** Handlebars' lookupProperty: an own property, or undefined; reading from nothing is a TypeError. */
function property(parent: unknown, name: string): unknown {
  const result = (parent as Record<string, unknown>)[name];
  if (result == null) return result;
  return Object.prototype.hasOwnProperty.call(parent, name) ? result : undefined;
}
