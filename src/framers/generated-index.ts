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
 * Items are kept as runs of one activity ([activity index, count]): a full
 * run's items come template by template, so there are about as many runs as
 * templates, and a patched graph adds a few per change.
 */

import { templateIri, type Item } from './item.js';

export interface GeneratedIndexRecord {
  /** Each activity, once. */
  readonly activities: readonly string[];
  /** The items' activities, in order, as runs: [index into activities, count]. */
  readonly items: readonly (readonly [number, number])[];
  /** Each template, by IRI, with its id and content hash. */
  readonly templates: readonly { readonly plan: string; readonly template: string; readonly contentHash: string }[];
}

export class GeneratedIndex {
  private readonly activities = new Map<string, number>();
  private readonly runs: [number, number][] = [];
  private readonly templates = new Map<string, { plan: string; template: string; contentHash: string }>();

  /** An item, in the run's order, with the activity the graph names for it. */
  add(item: Item, activity: string): void {
    let index = this.activities.get(activity);
    if (index === undefined) this.activities.set(activity, (index = this.activities.size));
    const last = this.runs.at(-1);
    if (last && last[0] === index) last[1]++;
    else this.runs.push([index, 1]);
    const plan = templateIri(item.template);
    if (!this.templates.has(plan)) this.templates.set(plan, { plan, template: item.template.id, contentHash: item.template.contentHash });
  }

  record(): GeneratedIndexRecord {
    return { activities: [...this.activities.keys()], items: this.runs.map(([a, n]) => [a, n] as const), templates: [...this.templates.values()] };
  }
}

/**
 * The activity of each item, by IRI, given the items in the run's order;
 * undefined when the record does not read as one, or counts another number
 * of items.
 */
export function activitiesOf(record: GeneratedIndexRecord, items: readonly string[]): Map<string, string> | undefined {
  if (!Array.isArray(record.activities) || !Array.isArray(record.items) || !Array.isArray(record.templates)) return undefined;
  const out = new Map<string, string>();
  let at = 0;
  for (const run of record.items) {
    const activity = Array.isArray(run) ? record.activities[run[0]] : undefined;
    const count = Array.isArray(run) ? run[1] : NaN;
    if (typeof activity !== 'string' || !Number.isSafeInteger(count) || count < 1 || at + count > items.length) return undefined;
    for (let i = 0; i < count; i++) out.set(items[at++]!, activity);
  }
  return at === items.length && out.size === items.length ? out : undefined;
}
