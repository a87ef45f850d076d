/**
 * One generation run for one policy: read its context, fill every template,
 * and write the items with their templates and activities to the policy's
 * 'generated' derived graph (replacing the previous run's). The run streams:
 * items are written batch by batch through a DerivedGraphWriter and handed
 * to the caller's onItems, so memory holds one batch, not the whole run.
 * Selective regeneration (`--changed`, selective.ts) patches the earlier
 * graph instead: only the items rendered again are written.
 */

import N3 from 'n3';
import type { Quad } from '@rdfjs/types';
import type { DerivedGraph, GraphStore, Progress } from '../store/graph-store.js';
import { InvalidOptionError } from '../errors.js';
import { Framer, FAMILIES, KeptBlock, hasRejectedAnswer, type GenerateOptions, type GeneratedPart, type SpliceOutcome } from './generate.js';
import { generatedGraphIri, templateIri, type Item } from './item.js';
import type { EarlierGeneration } from './selective.js';
import type { Template } from './templates.js';
import { PROV } from '../vocabulary.js';
import type { PolicyContext } from './policy-context.js';
import { ContextReads, type EarlierProvisionRows } from './recorded-provisions.js';
import type { TemplateLibrary } from './templates.js';
import { activityQuads, itemQuads, templateQuads } from './to-rdf.js';
import { GeneratedIndex } from './generated-index.js';
import { CoveredByItems } from './coverage.js';

/** The kind of derived graph generated data is kept in. */
export const GENERATED_KIND = 'generated';

/** Items written per batch: enough to keep the writes efficient, few enough to keep memory flat. */
export const GENERATION_BATCH = 10_000;

/** What a run made, counted as the items went by. */
export interface GenerationSummary {
  readonly items: number;
  readonly byFamily: Readonly<Record<string, number>>;
  /** Items with a rejected answer. */
  readonly preferencePairs: number;
}

export interface GenerationResult {
  readonly context: PolicyContext;
  readonly summary: GenerationSummary;
  readonly graph: DerivedGraph;
  /** What the graph holds now, in brief (each item's activity, each template), for the dataset folder's record; a run of templates alone gives it. */
  readonly index?: GeneratedIndex;
  /** What the items cover, for the coverage to be read without the graph (coverage.ts); a run of templates alone gives it. */
  readonly covered?: CoveredByItems;
  /** With a splice (selective regeneration): how many rules' items were taken from the earlier run, or which keys kept it from taking any. */
  readonly splice?: SpliceOutcome;
  /** With the earlier run's provision rows (selective regeneration): how many provisions the context read from the store. */
  readonly provisionsRead?: number;
}

export interface GenerationSettings {
  readonly seed: number;
  readonly families?: readonly string[];
  readonly progress?: Progress;
  /**
   * Checked before each batch is written and before the commit: once aborted,
   * the run rejects with the signal's reason and the previous graph stays.
   */
  readonly signal?: AbortSignal;
  /**
   * Receives the items in order, a batch at a time, once the batch is written (to export them, say), with the context
   * they came from; in a selective run that splices (`splice`), a rule's block kept whole comes as one KeptBlock.
   */
  readonly onItems?: (items: readonly GeneratedPart[], context: PolicyContext) => void | Promise<void>;
  /**
   * Called once every item has gone to onItems, while the graph is written
   * (committed, or patched): the caller may finish its own files meanwhile
   * (the datasets), rather than wait for the store's write and sync.
   */
  readonly meanwhile?: () => Promise<void>;
  /** Items per batch (default GENERATION_BATCH). */
  readonly batchSize?: number;
  /** Selective regeneration: the texts of items an earlier run made that need no rendering again (framers/selective.ts). */
  readonly reuse?: GenerateOptions['reuse'];
  /** With reuse: the earlier graph, which is then patched rather than written whole (see patchGenerated). */
  readonly earlier?: EarlierGeneration;
  /** Selective regeneration: the earlier run's items of unaffected rules, to splice rather than build (framers/selective.ts). */
  readonly splice?: GenerateOptions['splice'];
  /** Selective regeneration: the earlier run's rows of the context's provision queries, and the provisions to read again (framers/recorded-provisions.ts). */
  readonly context?: EarlierProvisionRows;
  /** The context's reads, when begun ahead of the run (a selective run begins them while it is planned); otherwise they begin here. */
  readonly reads?: ContextReads;
}

