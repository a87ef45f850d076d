/**
 * A generated item (instruction, scenario, red-team prompt) and the IRIs that
 * identify items, templates, generation activities and the graph they are
 * kept in. Item IRIs are content-addressed: a hash of the template id and
 * version, the provisions, the entities and the seed, so the same inputs
 * give the same IRI and reruns are idempotent.
 */

import { sha256 } from './hierarchy.js';
import type { Expectation, SectionRef } from './expectations.js';
import type { Attack, BoundarySide, ItemType, Message, ScenarioLabel, Template } from './templates.js';

/** Namespace of the studio's generated resources. */
export const GENERATED_NS = 'https://w3id.org/alignment-studio/id/';

export interface Item {
  readonly iri: string;
  readonly type: ItemType;
  readonly family: string;
  readonly template: Template;
  /** The generation activity: one per template, seed and policy version. */
  readonly activity: string;
  readonly label?: ScenarioLabel;
  readonly attack?: Attack;
  readonly boundary?: BoundarySide;
  /** The conversation put to the assistant; its last message is the user's. */
  readonly messages: readonly Message[];
  /** An answer that meets the expectations. */
  readonly reference: string;
  /** An answer that breaks the rule (preference pairs), where the template gives one. */
  readonly rejected?: string;
  readonly expectations: readonly Expectation[];
  /** The studio:expectedBehaviour local names of the provisions that decide the answer (Refuse, CiteSection ...). */
  readonly behaviours: readonly string[];
  /** The provisions (rules, exceptions, definitions) the item derives from, the main one first. */
  readonly derivedFrom: readonly string[];
  /** The provision whose behaviours decide the expected answer, where one does (not when several rules apply at once). */
  readonly decidedBy?: string;
  /** The detected conflict a conflict scenario stages. */
  readonly conflict?: string;
  /** A chain-of-command item: the message source whose word the answer must follow (studio:PlatformSource when the spec's own rule wins). */
  readonly follows?: string;
  /** The terms the item names: the rules' own or narrower ones. */
  readonly terms: readonly string[];
  /** The sections the item rests on. */
  readonly sections: readonly SectionRef[];
  readonly policy: string;
  readonly seed: number;
}

/** The content-addressed IRI of an item. */
export function itemIri(template: Pick<Template, 'id' | 'version'>, derivedFrom: readonly string[], terms: readonly string[], seed: number, extra = ''): string {
  const key = JSON.stringify([template.id, template.version, derivedFrom, sorted(terms), seed, extra]);
  return `${GENERATED_NS}item/${sha256(key).slice(0, 32)}`;
}

/** A sorted copy of a few strings, in the order sort() gives them (UTF-16 code units): an insertion sort, since sort() sets up more than a handful of terms take. */
function sorted(strings: readonly string[]): string[] {
  const out = strings.slice();
  for (let i = 1; i < out.length; i++) {
    const s = out[i]!;
    let j = i - 1;
    for (; j >= 0 && out[j]! > s; j--) out[j + 1] = out[j]!;
    out[j + 1] = s;
  }
  return out;
}

/** A template's IRI: its id and version (the content hash is a property, so an edit without a version bump is visible). */
export function templateIri(template: Template): string {
  return `${GENERATED_NS}template/${template.id}/v${template.version}`;
}

/** The generation activity of one template, seed and policy version. */
export function activityIri(template: Template, seed: number, policySha256: string): string {
  return `${GENERATED_NS}generation/${sha256(JSON.stringify([template.id, template.version, seed, policySha256])).slice(0, 32)}`;
}

/** The derived graph holding a policy's generated data. */
export function generatedGraphIri(policy: string): string {
  return `${GENERATED_NS}graph/generated/${sha256(policy).slice(0, 32)}`;
}
