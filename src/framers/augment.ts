/**
 * Optional LLM augmentation of generated items: for each item, ask the
 * configured model for paraphrases of its user turns, drop those that lose
 * or change a fact (augment-filters.ts), and make each kept one a new item
 * with the original's label, expectations and answers. An augmented item is
 * content-addressed like every item (the original, the model, the
 * parameters, the prompt and the text), prov:wasDerivedFrom the original and
 * its rules, and records the model, the parameters and the hash of the
 * prompt it came from. Nothing else in the studio needs this: without it,
 * generation is unchanged.
 */

import N3 from 'n3';
import type { Quad } from '@rdfjs/types';
import type { GraphStore, Progress } from '../store/graph-store.js';
import { InvalidOptionError } from '../errors.js';
import type { LlmClient } from '../llm/client.js';
import { mapBounded } from '../llm/bounded.js';
import { loadTaskPrompt, type PromptTemplate } from '../llm/prompt-template.js';
import { PROV, RDF, RDFS, STUDIO, XSD } from '../vocabulary.js';
import { FILTER_REASONS, factsOf, judgeParaphrase, wordsOf, type FilterReason } from './augment-filters.js';
import { Framer, FAMILIES } from './generate.js';
import { GENERATED_KIND, checkGenerationSettings, generationQuads, ItemCount, type GenerationResult, type GenerationSettings } from './generation-run.js';
import { sha256 } from './hierarchy.js';
import { GENERATED_NS, generatedGraphIri, templateIri, type Item } from './item.js';
import { readPolicyContext, type PolicyContext } from './policy-context.js';
import { TEMPLATES_DIR, type Message, type TemplateLibrary } from './templates.js';
import { itemQuads } from './to-rdf.js';

/** The prompt's place under a templates folder. */
export const AUGMENT_PROMPT_ID = '_augment/paraphrase';
/** Paraphrases asked for per item unless told otherwise. */
export const DEFAULT_PARAPHRASES = 3;
/** The most a single request may ask for: beyond it, models repeat themselves and replies outgrow max_tokens. */
export const MAX_PARAPHRASES = 10;
/**
 * Never paraphrased: an obfuscated red-team seed is only a test while its
 * words stay disguised, and a paraphrase spells them out.
 */
const KEEP_VERBATIM_ATTACKS: ReadonlySet<string> = new Set(['Obfuscation']);

/** How an augmented item was made. */
export interface Augmentation {
  /** The item it paraphrases. */
  readonly original: string;
  readonly model: string;
  /** The model the endpoint said answered. */
  readonly servedModel: string;
  /** Every request parameter besides model and messages. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** SHA-256 of the messages sent (JSON). */
  readonly promptHash: string;
  readonly prompt: { readonly id: string; readonly version: number; readonly contentHash: string };
}

/** A generated item whose user turns an LLM paraphrased. */
export interface AugmentedItem extends Item {
  readonly augmentation: Augmentation;
}

export interface AugmentOptions {
  /** Paraphrases asked for per item. */
  readonly paraphrases: number;
  /** Only items of these families (default: every family). */
  readonly families?: readonly string[];
  readonly prompt: PromptTemplate;
  /** Sent as the request's seed unless the configuration or prompt sets one, so reruns ask alike. */
  readonly seed: number;
  /** Called as items finish: (items done, items in all). */
  readonly progress?: Progress;
}

/** What augmentation asked, got, kept and dropped, and why. */
export interface AugmentSummary {
  readonly model: string;
  readonly prompt: string;
  /** Items paraphrased (one request each). */
  readonly items: number;
  readonly requested: number;
  readonly received: number;
  readonly kept: number;
  readonly filtered: Readonly<Record<FilterReason, number>>;
  /** The first few dropped paraphrases per reason, for a reviewer. */
  readonly examples: readonly { readonly item: string; readonly reason: FilterReason; readonly detail: string; readonly text: string }[];
}

/** Loads the paraphrase prompt from a templates folder, or the studio's own when the folder has none. */
export async function loadAugmentPrompt(templatesDir: string = TEMPLATES_DIR): Promise<PromptTemplate> {
  return loadTaskPrompt(AUGMENT_PROMPT_ID, templatesDir, TEMPLATES_DIR);
}

