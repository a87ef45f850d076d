/**
 * What travels with every exported record: the item's IRI, the rules it
 * derives from, its template and version, label, attack and the expected
 * behaviour, so a training example or test case traces back to its rules.
 * A paraphrase an LLM made says so, and names its original and the model.
 *
 * Every record has every key, of one type whatever the item: a reader that
 * infers one schema for a set's files (the Hugging Face datasets library)
 * fails when a key is in one record and not in another, and it infers the
 * schema from the first 10 MB of the first file: a key null throughout them
 * is typed null, and the first string after them fails the cast ("Couldn't
 * cast array of type string to null"). The rules' own items come first and
 * have no conflict, boundary or party to follow: with nulls, every file of a
 * 2,000-rule policy failed (eval.jsonl from 1,000 rules). A text the item
 * does not have is therefore the empty string, not null, and a templated
 * record's paraphrase is one of empty texts (the paraphrased items come last).
 */

import { templateIri, type Item } from '../item.js';
import type { Message } from '../templates.js';
import type { AugmentedItem, Augmentation } from '../augment.js';

export interface RecordMetadata {
  readonly item: string;
  readonly policy: string;
  /** The provisions (rule, exception, definition IRIs) the record derives from. */
  readonly rules: readonly string[];
  /** The conflict a conflict or chain-of-command item stages; empty otherwise. */
  readonly conflict: string;
  /** A chain-of-command item's message source whose word the answer follows; empty otherwise. */
  readonly follows: string;
  readonly family: string;
  readonly template: string;
  readonly template_version: number;
  readonly template_iri: string;
  readonly type: string;
  /** Empty where the item has none (so for attack and boundary). */
  readonly label: string;
  readonly attack: string;
  readonly boundary: string;
  readonly sections: readonly string[];
  readonly expected_behaviour: readonly string[];
  readonly seed: number;
  /** On an item an LLM paraphrased (augment.ts): what it paraphrases and how it was made; on a templated item, NOT_PARAPHRASED. */
  readonly paraphrase: ParaphraseMetadata;
}

export interface ParaphraseMetadata {
  /** The templated item whose user turns were paraphrased. */
  readonly original: string;
  readonly model: string;
  /** The model the endpoint said answered, where it differs (empty where it is the same). */
  readonly served_model: string;
  /** The prompt, as `<id> v<version>`. */
  readonly prompt: string;
  /** SHA-256 of the messages sent. */
  readonly prompt_hash: string;
}

export function metadataOf(item: Item): RecordMetadata {
  return {
    item: item.iri,
    policy: item.policy,
    rules: item.derivedFrom,
    conflict: item.conflict ?? '',
    follows: item.follows ?? '',
    family: item.family,
    template: item.template.id,
    template_version: item.template.version,
    template_iri: templateIri(item.template),
    type: item.type,
    label: item.label ?? '',
    attack: item.attack ?? '',
    boundary: item.boundary ?? '',
    sections: item.sections.map((s) => s.number),
    expected_behaviour: item.behaviours,
    seed: item.seed,
    paraphrase: 'augmentation' in item ? paraphraseOf((item as AugmentedItem).augmentation) : NOT_PARAPHRASED,
  };
}

/** The paraphrase of a templated record: every key, empty (an original's empty IRI says it is no paraphrase). */
export const NOT_PARAPHRASED: ParaphraseMetadata = Object.freeze({ original: '', model: '', served_model: '', prompt: '', prompt_hash: '' });

function paraphraseOf(a: Augmentation): ParaphraseMetadata {
  return {
    original: a.original,
    model: a.model,
    served_model: a.servedModel !== a.model ? a.servedModel : '',
    prompt: `${a.prompt.id} v${a.prompt.version}`,
    prompt_hash: a.promptHash,
  };
}

/**
 * The conversation of an item, preceded by the deployment's system prompt when there is one. An item that
 * opens with a developer's system turn (chain of command) gets ONE system message, the deployment's prompt
 * then the developer's instructions: many chat templates that trainers apply (TRL, Llama, Mistral) take a
 * single system message at the start and reject or drop a second.
 */
export function promptMessages(item: Item, systemPrompt: string | undefined): Message[] {
  if (!systemPrompt) return [...item.messages];
  const [first, ...rest] = item.messages;
  if (first?.role === 'system') return [{ role: 'system', content: `${systemPrompt}\n\n${first.content}` }, ...rest];
  return [{ role: 'system', content: systemPrompt }, ...item.messages];
}
