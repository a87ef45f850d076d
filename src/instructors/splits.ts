/**
 * Splits that cannot leak. Every record has a leak key: the rules it derives
 * from, its template and the entities it names. Records are split by group,
 * never one by one, and a group is at least as coarse as the key, so two
 * records with one key always land in the same split:
 *   - by 'family' (default): the group is the key itself, so validation and
 *     test hold unseen combinations of rule, template and entities;
 *   - by 'rule': the group is the item's main rule, so validation and test
 *     hold rules the training set never shows.
 * The split of a group is a hash of the seed and the group, so the same seed
 * gives the same split whatever else the set holds.
 */

import { InvalidOptionError } from '../errors.js';
import type { Item } from '../framers/item.js';
import { sha256 } from '../framers/hierarchy.js';

export const SPLITS = ['train', 'validation', 'test'] as const;
export type Split = (typeof SPLITS)[number];
export const SPLIT_BY = ['family', 'rule'] as const;
export type SplitBy = (typeof SPLIT_BY)[number];

export interface SplitRatios {
  readonly train: number;
  readonly validation: number;
  readonly test: number;
}

export const DEFAULT_RATIOS: SplitRatios = { train: 0.8, validation: 0.1, test: 0.1 };

/** Parses "0.8,0.1,0.1" (train, validation, test); they must be non-negative and sum to 1. */
export function parseRatios(text: string): SplitRatios {
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p < 0)) throw new InvalidOptionError(`--split '${text}': give three non-negative fractions for train, validation and test, e.g. 0.8,0.1,0.1`);
  const [train, validation, test] = parts as [number, number, number];
  if (Math.abs(train + validation + test - 1) > 1e-9) throw new InvalidOptionError(`--split '${text}': the fractions add up to ${train + validation + test}, not 1`);
  if (train === 0) throw new InvalidOptionError(`--split '${text}': the training split cannot be empty`);
  return { train, validation, test };
}

/** The key no validation or test record may share with a training record: rules, template, entities. */
export function leakKey(rules: readonly string[], template: string, entities: readonly string[]): string {
  return JSON.stringify([[...rules].sort(), template, [...entities].sort()]);
}

/** An item's leak key. */
export function itemLeakKey(item: Item): string {
  return leakKey(item.derivedFrom, item.template.id, item.terms);
}

/** The group an item is split with. */
export function splitGroup(item: Item, by: SplitBy): string {
  return by === 'rule' ? (item.derivedFrom[0] ?? itemLeakKey(item)) : itemLeakKey(item);
}

/** The split of a group. */
export function splitOf(group: string, ratios: SplitRatios, seed: number): Split {
  const draw = parseInt(sha256(`split\n${seed}\n${group}`).slice(0, 8), 16) / 0x100000000;
  if (draw < ratios.train) return 'train';
  if (draw < ratios.train + ratios.validation) return 'validation';
  return ratios.test > 0 ? 'test' : 'validation';
}
