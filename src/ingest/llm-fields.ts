/**
 * The optional language-model step of `studio ingest --llm`: for each drafted
 * provision, a model names its bearer, action, target, counterparty, the
 * circumstance of an exception, what each threshold measures and the
 * expected behaviour, through the versioned prompt templates/_ingest/fields.yaml.
 * The answer is JSON checked against a schema and against the policy's terms
 * (an IRI it names must be a term of the right kind); a bad answer is asked
 * once more with the problem, and a second bad answer leaves the provision's
 * placeholders in place with a note saying why. A label that matches a term
 * of the policy becomes that term; any other label becomes a proposed term
 * (studio:ProposedTerm) for the author to keep, rename or replace.
 */

import { Ajv, type JSONSchemaType } from 'ajv';
import { TEMPLATES_DIR } from '../framers/templates.js';
import { mapBounded } from '../llm/bounded.js';
import type { ChatMessage, LlmClient } from '../llm/client.js';
import { readJsonAnswer } from '../llm/json-answer.js';
import { loadTaskPrompt, type PromptTemplate } from '../llm/prompt-template.js';
import type { DraftProvision } from './provisions.js';
import { termKey, type CatalogueTerm, type TermCatalogue, type TermClass } from './term-catalogue.js';

/** The prompt's place under a templates folder. */
export const FIELDS_PROMPT_ID = '_ingest/fields';

/** Loads the fields prompt from a templates folder, or the studio's own when the folder has none. */
export async function loadFieldsPrompt(templatesDir: string = TEMPLATES_DIR): Promise<PromptTemplate> {
  return loadTaskPrompt(FIELDS_PROMPT_ID, templatesDir, TEMPLATES_DIR);
}

/** The behaviours a model may choose (DirectToChannel is left out: it needs a channel the text rarely names). */
export const BEHAVIOURS = {
  Refuse: 'decline to help with what the provision forbids',
  Warn: 'warn the user that what they describe goes against the provision',
  CiteSection: "cite the provision's section",
  AskForInformation: 'ask for the facts needed to decide whether the provision applies',
  Inform: 'explain what the provision requires or allows',
} as const;
export type BehaviourName = keyof typeof BEHAVIOURS;

/** A field of the answer: an existing term's IRI, or null and a phrase. */
export interface FieldAnswer {
  readonly term: string | null;
  readonly label: string;
}

/** What the model answers for one provision. */
export interface FieldsAnswer {
  readonly bearer?: FieldAnswer | null;
  readonly action?: FieldAnswer | null;
  readonly target?: FieldAnswer | null;
  readonly counterparty?: FieldAnswer | null;
  readonly circumstance?: FieldAnswer | null;
  readonly quantities?: readonly FieldAnswer[] | null;
  readonly behaviours: readonly BehaviourName[];
}

const FIELD = { type: 'object', required: ['term', 'label'], properties: { term: { type: 'string', nullable: true }, label: { type: 'string', minLength: 1, maxLength: 200 } } };
const OPTIONAL_FIELD = { ...FIELD, nullable: true };
export const FIELDS_ANSWER_SCHEMA = {
  type: 'object',
  required: ['behaviours'],
  properties: {
    bearer: OPTIONAL_FIELD,
    action: OPTIONAL_FIELD,
    target: OPTIONAL_FIELD,
    counterparty: OPTIONAL_FIELD,
    circumstance: OPTIONAL_FIELD,
    quantities: { type: 'array', items: FIELD, nullable: true },
    behaviours: { type: 'array', items: { type: 'string', enum: Object.keys(BEHAVIOURS) }, minItems: 1, uniqueItems: true },
  },
} as unknown as JSONSchemaType<FieldsAnswer>;

const validate = new Ajv({ allErrors: true, strict: true }).compile(FIELDS_ANSWER_SCHEMA);

/** A slot of the answer: what it means to the model, the kinds of term it takes, and the class a new term gets. */
interface Slot {
  readonly name: 'bearer' | 'action' | 'target' | 'counterparty' | 'circumstance';
  readonly meaning: string;
  readonly required: boolean;
  readonly classes: readonly TermClass[];
  readonly proposed: TermClass;
}