/** Checks the options a user gives; a bad one is an InvalidOptionError. */
export function checkAugmentOptions(paraphrases: number, families: readonly string[] | undefined): void {
  if (!Number.isSafeInteger(paraphrases) || paraphrases < 1 || paraphrases > MAX_PARAPHRASES) {
    throw new InvalidOptionError(`--paraphrases ${paraphrases}: give an integer from 1 to ${MAX_PARAPHRASES}`);
  }
  for (const family of families ?? []) {
    if (!(FAMILIES as readonly string[]).includes(family)) throw new InvalidOptionError(`unknown family '${family}' in --augment-families; families: ${FAMILIES.join(', ')}`);
  }
}

/**
 * Paraphrases the eligible items, at most `client.concurrency` requests at
 * once. Any LLM failure left after the client's retries rejects the whole
 * call (after every request in flight has settled): augmentation is all or
 * nothing. A reply the model got wrong (not JSON, too few paraphrases) only
 * costs that item's paraphrases, counted as malformed.
 */
export async function augmentItems(
  items: readonly Item[],
  context: PolicyContext,
  client: LlmClient,
  options: AugmentOptions,
): Promise<{ items: AugmentedItem[]; summary: AugmentSummary }> {
  checkAugmentOptions(options.paraphrases, options.families);
  const families = new Set(options.families ?? FAMILIES);
  const eligible = items.filter((i) => families.has(i.family) && !(i.attack && KEEP_VERBATIM_ATTACKS.has(i.attack)));
  const labels = [...context.terms.values()].map((t) => t.label);
  const parameters = canonical({ seed: options.seed, ...client.parameters, ...options.prompt.parameters });
  const filtered = Object.fromEntries(FILTER_REASONS.map((r) => [r, 0])) as Record<FilterReason, number>;
  const examples: { item: string; reason: FilterReason; detail: string; text: string }[] = [];
  let received = 0;
  const perItem = await mapBounded(
    eligible,
    client.concurrency,
    async (item, _index, signal) => {
      const userTurns = item.messages.filter((m) => m.role === 'user').map((m) => m.content);
      const facts = factsOf(userTurns, labels);
      const messages = options.prompt.render({
        n: options.paraphrases,
        conversation: item.messages,
        userTurns: userTurns.length,
        multiTurn: userTurns.length > 1,
        keep: [...facts.terms, ...[...facts.numbers]],
        uncertain: facts.uncertain,
        attack: item.attack ? attackName(item.attack) : null,
      });
      const reply = await client.chat({ messages, parameters, signal });
      const promptHash = sha256(JSON.stringify(messages));
      const candidates = parseParaphrases(reply.text, userTurns.length);
      const kept: AugmentedItem[] = [];
      const keptWords: ReadonlySet<string>[] = [];
      const drop = (reason: FilterReason, detail: string, text: string) => {
        filtered[reason]++;
        if (examples.filter((e) => e.reason === reason).length < 3) examples.push({ item: item.iri, reason, detail, text });
      };
      if (candidates === undefined) {
        const cut = reply.finishReason === 'length' ? ' (cut short by max_tokens)' : '';
        for (let i = 0; i < options.paraphrases; i++) drop('malformed', `the reply is not the JSON asked for${cut}`, reply.text.slice(0, 200));
        return kept;
      }
      received += Math.min(candidates.length, options.paraphrases);
      for (const candidate of candidates.slice(0, options.paraphrases)) {
        if (candidate === undefined) {
          drop('malformed', 'not a string or list of strings', '');
          continue;
        }
        const verdict = judgeParaphrase(facts, candidate, keptWords);
        if (!verdict.keep) {
          drop(verdict.reason, verdict.detail, candidate.join(' / '));
          continue;
        }
        keptWords.push(wordsOf(candidate));
        kept.push(augmentedItem(item, candidate, { model: reply.model, servedModel: reply.servedModel, parameters: canonical(reply.parameters), promptHash, prompt: options.prompt }, context));
      }
      return kept;
    },
    options.progress,
  );
  const augmented = perItem.flat();
  return {
    items: augmented,
    summary: {
      model: client.model,
      prompt: `${options.prompt.id} v${options.prompt.version}`,
      items: eligible.length,
      requested: eligible.length * options.paraphrases,
      received,
      kept: augmented.length,
      filtered,
      examples,
    },
  };
}

