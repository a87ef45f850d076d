/**
 * What a generated graph holds, in brief: the activity that made each item,
 * in the order the run went through them (that of the datasets' lines), and
 * each template (prov:Plan) with its id and content hash. A run keeps it in
 * its dataset folder's record (exports/generation-record.ts), so that
 * `studio generate --changed` learns what the earlier graph holds without
 * asking the graph (which, on the embedded store, means reading all of it
 * into oxigraph): the answers of `generation-kept-items` and
 * `generation-kept-templates`, for the version the record names.
 *
 * Each item is kept as the index of its activity in a list of them: the items
 * come rule by rule, not template by template, so runs of one activity would
 * be about as many as the items. At 10,000 rules, about 300 kB for 94,000
 * items, against the 137 MB of eval.jsonl read with it.
 */

import { templateIri, type Item } from './item.js';

export interface GeneratedIndexRecord {
  /** Each activity, once. */
  readonly activities: readonly string[];
  /** Each item's activity, in order, as an index into `activities`. */
  readonly items: readonly number[];
  /** Each template, by IRI, with its id and content hash. */
  readonly templates: readonly { readonly plan: string; readonly template: string; readonly contentHash: string }[];
}

export class GeneratedIndex {
  private readonly activities = new Map<string, number>();
  private readonly items: number[] = [];
  private readonly templates = new Map<string, { plan: string; template: string; contentHash: string }>();

  /** An item, in the run's order, with the activity the graph names for it. */
  add(item: Item, activity: string): void {
    let index = this.activities.get(activity);
    if (index === undefined) this.activities.set(activity, (index = this.activities.size));
    this.items.push(index);
    const plan = templateIri(item.template);
    if (!this.templates.has(plan)) this.templates.set(plan, { plan, template: item.template.id, contentHash: item.template.contentHash });
  }

  record(): GeneratedIndexRecord {
    return { activities: [...this.activities.keys()], items: this.items, templates: [...this.templates.values()] };
  }
}

/**
 * The activity of each item, by IRI, given the items in the run's order;
 * undefined when the record does not read as one, or counts another number
 * of items.
 */
export function activitiesOf(record: GeneratedIndexRecord, items: readonly string[]): Map<string, string> | undefined {
  if (!Array.isArray(record.activities) || !Array.isArray(record.items) || !Array.isArray(record.templates)) return undefined;
  if (record.items.length !== items.length) return undefined;
  const out = new Map<string, string>();
  for (const [i, index] of record.items.entries()) {
    const activity = record.activities[index];
    if (typeof activity !== 'string') return undefined;
    out.set(items[i]!, activity);
  }
  return out.size === items.length ? out : undefined;
}