const RULE_SLOTS: readonly Slot[] = [
  { name: 'bearer', meaning: 'the role or organisation the provision binds (required)', required: true, classes: ['Role', 'Organization'], proposed: 'Role' },
  { name: 'action', meaning: 'what the bearer must, must not or may do, as a verb phrase (required)', required: true, classes: ['Action'], proposed: 'Action' },
  { name: 'target', meaning: 'what the action is done to or with: an asset, information, a product (optional)', required: false, classes: ['Asset'], proposed: 'Asset' },
  { name: 'counterparty', meaning: 'who else the action involves: a supplier, an official, a customer (optional)', required: false, classes: ['Role', 'Organization'], proposed: 'Role' },
];
const EXCEPTION_SLOTS: readonly Slot[] = [
  { name: 'circumstance', meaning: 'the circumstance in which the exception applies, as a noun phrase (required)', required: true, classes: ['Circumstance'], proposed: 'Circumstance' },
];

/** The slots asked for a provision of this kind (none for a definition). */
export function slotsOf(provision: DraftProvision): readonly Slot[] {
  if (provision.kind === 'Definition') return [];
  return provision.kind === 'Exception' ? EXCEPTION_SLOTS : RULE_SLOTS;
}

/** A field as the draft writes it: an existing term, or a proposed one. */
export interface ResolvedField {
  readonly iri?: string;
  readonly proposed?: { readonly termClass: TermClass; readonly label: string };
}

/** The fields of one provision, resolved against the policy's terms. */
export interface ProvisionFields {
  readonly bearer?: ResolvedField;
  readonly action?: ResolvedField;
  readonly target?: ResolvedField;
  readonly counterparty?: ResolvedField;
  readonly circumstance?: ResolvedField;
  /** One per threshold of the provision, in order. */
  readonly quantities: readonly ResolvedField[];
  readonly behaviours: readonly BehaviourName[];
}

/** What the model gave for one provision: its fields, or why none were used. */
export type ProvisionOutcome = { readonly ok: true; readonly fields: ProvisionFields; readonly attempts: number } | { readonly ok: false; readonly problem: string; readonly attempts: number };

/** The model step as the draft records it in its provenance. */
export interface LlmDrafting {
  readonly model: string;
  readonly servedModel: string;
  readonly endpoint: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly prompt: { readonly id: string; readonly version: number; readonly contentHash: string };
  /** By provision id; definitions are not asked. */
  readonly outcomes: ReadonlyMap<string, ProvisionOutcome>;
}

/** The thresholds of a provision that the draft turns into conditions (amounts with a bound in a currency or percent). */
export function thresholdLabels(provision: DraftProvision, units: ReadonlySet<string>, words: Readonly<Record<string, string>>): string[] {
  return provision.quantities.filter((q) => q.bound && units.has(q.unit)).map((q) => `${words[q.bound!]} ${q.value} ${q.unit}`);
}

/** Checks an answer against the provision and the policy's terms, and resolves its fields; a problem is a sentence for the model. */
export function readFieldsAnswer(text: string, slots: readonly Slot[], thresholds: number, catalogue: TermCatalogue): { ok: true; fields: ProvisionFields } | { ok: false; problem: string } {
  const read = readJsonAnswer(text, validate);
  if (!read.ok) return read;
  const answer = read.value;
  const fields: Record<string, ResolvedField> = {};
  for (const slot of slots) {
    const given = answer[slot.name];
    if (!given) {
      if (slot.required) return { ok: false, problem: `"${slot.name}" is missing; it is required for this provision` };
      continue;
    }
    const resolved = resolveField(given, slot.classes, slot.proposed, catalogue);
    if ('problem' in resolved) return { ok: false, problem: `"${slot.name}": ${resolved.problem}` };
    fields[slot.name] = resolved;
  }
  const quantities: ResolvedField[] = [];
  if (thresholds > 0) {
    const given = answer.quantities ?? [];
    if (given.length !== thresholds) return { ok: false, problem: `"quantities" has ${given.length} entries; the provision states ${thresholds} amount(s), one entry each` };
    for (const [i, q] of given.entries()) {
      const resolved = resolveField(q, ['Quantity'], 'Quantity', catalogue);
      if ('problem' in resolved) return { ok: false, problem: `"quantities"[${i}]: ${resolved.problem}` };
      quantities.push(resolved);
    }
  }
  return { ok: true, fields: { ...fields, quantities, behaviours: answer.behaviours } };
}