/** Settings of a generation run with augmentation. */
export interface AugmentedGenerationSettings extends GenerationSettings {
  readonly augment: Omit<AugmentOptions, 'seed'>;
}

export interface AugmentedGenerationResult extends GenerationResult {
  /** Every item, the templated ones and then the paraphrases: augmentation runs at an LLM's pace, so they fit in memory. */
  readonly items: readonly Item[];
  readonly augmented: readonly AugmentedItem[];
  readonly augmentation: AugmentSummary;
}

/**
 * generateForPolicy with augmentation: generates, augments, and only then
 * writes the generated graph (the templated items and the augmented ones) in
 * one replacement, so a run that fails at the LLM leaves the store as it was.
 */
export async function generateAugmented(store: GraphStore, policy: string, library: TemplateLibrary, client: LlmClient, settings: AugmentedGenerationSettings): Promise<AugmentedGenerationResult> {
  checkGenerationSettings(settings);
  checkAugmentOptions(settings.augment.paraphrases, settings.augment.families);
  settings.signal?.throwIfAborted();
  const context = await readPolicyContext(store, policy);
  const framer = new Framer(context, library, { seed: settings.seed, ...(settings.families ? { families: settings.families } : {}) });
  const items = [...framer.generate()];
  const { items: augmented, summary } = await augmentItems(items, context, client, { ...settings.augment, seed: settings.seed });
  settings.signal?.throwIfAborted();
  const graph = await store.putDerivedGraph(
    { graph: generatedGraphIri(policy), kind: GENERATED_KIND, policy, policySha256: context.policy.sha256 },
    [...generationQuads(items, settings.seed, context), ...augmentationQuads(augmented, settings.seed, context)],
  );
  const all = [...items, ...augmented];
  await settings.onItems?.(all, context);
  const count = new ItemCount();
  for (const item of all) count.add(item);
  return {
    context,
    items: all,
    summary: count.summary(),
    graph,
    augmented,
    augmentation: summary,
  };
}

/**
 * The model's paraphrases: each a list of user turns, or undefined where an
 * entry has the wrong shape; undefined for a reply that is not the JSON
 * asked for. Tolerates a code fence or prose around the JSON.
 */
export function parseParaphrases(text: string, userTurns: number): (string[] | undefined)[] | undefined {
  const start = text.search(/[[{]/);
  const end = Math.max(text.lastIndexOf('}'), text.lastIndexOf(']'));
  if (start < 0 || end <= start) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text.slice(start, end + 1));
  } catch {
    return undefined;
  }
  const list = Array.isArray(data) ? data : (data as { paraphrases?: unknown } | null)?.paraphrases;
  if (!Array.isArray(list)) return undefined;
  return list.map((entry) => {
    if (typeof entry === 'string' && userTurns === 1) return [entry.trim()];
    if (Array.isArray(entry) && entry.every((t) => typeof t === 'string')) return (entry as string[]).map((t) => t.trim());
    return undefined;
  });
}

function augmentedItem(
  original: Item,
  userTurns: readonly string[],
  made: { model: string; servedModel: string; parameters: Readonly<Record<string, unknown>>; promptHash: string; prompt: PromptTemplate },
  context: PolicyContext,
): AugmentedItem {
  let next = 0;
  const messages: Message[] = original.messages.map((m) => (m.role === 'user' ? { role: 'user', content: userTurns[next++]! } : m));
  const prompt = { id: made.prompt.id, version: made.prompt.version, contentHash: made.prompt.contentHash };
  const key = JSON.stringify(['augment', original.iri, prompt.id, prompt.version, made.model, made.parameters, messages]);
  return {
    ...original,
    iri: `${GENERATED_NS}item/${sha256(key).slice(0, 32)}`,
    activity: augmentationActivityIri(prompt, made.model, made.parameters, context.policy.sha256),
    messages,
    augmentation: { original: original.iri, model: made.model, servedModel: made.servedModel, parameters: made.parameters, promptHash: made.promptHash, prompt },
  };
}

