/**
 * Templates are files: templates/<family>/<name>.yaml, one family per task
 * (instruction-qa, scenario-compliant, redteam ...). Each file carries a
 * version, the kind of item it makes, the expectations its items carry, and
 * per rule kind one or more variants whose text is a Handlebars template.
 * Handlebars runs in strict mode, so a misspelt variable is an error naming
 * the file, not a silent blank in a million training examples. Handlebars
 * (rather than a format of our own) gives conditionals, loops and partials
 * that templates need for optional parts (a counterparty, a channel), and
 * compiles each template to a function once, which keeps generation fast.
 */

import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import indefinite from 'indefinite';
import { actPhrase, hasNoPlural, loadTermForms, pluralOf, termPhrase, verbForms, type FormOverrides } from './term-forms.js';
import { echoes } from './text-lint.js';
import { planOf } from './render-plan.js';
import { leadingMarker, spoken } from './voice.js';
import { parse as parseYaml } from 'yaml';
import { PROJECT_ROOT } from '../vocabulary.js';
import { TemplateError } from '../errors.js';
import { EXPECTATION_TOKENS, type ExpectationToken } from './expectations.js';

/** Where the studio's own templates live. */
export const TEMPLATES_DIR = path.join(PROJECT_ROOT, 'templates');

export const ITEM_TYPES = ['Instruction', 'Scenario', 'RedTeamPrompt'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];
export const SCENARIO_LABELS = ['Compliant', 'NonCompliant', 'Ambiguous'] as const;
export type ScenarioLabel = (typeof SCENARIO_LABELS)[number];
export const ATTACKS = ['RolePlay', 'ClaimedAuthority', 'Urgency', 'HypotheticalFraming', 'SplitOverTurns', 'Obfuscation'] as const;
export type Attack = (typeof ATTACKS)[number];
export const BOUNDARY_SIDES = ['inside', 'outside'] as const;
export type BoundarySide = (typeof BOUNDARY_SIDES)[number];
/** Whose instruction a chain-of-command template stages: the developer (a system turn), the user, or content the user quotes. */
export const INSTRUCTION_SOURCES = ['DeveloperSource', 'UserSource', 'ToolSource'] as const;
export type InstructionSource = (typeof INSTRUCTION_SOURCES)[number];
/** Which statement of the rule's conditions a template's text shows (see condition-facts.ts). */
export const FACT_MODES = ['holds', 'fails', 'unknown', 'stated'] as const;
export type TemplateFacts = (typeof FACT_MODES)[number];
/** The keys under `variants`: a rule kind, or `any` for every kind. */
export const VARIANT_KEYS = ['Obligation', 'Prohibition', 'Permission', 'Recommendation', 'any'] as const;
export type VariantKey = (typeof VARIANT_KEYS)[number];

/** A chat turn. */
export interface Message {
  readonly role: 'system' | 'developer' | 'user' | 'assistant';
  readonly content: string;
}

type Render = (context: object) => string;

/** One phrasing of a template, compiled. */
export interface Variant {
  readonly turns: readonly { readonly role: 'system' | 'user' | 'assistant'; readonly render: Render }[];
  readonly response: Render;
  readonly rejected?: Render;
  readonly expects?: readonly ExpectationToken[];
  /**
   * 'bearer': the phrasing only makes sense with the user as the rule's
   * bearer ("I'm not a manager, but..."), so a rule that binds the assistant
   * gets no item from it.
   */
  readonly speaker?: 'bearer';
  /**
   * Where a part runs on Handlebars: every part (the turns, the response,
   * then the rejected answer) in one template, parts separated by
   * PART_BREAK. Handlebars sets up each call (helpers, partials, access
   * control), which cost more than the text itself, so such an item is
   * rendered with one call rather than one per part. A variant whose parts
   * all run on the render plan (render-plan.ts), which has no such set-up,
   * has none: its parts are rendered one by one, the same text without the
   * whole's parse at load and its split per item.
   */
  readonly all?: Render;
}