/** An existing term (by the IRI given, or by a matching label) or a proposed one. */
function resolveField(given: FieldAnswer, classes: readonly TermClass[], proposed: TermClass, catalogue: TermCatalogue): ResolvedField | { problem: string } {
  const fitting = catalogue.terms.filter((t) => classes.includes(t.termClass));
  if (given.term !== null) {
    const term = fitting.find((t) => t.iri === given.term);
    if (term) return { iri: term.iri };
    const other = catalogue.terms.find((t) => t.iri === given.term);
    return { problem: other ? `${given.term} is a ${other.termClass}, not a ${classes.join(' or ')}` : `${given.term} is not one of the policy's terms listed; give "term": null and a label instead` };
  }
  const key = termKey(given.label);
  const match: CatalogueTerm | undefined = fitting.find((t) => t.keys.includes(key));
  if (match) return { iri: match.iri };
  return { proposed: { termClass: proposed, label: given.label.trim().replace(/\s+/g, ' ') } };
}

/** The terms the prompt lists, grouped as a person would read them. */
function termGroups(catalogue: TermCatalogue, slots: readonly Slot[], thresholds: number): { name: string; terms: { iri: string; label: string }[] }[] {
  const wanted = new Set<TermClass>(slots.flatMap((s) => s.classes));
  if (thresholds > 0) wanted.add('Quantity');
  const names: Record<TermClass, string> = { Role: 'roles', Organization: 'organisations', Action: 'actions', Asset: 'assets', Circumstance: 'circumstances', Quantity: 'quantities' };
  return (Object.keys(names) as TermClass[]).filter((c) => wanted.has(c)).map((c) => ({
    name: names[c],
    terms: catalogue.terms.filter((t) => t.termClass === c).map((t) => ({ iri: t.iri, label: t.label })),
  })).filter((g) => g.terms.length > 0);
}

export interface FieldsOptions {
  readonly client: LlmClient;
  readonly prompt: PromptTemplate;
  readonly catalogue: TermCatalogue;
  /** The labels of each provision's thresholds, by provision id (the amounts the draft makes conditions of). */
  readonly thresholds: ReadonlyMap<string, readonly string[]>;
  /** Called as each provision is answered. */
  readonly progress?: (done: number, total: number) => void;
}

/**
 * Asks the model for the fields of every provision but definitions, with the
 * client's concurrency. A provision whose answers stay unusable keeps its
 * placeholders (its outcome says why); an endpoint that fails after the
 * client's retries fails the whole step, so nothing partial is written.
 */
export async function draftFields(provisions: readonly DraftProvision[], options: FieldsOptions): Promise<LlmDrafting> {
  const asked = provisions.filter((p) => slotsOf(p).length > 0);
  let servedModel = options.client.model;
  const outcomes = await mapBounded(asked, options.client.concurrency, async (provision, _i, signal): Promise<ProvisionOutcome> => {
    const slots = slotsOf(provision);
    const thresholds = options.thresholds.get(provision.id) ?? [];
    const messages: ChatMessage[] = options.prompt.render({
      provision: {
        kind: provision.kind.toLowerCase(),
        text: provision.text,
        section: [provision.section.number, provision.section.title].filter(Boolean).join(' ') || null,
        leadIn: provision.leadIn?.text ?? null,
      },
      slots: slots.map((s) => ({ name: s.name, meaning: s.meaning })),
      thresholds: thresholds.map((label) => ({ label })),
      terms: termGroups(options.catalogue, slots, thresholds.length),
      behaviours: Object.entries(BEHAVIOURS).map(([name, meaning]) => ({ name, meaning })),
    });
    let problem = '';
    for (let attempt = 1; attempt <= 2; attempt++) {
      const reply = await options.client.chat({ messages, parameters: options.prompt.parameters, signal });
      servedModel = reply.servedModel;
      const read = readFieldsAnswer(reply.text, slots, thresholds.length, options.catalogue);
      if (read.ok) return { ok: true, fields: read.fields, attempts: attempt };
      problem = read.problem;
      messages.push({ role: 'assistant', content: reply.text }, { role: 'user', content: `That answer cannot be used: ${problem}. Reply again with the JSON object only.` });
    }
    return { ok: false, problem, attempts: 2 };
  }, options.progress);
  return {
    model: options.client.model,
    servedModel,
    endpoint: options.client.endpoint,
    parameters: { ...options.client.parameters, ...options.prompt.parameters },
    prompt: { id: options.prompt.id, version: options.prompt.version, contentHash: options.prompt.contentHash },
    outcomes: new Map(asked.map((p, i) => [p.id, outcomes[i]!])),
  };
}