/** The augmentation activity of one prompt version, model, parameter set and policy version. */
export function augmentationActivityIri(prompt: Augmentation['prompt'], model: string, parameters: Readonly<Record<string, unknown>>, policySha256: string): string {
  return `${GENERATED_NS}augmentation/${sha256(JSON.stringify([prompt.id, prompt.version, model, parameters, policySha256])).slice(0, 32)}`;
}

/** The IRI of a prompt version, as a prov:Plan. */
export function promptIri(prompt: Augmentation['prompt']): string {
  return `${GENERATED_NS}prompt/${prompt.id}/v${prompt.version}`;
}

const { namedNode, literal, quad } = N3.DataFactory;
const s = (local: string) => namedNode(`${STUDIO}${local}`);
const TYPE = namedNode(`${RDF}type`);
const JSON_LITERAL = namedNode(`${RDF}JSON`);
const INTEGER = namedNode(`${XSD}integer`);
const DERIVED = namedNode(`${PROV}wasDerivedFrom`);
const USED = namedNode(`${PROV}used`);

/**
 * The triples of augmented items: each as an item (itemQuads), also a
 * studio:AugmentedItem derived from its original, with the model, the
 * parameters and the prompt hash; each studio:AugmentationActivity
 * (a prov:Activity) with what it used; each prompt as a prov:Plan.
 */
export function augmentationQuads(items: readonly AugmentedItem[], seed: number, context: PolicyContext): Quad[] {
  const out: Quad[] = [];
  const activities = new Map<string, Augmentation>();
  for (const item of items) {
    const subject = namedNode(item.iri);
    const a = item.augmentation;
    out.push(
      ...itemQuads(item),
      quad(subject, TYPE, s('AugmentedItem')),
      quad(subject, DERIVED, namedNode(a.original)),
      quad(subject, s('template'), namedNode(templateIri(item.template))),
      quad(subject, s('model'), literal(a.model)),
      quad(subject, s('modelParameters'), literal(JSON.stringify(a.parameters), JSON_LITERAL)),
      quad(subject, s('promptHash'), literal(a.promptHash)),
    );
    if (a.servedModel !== a.model) out.push(quad(subject, s('servedModel'), literal(a.servedModel)));
    activities.set(item.activity, a);
  }
  const prompts = new Map<string, Augmentation['prompt']>();
  for (const [activity, a] of activities) {
    const subject = namedNode(activity);
    out.push(
      quad(subject, TYPE, s('AugmentationActivity')),
      quad(subject, TYPE, namedNode(`${PROV}Activity`)),
      quad(subject, s('template'), namedNode(promptIri(a.prompt))),
      quad(subject, USED, namedNode(promptIri(a.prompt))),
      quad(subject, USED, namedNode(context.policy.policy)),
      quad(subject, s('model'), literal(a.model)),
      quad(subject, s('modelParameters'), literal(JSON.stringify(a.parameters), JSON_LITERAL)),
      quad(subject, s('seed'), literal(String(seed), INTEGER)),
      quad(subject, s('policySha256'), literal(context.policy.sha256)),
    );
    prompts.set(promptIri(a.prompt), a.prompt);
  }
  for (const [iri, prompt] of prompts) {
    const subject = namedNode(iri);
    out.push(
      quad(subject, TYPE, s('Template')),
      quad(subject, TYPE, namedNode(`${PROV}Plan`)),
      quad(subject, namedNode(`${RDFS}label`), literal(prompt.id)),
      quad(subject, s('family'), literal('augment')),
      quad(subject, s('templateVersion'), literal(String(prompt.version), INTEGER)),
      quad(subject, s('contentHash'), literal(prompt.contentHash)),
    );
  }
  return out;
}

/** An attack's name as the prompt says it ("ClaimedAuthority" is "claimed authority"). */
function attackName(attack: string): string {
  return attack.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** Parameters with their keys sorted, so the same settings always hash and print alike. */
function canonical(parameters: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(parameters).sort(([a], [b]) => a.localeCompare(b)));
}