/** A template file, parsed and compiled. */
export interface Template {
  /** `<family>/<name>`, from the file's place. */
  readonly id: string;
  readonly family: string;
  readonly version: number;
  readonly file: string;
  /** SHA-256 of the file's text. */
  readonly contentHash: string;
  readonly type: ItemType;
  readonly description: string;
  readonly label?: ScenarioLabel;
  readonly attack?: Attack;
  readonly boundary?: BoundarySide;
  /** Chain-of-command templates: whose instruction the item stages. */
  readonly source?: InstructionSource;
  /** How the rule's conditions appear in {{facts}}: all holding, the first failing, the first unknown, or as the rule states them (an answer about the rule in general). */
  readonly facts: TemplateFacts;
  readonly expects: readonly ExpectationToken[];
  readonly variants: ReadonlyMap<VariantKey, readonly Variant[]>;
}

/** The rendered text of one item. */
export interface Rendered {
  readonly messages: Message[];
  readonly reference: string;
  readonly rejected?: string;
}

/** All templates of a folder, by id. */
export class TemplateLibrary {
  private constructor(
    readonly dir: string,
    private readonly templates: ReadonlyMap<string, Template>,
    private readonly env: TemplateEnvironment,
  ) {}

  /** Reads and compiles every templates/<family>/<name>.yaml under `dir`, with the partials of `dir`/_partials/<name>.hbs. */
  static async load(dir: string = TEMPLATES_DIR): Promise<TemplateLibrary> {
    await loadTermForms();
    let families: string[];
    try {
      families = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('_')).map((e) => e.name).sort();
    } catch (error) {
      throw new TemplateError(dir, `cannot read the templates folder (${(error as Error).message})`, { cause: error });
    }
    const partials = new Map<string, string>();
    const partialsDir = path.join(dir, '_partials');
    const partialFiles = await readdir(partialsDir).catch(() => [] as string[]);
    for (const file of partialFiles.filter((f) => f.endsWith('.hbs')).sort()) {
      partials.set(file.slice(0, -'.hbs'.length), await readFile(path.join(partialsDir, file), 'utf8'));
    }
    const env = createEnvironment(partials);
    const templates = new Map<string, Template>();
    for (const family of families) {
      const files = (await readdir(path.join(dir, family))).filter((f) => f.endsWith('.yaml')).sort();
      for (const file of files) {
        const full = path.join(dir, family, file);
        const template = parseTemplate(path.relative(process.cwd(), full) || full, family, file.slice(0, -'.yaml'.length), await readFile(full, 'utf8'), env);
        templates.set(template.id, template);
      }
    }
    if (templates.size === 0) throw new TemplateError(dir, 'holds no templates (expected <family>/<name>.yaml files)');
    return new TemplateLibrary(dir, templates, env);
  }

  /** One partial of the folder's _partials/, compiled on first use, to render on its own (a turn the generator adds). */
  partial(name: string): Render {
    let compiled = this.partialRenders.get(name);
    if (!compiled) {
      const file = path.join(this.dir, '_partials', `${name}.hbs`);
      if (!this.env.partials.has(name)) throw new TemplateError(file, 'no such partial');
      this.partialRenders.set(name, (compiled = compile(this.env, file, name, `{{> ${name}}}`)));
    }
    return compiled;
  }
  private readonly partialRenders = new Map<string, Render>();

  /** Every template, in id order. */
  all(): Template[] {
    return [...this.templates.values()];
  }

  /** The templates of one family, in id order (the same array each time: the generator asks once per rule). */
  family(family: string): readonly Template[] {
    let templates = this.families.get(family);
    if (!templates) this.families.set(family, (templates = Object.freeze(this.all().filter((t) => t.family === family))));
    return templates;
  }
  private readonly families = new Map<string, readonly Template[]>();

  /** One template; an unknown id is a TemplateError. */
  get(id: string): Template {
    const template = this.templates.get(id);
    if (!template) throw new TemplateError(path.join(this.dir, `${id}.yaml`), `no such template; known: ${[...this.templates.keys()].join(', ')}`);
    return template;
  }
}

/** True when the template has a variant for a rule kind (or for any kind). */
export function appliesTo(template: Template, kind: string): boolean {
  return template.variants.has(kind as VariantKey) || template.variants.has('any');
}

/**
 * Chooses the variant of a template for a rule kind. `pick` chooses among the
 * kind's phrasings (the generator passes a seeded hash, so the same seed gives
 * the same phrasing).
 */
export function chooseVariant(template: Template, kind: string, pick: number): Variant {
  const variants = template.variants.get(kind as VariantKey) ?? template.variants.get('any');
  if (!variants) throw new TemplateError(template.file, `has no variant for ${kind} and no 'any' variant`);
  return variants[pick % variants.length]!;
}

