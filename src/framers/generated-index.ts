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
 *
 * For the framer's splice (generate.ts Splice, selective.ts), it also keeps
 * each rule's own block of items (the run's first items, rule by rule), each
 * block item's template and terms (as indexes into lists of each once), and
 * the splice keys the run had: what a later `--changed` needs to take a
 * rule's items as they are rather than build them. With them, the record
 * is about 2 MB at 10,000 rules.
 */

import { templateIri, type Item } from './item.js';
import { SPLICE_KEYS, type RuleBlock, type SpliceKeys } from './generate.js';
import type { RecordedProvisionRows } from './recorded-provisions.js';

export interface GeneratedIndexRecord {
  /** Each activity, once. */
  readonly activities: readonly string[];
  /** Each item's activity, in order, as an index into `activities`. */
  readonly items: readonly number[];
  /** Each template, by IRI, with its id and content hash. */
  readonly templates: readonly { readonly plan: string; readonly template: string; readonly contentHash: string }[];
  /** What a later run splices (absent in a record an older studio wrote). */
  readonly splice?: SpliceRecord;
  /** The rows of the context's provision queries the run generated from (recorded-provisions.ts; absent in a record an older studio wrote). */
  readonly provisions?: RecordedProvisionRows;
}

export interface SpliceRecord {
  /** The run's splice keys (generate.ts SPLICE_KEYS). */
  readonly keys: SpliceKeys;
  /** Each rule's own block, in order: [rule, items]; the blocks are the run's first items. */
  readonly rules: readonly RuleBlock[];
  /** Each block item's template, as an index into `templates`. */
  readonly templates: readonly number[];
  /** Each term the block items name, once. */
  readonly terms: readonly string[];
  /** Each block item's terms, as indexes into `terms`. */
  readonly itemTerms: readonly (readonly number[])[];
}

/** An earlier item of a rule's own block, as the record keeps it. */
export interface RecordedBlockItem {
  readonly iri: string;
  /** The template's id. */
  readonly template: string;
  readonly terms: readonly string[];
}

export class GeneratedIndex {
  private readonly activities = new Map<string, number>();
  private readonly items: number[] = [];
  private readonly templates = new Map<string, { plan: string; template: string; contentHash: string; index: number }>();
  /** Each item's template and terms, as indexes, in the run's order (the blocks are the first of them). */
  private readonly itemTemplates: number[] = [];
  private readonly itemTerms: number[][] = [];
  private readonly terms = new Map<string, number>();
  private splice: { keys: SpliceKeys; rules: readonly RuleBlock[] } | undefined;
  private provisions: RecordedProvisionRows | undefined;

  /** An item (or a kept block's item: its template and terms), in the run's order, with the activity the graph names for it. */
  add(item: Pick<Item, 'template' | 'terms'>, activity: string): void {
    let index = this.activities.get(activity);
    if (index === undefined) this.activities.set(activity, (index = this.activities.size));
    this.items.push(index);
    const plan = templateIri(item.template);
    let template = this.templates.get(plan);
    if (!template) this.templates.set(plan, (template = { plan, template: item.template.id, contentHash: item.template.contentHash, index: this.templates.size }));
    this.itemTemplates.push(template.index);
    const terms: number[] = [];
    for (const term of item.terms) {
      let t = this.terms.get(term);
      if (t === undefined) this.terms.set(term, (t = this.terms.size));
      terms.push(t);
    }
    this.itemTerms.push(terms);
  }

  /** Once the run is through: its splice keys and rule blocks (Framer.spliceKeys, ruleBlocks), for the record. */
  spliceWith(keys: SpliceKeys, rules: readonly RuleBlock[]): void {
    this.splice = { keys, rules };
  }

  /** The rows of the context's provision queries the run generated from, for the record. */
  provisionsFrom(rows: RecordedProvisionRows): void {
    this.provisions = rows;
  }

  record(): GeneratedIndexRecord {
    const templates = [...this.templates.values()].map(({ plan, template, contentHash }) => ({ plan, template, contentHash }));
    const base = { activities: [...this.activities.keys()], items: this.items, templates, ...(this.provisions ? { provisions: this.provisions } : {}) };
    if (!this.splice) return base;
    const blockItems = this.splice.rules.reduce((n, [, items]) => n + items, 0);
    if (blockItems > this.items.length) return base;
    // Only the terms the block items name, renumbered in the order they come.
    const terms = new Map<number, number>();
    const names = [...this.terms.keys()];
    const itemTerms = this.itemTerms.slice(0, blockItems).map((list) => list.map((t) => terms.get(t) ?? (terms.set(t, terms.size), terms.size - 1)));
    return {
      ...base,
      splice: { keys: this.splice.keys, rules: this.splice.rules, templates: this.itemTemplates.slice(0, blockItems), terms: [...terms.keys()].map((t) => names[t]!), itemTerms },
    };
  }
}

/**
 * Each rule's own block of items, by rule, given the items in the run's
 * order (the order of the datasets' lines), with the splice keys the run
 * recorded; undefined when the record keeps none, or does not read as one.
 */
export function ruleBlocksOf(record: GeneratedIndexRecord, items: readonly string[]): { keys: SpliceKeys; blocks: Map<string, readonly RecordedBlockItem[]> } | undefined {
  const splice = record.splice;
  if (!splice || typeof splice !== 'object' || typeof splice.keys !== 'object' || splice.keys === null) return undefined;
  if (!SPLICE_KEYS.every((k) => typeof splice.keys[k] === 'string')) return undefined;
  if (![splice.rules, splice.templates, splice.terms, splice.itemTerms].every(Array.isArray) || splice.templates.length !== splice.itemTerms.length || splice.templates.length > items.length) return undefined;
  const blocks = new Map<string, RecordedBlockItem[]>();
  let at = 0;
  for (const entry of splice.rules) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Number.isSafeInteger(entry[1]) || entry[1] < 0 || at + entry[1] > splice.templates.length) return undefined;
    const [rule, count] = entry;
    const block: RecordedBlockItem[] = [];
    for (let i = at; i < at + count; i++) {
      const template = record.templates[splice.templates[i]!]?.template;
      const list = splice.itemTerms[i];
      if (typeof template !== 'string' || !Array.isArray(list)) return undefined;
      const terms = list.map((t) => splice.terms[t]);
      if (!terms.every((t): t is string => typeof t === 'string')) return undefined;
      block.push({ iri: items[i]!, template, terms });
    }
    at += count;
    blocks.set(rule, block);
  }
  return at === splice.templates.length ? { keys: splice.keys, blocks } : undefined;
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