/** Generates a policy's items and stores them; same policy, templates and seed give the same graph. */
export async function generateForPolicy(store: GraphStore, policy: string, library: TemplateLibrary, settings: GenerationSettings): Promise<GenerationResult> {
  checkGenerationSettings(settings);
  settings.signal?.throwIfAborted();
  const { context, provisionRows, provisionsRead } = await (settings.reads ?? ContextReads.begin(store, policy)).read(settings.context);
  settings.signal?.throwIfAborted();
  const framer = new Framer(context, library, {
    seed: settings.seed,
    ...(settings.families ? { families: settings.families } : {}),
    ...(settings.progress ? { progress: settings.progress } : {}),
    ...(settings.reuse ? { reuse: settings.reuse } : {}),
    ...(settings.splice ? { splice: settings.splice } : {}),
  });
  const [index, covered] = [new GeneratedIndex(), coveredBy(context)];
  index.provisionsFrom(provisionRows);
  if (settings.earlier) {
    const result = await patchGenerated(store, policy, context, framer, settings.earlier, settings, index, covered);
    index.spliceWith(framer.spliceKeys(), framer.ruleBlocks());
    const splice = framer.spliceOutcome();
    return { ...result, ...(splice ? { splice } : {}), ...(provisionsRead !== undefined ? { provisionsRead } : {}) };
  }
  const writer = await store.beginDerivedGraph({ graph: generatedGraphIri(policy), kind: GENERATED_KIND, policy, policySha256: context.policy.sha256 });
  try {
    const triples = new GenerationTriples(settings.seed, context);
    const each = (item: Item) => {
      index.add(item, item.activity);
      covered.add(item);
    };
    const summary = await inBatches(
      framer.generate(),
      settings.batchSize ?? GENERATION_BATCH,
      async (batch) => {
        settings.signal?.throwIfAborted();
        await writer.append(triples.of(batch));
        await settings.onItems?.(batch, context);
      },
      each,
    );
    settings.signal?.throwIfAborted();
    const [graph] = await Promise.all([writer.commit(), settings.meanwhile?.()]);
    index.spliceWith(framer.spliceKeys(), framer.ruleBlocks());
    return { context, summary, graph, index, covered, ...(provisionsRead !== undefined ? { provisionsRead } : {}) };
  } finally {
    await writer.abort();
  }
}

/**
 * Selective regeneration's write, in proportion to the change: the earlier
 * graph is patched. Written: the items rendered again, the activities that
 * made them (each prov:wasInformedBy the earlier activities of its template
 * whose items it kept) and the templates not yet in the graph or whose
 * content changed. Removed: the earlier items not kept (rendered again, or
 * not made any more), the activities no kept item names, the templates no
 * item follows any more. A kept item keeps its triples, and so the activity
 * (of the earlier version) that made it: every item's content equals a full
 * run's, its prov:wasGeneratedBy names the activity that really made it.
 */
async function patchGenerated(store: GraphStore, policy: string, context: PolicyContext, framer: Framer, earlier: EarlierGeneration, settings: GenerationSettings, index: GeneratedIndex, covered: CoveredByItems): Promise<GenerationResult> {
  const add: Quad[] = [];
  const kept = new Set<string>();
  const keptActivities = new Set<string>();
  /** By template id: the earlier activities whose items were kept. */
  const informedBy = new Map<string, Set<string>>();
  /** Activities of the items rendered again, with their template. */
  const activities = new Map<string, Template>();
  const templates = new Map<string, Template>();
  const onBatch = async (batch: readonly GeneratedPart[]) => {
    settings.signal?.throwIfAborted();
    await settings.onItems?.(batch, context);
  };
  const keptBy = (item: string, activity: string, template: Template) => {
    kept.add(item);
    keptActivities.add(activity);
    let set = informedBy.get(template.id);
    if (!set) informedBy.set(template.id, (set = new Set()));
    set.add(activity);
  };
  const each = (item: Item) => {
    templates.set(templateIri(item.template), item.template);
    covered.add(item);
    const activity = earlier.kept(item.iri) ? earlier.activities.get(item.iri) : undefined;
    index.add(item, activity ?? item.activity);
    if (activity) keptBy(item.iri, activity, item.template);
    else {
      for (const q of itemQuads(item)) add.push(q);
      activities.set(item.activity, item.template);
    }
  };
  const summary = await inBatches(framer.parts(), settings.batchSize ?? GENERATION_BATCH, onBatch, (part) => {
    if (!(part instanceof KeptBlock)) return each(part);
    // Spliced whole: its items are the earlier run's, their triples kept as they are.
    if (!part.earlier.every((item) => earlier.kept(item.iri) && earlier.activities.has(item.iri))) return part.items().forEach(each);
    covered.addBlock(part);
    for (const item of part.earlier) {
      const activity = earlier.activities.get(item.iri)!;
      templates.set(templateIri(item.template), item.template);
      index.add(item, activity);
      keptBy(item.iri, activity, item.template);
    }
  });
  settings.signal?.throwIfAborted();
  const remove: string[] = [];
  for (const [item, activity] of earlier.activities) {
    if (!kept.has(item)) remove.push(item);
    if (!keptActivities.has(activity)) remove.push(activity);
  }
  const { namedNode, quad } = N3.DataFactory;
  for (const [activity, template] of activities) {
    if (keptActivities.has(activity)) continue;
    for (const q of activityQuads(activity, template, settings.seed, context.policy.policy, context.policy.sha256)) add.push(q);
    for (const before of informedBy.get(template.id) ?? []) add.push(quad(namedNode(activity), namedNode(`${PROV}wasInformedBy`), namedNode(before)));
  }
  for (const [plan, hash] of earlier.templates) if (templates.get(plan)?.contentHash !== hash) remove.push(plan);
  for (const [plan, template] of templates) if (earlier.templates.get(plan) !== template.contentHash) for (const q of templateQuads(template)) add.push(q);
  const [graph] = await Promise.all([
    store.patchDerivedGraph({ graph: generatedGraphIri(policy), kind: GENERATED_KIND, policy, policySha256: context.policy.sha256 }, { remove: [...new Set(remove)], add }),
    settings.meanwhile?.(),
  ]);
  return { context, summary, graph, index, covered };
}