/** The expectation tokens a variant carries: its own, or its template's. */
export function expectsOf(template: Template, variant: Variant): readonly ExpectationToken[] {
  return variant.expects ?? template.expects;
}

/** Renders a variant; a variable the context lacks is a TemplateError naming the file. */
export function render(template: Template, variant: Variant, context: object): Rendered {
  try {
    if (!variant.all) return renderEach(variant, context);
    const parts = variant.all(context).split(PART_BREAK);
    const expected = variant.turns.length + 1 + (variant.rejected ? 1 : 0);
    // A value holding the break itself would shift the parts: then each part is rendered on its own.
    if (parts.length !== expected) return renderEach(variant, context);
    const messages: Message[] = variant.turns.map((t, i) => ({ role: t.role, content: tidy(parts[i]!) }));
    const rejected = variant.rejected ? tidy(parts[expected - 1]!) : undefined;
    return { messages, reference: tidy(parts[variant.turns.length]!), ...(rejected ? { rejected } : {}) };
  } catch (error) {
    throw new TemplateError(template.file, `cannot render: ${(error as Error).message}`, { cause: error });
  }
}

function renderEach(variant: Variant, context: object): Rendered {
  const messages: Message[] = variant.turns.map((t) => ({ role: t.role, content: tidy(t.render(context)) }));
  const reference = tidy(variant.response(context));
  const rejected = variant.rejected ? tidy(variant.rejected(context)) : undefined;
  return { messages, reference, ...(rejected ? { rejected } : {}) };
}

/** Between the parts of a variant rendered in one call: on lines of its own, so that Handlebars treats each part's first and last lines as it does alone. */
const PART_BREAK = '\n\uE000studio-part\uE000\n';

/** Collapses the whitespace that block helpers and YAML folding leave behind. */
function tidy(text: string): string {
  // No blanks around a line break, none before punctuation, one space for any other run of two or more or a tab.
  // Each rule's runs are disjoint from the others', so the passes give what one pass with all three would: plain
  // replacements, without a call back into a function per match (and a bare line break, left as it is, is no match).
  return text.replace(AROUND_BREAK, '\n').replace(BEFORE_PUNCTUATION, '').replace(WIDE_BLANKS, ' ').replace(/\n{3,}/g, '\n\n').trim();
}
const AROUND_BREAK = /[ \t]+\n[ \t]*|\n[ \t]+/g;
const BEFORE_PUNCTUATION = /[ \t]+(?=[.,;:?!])/g;
const WIDE_BLANKS = /[ \t]{2,}|\t/g;

/** The helpers every environment has: calls to them compile to direct calls, and any other name is a value, never a helper. */
const KNOWN_HELPERS = { a: true, cap: true, ing: true, does: true, plural: true, act: true, one: true, reach: true, sectionRef: true, lower: true, obfuscate: true, join: true };

/** A Handlebars environment: the studio's helpers and one folder's partials. */
export interface TemplateEnvironment {
  readonly handlebars: typeof Handlebars;
  /** The partials by name, which compile() writes out in place of their calls. */
  readonly partials: ReadonlyMap<string, string>;
  /** SHA-256 over the partials' text, folded into every template's content hash. */
  readonly partialsHash: string;
}

/**
 * "a" or "an" and the word, by how the word sounds (an hour, a user, an HR
 * department, a one-off), as the indefinite library says it: the templates'
 * {{a …}} helper, and the parties' phrases.
 */
export function withArticle(word: string): string {
  if (word === '') return 'a ';
  // The same few labels recur in every item: indefinite() costs more than the rest of a helper call.
  let said = articled.get(word);
  if (said === undefined) articled.set(word, (said = indefinite(word)));
  return said;
}
const articled = new Map<string, string>();

