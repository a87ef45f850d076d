/**
 * One generation run for one policy: read its context, fill every template,
 * and write the items with their templates and activities to the policy's
 * 'generated' derived graph (replacing the previous run's). The run streams:
 * items are written batch by batch through a DerivedGraphWriter and handed
 * to the caller's onItems, so memory holds one batch, not the whole run.
 */

import type { Quad } from '@rdfjs/types';
import type { DerivedGraph, GraphStore, Progress } from '../store/graph-store.js';
import { InvalidOptionError } from '../errors.js';
import { Framer, FAMILIES, type GenerateOptions } from './generate.js';
import { generatedGraphIri, type Item } from './item.js';
import { readPolicyContext, type PolicyContext } from './policy-context.js';
import type { TemplateLibrary } from './templates.js';
import { activityQuads, itemQuads, templateQuads } from './to-rdf.js';

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
  /** Receives the items in order, a batch at a time, once the batch is written (to export them, say), with the context they came from. */
  readonly onItems?: (items: readonly Item[], context: PolicyContext) => void | Promise<void>;
  /** Items per batch (default GENERATION_BATCH). */
  readonly batchSize?: number;
  /** Selective regeneration: the texts of items an earlier run made that need no rendering again (framers/selective.ts). */
  readonly reuse?: GenerateOptions['reuse'];
}

/** Generates a policy's items and stores them; same policy, templates and seed give the same graph. */
export async function generateForPolicy(store: GraphStore, policy: string, library: TemplateLibrary, settings: GenerationSettings): Promise<GenerationResult> {
  checkGenerationSettings(settings);
  settings.signal?.throwIfAborted();
  const context = await readPolicyContext(store, policy);
  settings.signal?.throwIfAborted();
  const framer = new Framer(context, library, {
    seed: settings.seed,
    ...(settings.families ? { families: settings.families } : {}),
    ...(settings.progress ? { progress: settings.progress } : {}),
    ...(settings.reuse ? { reuse: settings.reuse } : {}),
  });
  const writer = await store.beginDerivedGraph({ graph: generatedGraphIri(policy), kind: GENERATED_KIND, policy, policySha256: context.policy.sha256 });
  try {
    const triples = new GenerationTriples(settings.seed, context);
    const batchSize = settings.batchSize ?? GENERATION_BATCH;
    const byFamily: Record<string, number> = {};
    let [items, preferencePairs] = [0, 0];
    let batch: Item[] = [];
    const flush = async () => {
      settings.signal?.throwIfAborted();
      await writer.append(triples.of(batch));
      await settings.onItems?.(batch, context);
      batch = [];
    };
    for (const item of framer.generate()) {
      items++;
      byFamily[item.family] = (byFamily[item.family] ?? 0) + 1;
      if (item.rejected) preferencePairs++;
      batch.push(item);
      if (batch.length >= batchSize) await flush();
    }
    if (batch.length > 0) await flush();
    settings.signal?.throwIfAborted();
    const graph = await writer.commit();
    return { context, summary: { items, byFamily, preferencePairs }, graph };
  } finally {
    await writer.abort();
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