/** What a run of the policy's items covers, counted as they go by. */
function coveredBy(context: PolicyContext): CoveredByItems {
  return new CoveredByItems(GENERATED_KIND, context);
}

/**
 * The loop every generation path shares: goes through a run's items (or
 * parts: a rule's block kept whole counts as its items), hands `each` every
 * one as it comes, and `flush` them a batch of about `size` items at a time
 * (the last batch however short, and each batch a new array, which the callee
 * may keep); it counts the items as they go by, and returns the count.
 */
export async function inBatches<P extends GeneratedPart>(parts: Iterable<P>, size: number, flush: (batch: P[]) => Promise<void>, each?: (part: P) => void): Promise<GenerationSummary> {
  const count = new ItemCount();
  let batch: P[] = [];
  let items = 0;
  for (const part of parts) {
    count.add(part);
    each?.(part);
    batch.push(part);
    items += part instanceof KeptBlock ? part.size : 1;
    if (items >= size) {
      const full = batch;
      [batch, items] = [[], 0];
      await flush(full);
    }
  }
  if (batch.length > 0) await flush(batch);
  return count.summary();
}

/** A run's summary, counted one item at a time: the one place items are counted (inBatches, and augmentation's list). */
export class ItemCount {
  private items = 0;
  private preferencePairs = 0;
  private readonly byFamily: Record<string, number> = {};

  add(part: GeneratedPart): void {
    if (!(part instanceof KeptBlock)) return this.count(part.family, hasRejectedAnswer(part));
    for (const [i, item] of part.earlier.entries()) this.count(item.template.family, part.paired(i));
  }

  private count(family: string, paired: boolean): void {
    this.items++;
    this.byFamily[family] = (this.byFamily[family] ?? 0) + 1;
    if (paired) this.preferencePairs++;
  }

  summary(): GenerationSummary {
    return { items: this.items, byFamily: { ...this.byFamily }, preferencePairs: this.preferencePairs };
  }
}

/** Refuses a seed or family generation cannot use. */
export function checkGenerationSettings(settings: Pick<GenerationSettings, 'seed' | 'families' | 'batchSize'>): void {
  if (!Number.isSafeInteger(settings.seed) || settings.seed < 0) throw new InvalidOptionError(`--seed ${settings.seed}: give a non-negative integer`);
  for (const family of settings.families ?? []) {
    if (!(FAMILIES as readonly string[]).includes(family)) throw new InvalidOptionError(`unknown family '${family}'; families: ${FAMILIES.join(', ')}`);
  }
  if (settings.batchSize !== undefined && !(Number.isSafeInteger(settings.batchSize) && settings.batchSize > 0)) throw new InvalidOptionError(`batch size ${settings.batchSize}: give a positive integer`);
}

/**
 * The triples of a run, a batch of items at a time: each item, and each
 * template and activity with the first item that uses it, so that every
 * subject's triples come in one batch.
 */
export class GenerationTriples {
  private readonly activities = new Set<string>();
  private readonly templates = new Set<string>();

  constructor(
    private readonly seed: number,
    private readonly context: PolicyContext,
  ) {}

  of(items: readonly Item[]): Quad[] {
    const quads: Quad[] = [];
    for (const item of items) {
      for (const q of itemQuads(item)) quads.push(q);
      if (this.activities.has(item.activity)) continue;
      this.activities.add(item.activity);
      for (const q of activityQuads(item.activity, item.template, this.seed, this.context.policy.policy, this.context.policy.sha256)) quads.push(q);
      if (this.templates.has(item.template.id)) continue;
      this.templates.add(item.template.id);
      for (const q of templateQuads(item.template)) quads.push(q);
    }
    return quads;
  }
}

/** The triples of a whole run: every item, and each template and activity the items used, once. */
export function generationQuads(items: readonly Item[], seed: number, context: PolicyContext): Quad[] {
  return new GenerationTriples(seed, context).of(items);
}