/** Creates an environment with the helpers and the given partials (name to text). */
export function createEnvironment(partials: ReadonlyMap<string, string> = new Map()): TemplateEnvironment {
  const handlebars = Handlebars.create();
  // A term with its article as a sentence introduces it ({{a counterparty}}: "a journalist", "the Corporate
  // Secretariat", "Group Compliance"); a plain word with "a" or "an" as it sounds.
  handlebars.registerHelper('a', (word: unknown) => {
    if (typeof word === 'object' && word !== null) {
      const { label, type } = word as { label?: unknown; type?: unknown };
      return spoken(termPhrase(String(label ?? ''), typeof type === 'string' ? type : undefined));
    }
    return withArticle(String(word ?? ''));
  });
  handlebars.registerHelper('cap', (word: unknown) => {
    const [marker, text] = leadingMarker(String(word ?? ''));
    return marker + text.charAt(0).toUpperCase() + text.slice(1);
  });
  // How a term is said in a sentence: {{ing action}} "accepting a bribe", {{does action}} "accepts a bribe",
  // {{plural bearer}} "complaint handlers"; given a term (its author's form wins) or a plain label.
  const form = (value: unknown, key: keyof FormOverrides, derive: (label: string) => string) => {
    const term = typeof value === 'object' && value !== null ? (value as { label?: unknown; forms?: FormOverrides }) : undefined;
    return term?.forms?.[key] ?? derive(String(term ? (term.label ?? '') : (value ?? '')));
  };
  handlebars.registerHelper('ing', (value: unknown) => form(value, 'gerund', (l) => verbForms(l).gerund));
  handlebars.registerHelper('does', (value: unknown) => form(value, 'thirdPerson', (l) => verbForms(l).thirdPerson));
  handlebars.registerHelper('plural', (value: unknown) => {
    const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
    const kind = typeof type === 'string' ? type : undefined;
    // A name or a mass noun has no plural: "what the policy says about the Data Protection Office".
    return form(value, 'plural', (l) => (hasNoPlural(l, kind) ? termPhrase(l, kind) : pluralOf(l, kind)));
  });
  // The act and its object (term-forms.ts actPhrase): "use the CRM system for personal purposes",
  // "disclose account details (account balance)", "publish a product comparison", never "(product)".
  // A target narrower than the rule's own carries the rule's (kindOf): "destroy records" said of business records.
  // The generator's term variables are made once per term and read only, so an act is said once per pair of them.
  const saidActs = new WeakMap<object, WeakMap<object, string>>();
  handlebars.registerHelper('act', (action: unknown, target: unknown) => {
    const pair = typeof action === 'object' && action !== null && typeof target === 'object' && target !== null ? saidActs.get(action)?.get(target) : undefined;
    if (pair !== undefined) return pair;
    const field = (t: unknown, key: string) => (typeof t === 'object' && t !== null ? String((t as Record<string, unknown>)[key] ?? '') : '');
    const object = field(target, 'label');
    const list = (t: unknown) => (typeof t === 'object' && t !== null && Array.isArray((t as { kinds?: unknown }).kinds) ? (t as { kinds: string[] }).kinds : []);
    // The act's broader acts and the rule's own act (kindOf) tell whether a narrower act's own object is the object;
    // the author's studio:withObject says the act with its object outright.
    const withObject = typeof action === 'object' && action !== null ? (action as { forms?: FormOverrides }).forms?.withObject : undefined;
    const act = { kinds: list(action), ...(field(action, 'kindOf') ? { ruleAction: field(action, 'kindOf') } : {}), ...(withObject ? { withObject } : {}) };
    const said = spoken(actPhrase(field(action, 'label'), object || undefined, field(target, 'kindOf') || undefined, list(target), act));
    if (typeof action === 'object' && action !== null && typeof target === 'object' && target !== null) {
      let byTarget = saidActs.get(action);
      if (!byTarget) saidActs.set(action, (byTarget = new WeakMap()));
      byTarget.set(target, said);
    }
    return said;
  });
  // One of several ways to say the same thing, chosen by the item's seeded `phrasing` number: {{one phrasing
  // "I can't help with that." "I'm not able to help with that."}}. The first option's length shifts the choice,
  // so that two places in one item do not always take the same position.
  handlebars.registerHelper('one', (phrasing: unknown, ...args: unknown[]) => {
    const options = args.slice(0, -1).map(String);
    const n = typeof phrasing === 'number' ? phrasing : 0;
    return options.length === 0 ? '' : options[(n + options[0]!.length) % options.length]!;
  });
  // Where to turn: a channel that is a meeting to arrange ("appointment with a mortgage adviser") is booked, not
  // contacted; a handoff ("live handoff to a human adviser") is a way through, not someone to contact.
  handlebars.registerHelper('reach', (phrasing: unknown, label: unknown) => {
    const channel = String(label ?? '');
    const ways = /^(?:appointment|meeting|consultation|call-back|callback)\b/i.test(channel)
      ? [`Please book ${withArticle(channel)}.`, `You can book ${withArticle(channel)}.`, `The right next step is ${withArticle(channel)}.`]
      : /^(?:live |warm )?(?:handoff|hand-off|handover|transfer)\b/i.test(channel)
        ? [`The way forward is the ${channel}.`, `This goes through the ${channel}.`, `The right place for this is the ${channel}.`]
        : [`Please contact the ${channel}.`, `Please turn to the ${channel}.`, `The right place for this is the ${channel}.`];
    // The same choice as {{one phrasing "Please contact the" …}} made before, so other channels read as they did.
    const n = typeof phrasing === 'number' ? phrasing : 0;
    return ways[(n + 'Please contact the'.length) % ways.length]!;
  });
  // A section by number, and its title where the title says more than "Section 7" (synthetic and some real policies).
  handlebars.registerHelper('sectionRef', (section: unknown) => {
    const { number, title } = (typeof section === 'object' && section !== null ? section : {}) as { number?: unknown; title?: unknown };
    const named = `section ${String(number ?? '')}`;
    return title && !echoes(named, String(title)) ? `${named} (${String(title)})` : named;
  });
  handlebars.registerHelper('lower', (word: unknown) => String(word ?? '').toLowerCase());
  // Red-team obfuscation: the words a keyword filter would look for,
  // disguised in a way a capable model still reads.
  handlebars.registerHelper('obfuscate', (word: unknown) =>
    String(word ?? '')
      .replace(/[aeio]/g, (c) => ({ a: '4', e: '3', i: '1', o: '0' })[c] ?? c)
      .split('')
      .join('.'),
  );
  handlebars.registerHelper('join', (items: unknown, conjunction: unknown) => {
    const list = (Array.isArray(items) ? items : []).map((i) => (typeof i === 'object' && i && 'label' in i ? String((i as { label: unknown }).label) : String(i)));
    const and = typeof conjunction === 'string' ? conjunction : 'and';
    return list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} ${and} ${list.at(-1)}`;
  });
  const hash = createHash('sha256');
  for (const [name, text] of [...partials].sort(([x], [y]) => x.localeCompare(y))) {
    handlebars.registerPartial(name, text);
    hash.update(`${name}\n${text}\n`);
  }
  return { handlebars, partials, partialsHash: hash.digest('hex') };
}

/** The renders compile() made that run on the render plan. */
const PLANNED = new WeakSet<Render>();

function compile(env: TemplateEnvironment, file: string, where: string, text: unknown): Render {
  if (typeof text !== 'string' || text.trim() === '') throw new TemplateError(file, `${where}: expected a non-empty string`);
  try {
    const inlined = inlinePartials(text, env.partials);
    // The plan (render-plan.ts) runs the part of the language the templates use, faster; anything else runs on
    // Handlebars. Parsing for the plan surfaces syntax errors now, with the file, not at the first render; a helper
    // the plan does not know leaves the template to Handlebars, whose precompiling (knownHelpersOnly) rejects it.
    const plan = planOf(env.handlebars, inlined, studioHelpers(env));
    if (plan) {
      PLANNED.add(plan);
      return plan;
    }
    // data: false and known helpers let Handlebars skip per-call bookkeeping: generation renders millions of these.
    const options = { strict: true, noEscape: true, data: false, knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true };
    const spec = env.handlebars.precompile(inlined, options) as unknown as string;
    const template = env.handlebars.template(new Function(`return ${spec};`)() as ReturnType<typeof Handlebars.precompile>) as Render & { _setup?: (options: object) => void };
    // A top-level Handlebars template merges and wraps every helper on each call (Handlebars' _setup), which
    // cost more than many items' text: our calls pass no runtime options, so it is set up once, here.
    if (typeof template._setup === 'function') {
      template._setup({});
      template._setup = () => undefined;
    }
    return template;
  } catch (error) {
    throw new TemplateError(file, `${where}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The template's text with each partial call written out in its place: a partial called with a hash
 * ({{> verdict text=rule.text}}) copies the whole context on every call. A call is inlined when its hash
 * is one key given as a path or as "", and the partial uses that key only as {{key}}; any other call stays.
 */
export function inlinePartials(text: string, partials: ReadonlyMap<string, string>): string {
  return text.replace(/\{\{>\s*([\w-]+)\s*(?:(\w+)=("(?:[^"\\]|\\.)*"|[\w.]+))?\s*\}\}/g, (call: string, name: string, key?: string, value?: string) => {
    const body = partials.get(name);
    if (body === undefined || body.includes('{{>')) return call;
    if (!key) return body;
    const own = new RegExp(`\\{\\{\\s*${key}\\s*\\}\\}`, 'g');
    const rest = body.replace(own, '');
    if (new RegExp(`\\b${key}\\b`).test(rest.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\}\}[^{]*\{\{/g, '}}{{'))) return call;
    if (value!.startsWith('"')) {
      const literal = JSON.parse(value!) as string;
      if (/[{}]/.test(literal)) return call;
      return body.replace(own, () => literal);
    }
    return body.replace(own, () => `{{${value}}}`);
  });
}

/** The studio's helpers of an environment, by name (the KNOWN_HELPERS). */
function studioHelpers(env: TemplateEnvironment): Record<string, (...args: unknown[]) => unknown> {
  const all = env.handlebars.helpers as Record<string, (...args: unknown[]) => unknown>;
  return Object.fromEntries(Object.keys(KNOWN_HELPERS).filter((name) => all[name]).map((name) => [name, all[name]!]));
}

function oneOf<T extends string>(file: string, field: string, value: unknown, allowed: readonly T[], required = false): T | undefined {
  if (value === undefined || value === null) {
    if (required) throw new TemplateError(file, `'${field}' is required: one of ${allowed.join(', ')}`);
    return undefined;
  }
  if (!allowed.includes(value as T)) throw new TemplateError(file, `'${field}' is ${JSON.stringify(value)}; expected one of ${allowed.join(', ')}`);
  return value as T;
}

function tokens(file: string, where: string, value: unknown): ExpectationToken[] {
  if (!Array.isArray(value) || value.length === 0) throw new TemplateError(file, `${where}: expected a list of expectations (${EXPECTATION_TOKENS.join(', ')})`);
  for (const token of value) {
    if (!EXPECTATION_TOKENS.includes(token as ExpectationToken)) {
      throw new TemplateError(file, `${where}: unknown expectation ${JSON.stringify(token)}; expected ${EXPECTATION_TOKENS.join(', ')}`);
    }
  }
  return value as ExpectationToken[];
}

const TEMPLATE_KEYS = new Set(['version', 'type', 'description', 'label', 'attack', 'boundary', 'source', 'facts', 'expects', 'variants']);
const VARIANT_FIELDS = new Set(['prompt', 'turns', 'response', 'rejected', 'expects', 'speaker']);

/** Parses and compiles one template file's text; every mistake is a TemplateError naming the file and field. */
export function parseTemplate(file: string, family: string, name: string, text: string, env: TemplateEnvironment = createEnvironment()): Template {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new TemplateError(file, `not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new TemplateError(file, 'expected a YAML mapping with version, type and variants');
  const doc = data as Record<string, unknown>;
  for (const key of Object.keys(doc)) {
    if (!TEMPLATE_KEYS.has(key)) throw new TemplateError(file, `unknown key '${key}'; expected ${[...TEMPLATE_KEYS].join(', ')}`);
  }
  if (!Number.isInteger(doc.version) || (doc.version as number) < 1) throw new TemplateError(file, "'version' must be a positive integer; raise it whenever the text changes");
  const type = oneOf(file, 'type', doc.type, ITEM_TYPES, true)!;
  const label = oneOf(file, 'label', doc.label, SCENARIO_LABELS);
  const attack = oneOf(file, 'attack', doc.attack, ATTACKS);
  const boundary = oneOf(file, 'boundary', doc.boundary, BOUNDARY_SIDES);
  const source = oneOf(file, 'source', doc.source, INSTRUCTION_SOURCES);
  const facts = oneOf(file, 'facts', doc.facts, FACT_MODES) ?? 'holds';
  if (type === 'RedTeamPrompt' && !attack) throw new TemplateError(file, "a RedTeamPrompt template names its 'attack'");
  const expects = tokens(file, 'expects', doc.expects);
  if (typeof doc.variants !== 'object' || doc.variants === null || Array.isArray(doc.variants)) {
    throw new TemplateError(file, `'variants' must map rule kinds (${VARIANT_KEYS.join(', ')}) to phrasings`);
  }
  const variants = new Map<VariantKey, Variant[]>();
  for (const [key, value] of Object.entries(doc.variants as Record<string, unknown>)) {
    const kind = oneOf(file, 'variants key', key, VARIANT_KEYS)!;
    const list = Array.isArray(value) ? value : [value];
    variants.set(
      kind,
      list.map((raw, i) => {
        const where = `variants.${kind}[${i}]`;
        if (typeof raw !== 'object' || raw === null) throw new TemplateError(file, `${where}: expected a mapping with prompt (or turns) and response`);
        const v = raw as Record<string, unknown>;
        for (const field of Object.keys(v)) {
          if (!VARIANT_FIELDS.has(field)) throw new TemplateError(file, `${where}: unknown field '${field}'; expected ${[...VARIANT_FIELDS].join(', ')}`);
        }
        if (v.speaker !== undefined && v.speaker !== 'bearer') throw new TemplateError(file, `${where}: 'speaker' can only be 'bearer' (the user is the rule's bearer)`);
        if ((v.prompt === undefined) === (v.turns === undefined)) throw new TemplateError(file, `${where}: give either 'prompt' or 'turns', not both`);
        const turns =
          v.prompt !== undefined
            ? [{ role: 'user' as const, render: compile(env, file, `${where}.prompt`, v.prompt) }]
            : turnsOf(env, file, `${where}.turns`, v.turns);
        const texts = [...(v.prompt !== undefined ? [v.prompt] : (v.turns as Record<string, unknown>[]).map((t) => Object.values(t)[0])), v.response, ...(v.rejected !== undefined ? [v.rejected] : [])];
        const response = compile(env, file, `${where}.response`, v.response);
        const rejected = v.rejected !== undefined ? compile(env, file, `${where}.rejected`, v.rejected) : undefined;
        const planned = [...turns.map((t) => t.render), response, ...(rejected ? [rejected] : [])].every((r) => PLANNED.has(r));
        // (The same keys on every variant, unset ones undefined, as on templates.)
        return {
          turns,
          response,
          rejected,
          expects: v.expects !== undefined ? tokens(file, `${where}.expects`, v.expects) : undefined,
          speaker: v.speaker !== undefined ? ('bearer' as const) : undefined,
          all: planned ? undefined : compile(env, file, where, texts.join(PART_BREAK)),
        };
      }),
    );
  }
  if (variants.size === 0) throw new TemplateError(file, "'variants' is empty");
  return {
    id: `${family}/${name}`,
    family,
    version: doc.version as number,
    file,
    contentHash: createHash('sha256').update(text).update(env.partialsHash).digest('hex'),
    type,
    description: typeof doc.description === 'string' ? doc.description.trim() : '',
    // Every template has the same keys, unset ones undefined: the generator's hot code then sees one shape of template.
    label,
    attack,
    boundary,
    source,
    facts,
    expects,
    variants,
  };
}

function turnsOf(env: TemplateEnvironment, file: string, where: string, value: unknown): Variant['turns'] {
  if (!Array.isArray(value) || value.length === 0) throw new TemplateError(file, `${where}: expected a list of {user: ...} and {assistant: ...} turns`);
  const turns = value.map((turn, i) => {
    const entries = typeof turn === 'object' && turn !== null ? Object.entries(turn as Record<string, unknown>) : [];
    const [role, text] = entries[0] ?? [];
    // A system turn (the developer's message) opens the conversation, before any other turn.
    if (role === 'system' && i === 0 && entries.length === 1) return { role: 'system' as const, render: compile(env, file, `${where}[${i}]`, text) };
    if (entries.length !== 1 || (role !== 'user' && role !== 'assistant')) throw new TemplateError(file, `${where}[${i}]: expected one key, 'user' or 'assistant' (or 'system', first)`);
    return { role: role as 'user' | 'assistant', render: compile(env, file, `${where}[${i}]`, text) };
  });
  if (turns.at(-1)!.role !== 'user') throw new TemplateError(file, `${where}: the last turn must be the user's`);
  return turns;
}
