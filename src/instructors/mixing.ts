/**
 * Mixing ratios: a weight per section and per label scales how often an item
 * appears in the compiled set. A weight of 0 leaves the item out, 0.5 keeps
 * half of such items (chosen by a hash of the item and the seed, so the same
 * seed keeps the same half), 2 puts each in twice. Copies stay in their
 * item's split, so upsampling never leaks.
 *
 *   --mix section:6=2,section:4.2=0.5,label:Compliant=0.5,label:RedTeamPrompt=1.5
 *
 * A section weight applies to the section and everything under it (6 covers
 * 6.1 and 6.1.2); the most specific listed section counts. Labels are the
 * scenario labels (Compliant, NonCompliant, Ambiguous) or, for items without
 * one, the item type (Instruction, Scenario, RedTeamPrompt). Weights multiply.
 */

import { InvalidOptionError } from '../errors.js';
import type { Item } from '../framers/item.js';
import { sha256 } from '../framers/hierarchy.js';
import { ITEM_TYPES, SCENARIO_LABELS } from '../framers/templates.js';

const LABELS: readonly string[] = [...SCENARIO_LABELS, ...ITEM_TYPES];

export interface Mix {
  readonly sections: ReadonlyMap<string, number>;
  readonly labels: ReadonlyMap<string, number>;
}

export const NO_MIX: Mix = { sections: new Map(), labels: new Map() };

/** Parses "--mix section:6=2,label:Compliant=0.5"; a malformed entry is an InvalidOptionError naming it. */
export function parseMix(text: string): Mix {
  const sections = new Map<string, number>();
  const labels = new Map<string, number>();
  for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const match = /^(section|label):([^=]+)=(.+)$/.exec(entry);
    if (!match) throw new InvalidOptionError(`--mix '${entry}': write section:<number>=<weight> or label:<label>=<weight>, e.g. section:6=2,label:Compliant=0.5`);
    const weight = Number(match[3]);
    if (!Number.isFinite(weight) || weight < 0 || weight > 100) throw new InvalidOptionError(`--mix '${entry}': the weight must be a number from 0 to 100`);
    if (match[1] === 'label' && !LABELS.includes(match[2]!)) throw new InvalidOptionError(`--mix '${entry}': unknown label; use one of ${LABELS.join(', ')}`);
    const target = match[1] === 'section' ? sections : labels;
    if (target.has(match[2]!)) throw new InvalidOptionError(`--mix names ${match[1]}:${match[2]} twice`);
    target.set(match[2]!, weight);
  }
  return { sections, labels };
}

/** The label an item is mixed by: its scenario label, else its type. */
export function mixLabel(item: Item): string {
  return item.label ?? item.type;
}

/** The weight of an item under a mix. */
export function weightOf(item: Item, mix: Mix): number {
  let weight = 1;
  const section = item.sections[0]?.number;
  if (section !== undefined && mix.sections.size > 0) {
    let best: string | undefined;
    for (const listed of mix.sections.keys()) {
      if ((section === listed || section.startsWith(`${listed}.`)) && (best === undefined || listed.length > best.length)) best = listed;
    }
    if (best !== undefined) weight *= mix.sections.get(best)!;
  }
  const label = mix.labels.get(mixLabel(item));
  if (label !== undefined) weight *= label;
  return weight;
}

/** How many copies of the item the set gets: the whole part of its weight, plus one with the probability of the rest. */
export function copiesOf(item: Item, mix: Mix, seed: number): number {
  const weight = weightOf(item, mix);
  const whole = Math.floor(weight);
  const rest = weight - whole;
  if (rest === 0) return whole;
  const draw = parseInt(sha256(`mix\n${seed}\n${item.iri}`).slice(0, 8), 16) / 0x100000000;
  return whole + (draw < rest ? 1 : 0);
}
