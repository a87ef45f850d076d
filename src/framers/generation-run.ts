/**
 * One generation run for one policy: read its context, fill every template,
 * and write the items with their templates and activities to the policy's
 * 'generated' derived graph (replacing the previous run's).
 */

import type { Quad } from '@rdfjs/types';
import type { DerivedGraph, GraphStore, Progress } from '../store/graph-store.js';
import { InvalidOptionError } from '../errors.js';
import { Framer, FAMILIES } from './generate.js';
import { generatedGraphIri, type Item } from './item.js';
import { readPolicyContext, type PolicyContext } from './policy-context.js';
import type { TemplateLibrary } from './templates.js';
import { activityQuads, itemQuads, templateQuads } from './to-rdf.js';

/** The kind of derived graph generated data is kept in. */
export const GENERATED_KIND = 'generated';

export interface GenerationResult {
  readonly context: PolicyContext;
  readonly items: readonly Item[];
  readonly graph: DerivedGraph;
}

export interface GenerationSettings {
  readonly seed: number;
  readonly families?: readonly string[];
  readonly progress?: Progress;
  /** Aborts the run: it rejects with the signal's reason and the previous graph stays. */
  readonly signal?: AbortSignal;
}

/** Generates a policy's items and stores them; same policy, templates and seed give the same graph. */
export async function generateForPolicy(store: GraphStore, policy: string, library: TemplateLibrary, settings: GenerationSettings): Promise<GenerationResult> {
  if (!Number.isSafeInteger(settings.seed) || settings.seed < 0) throw new InvalidOptionError(`--seed ${settings.seed}: give a non-negative integer`);
  for (const family of settings.families ?? []) {
    if (!(FAMILIES as readonly string[]).includes(family)) throw new InvalidOptionError(`unknown family '${family}'; families: ${FAMILIES.join(', ')}`);
  }
  const { signal } = settings;
  signal?.throwIfAborted();
  const context = await readPolicyContext(store, policy);
  signal?.throwIfAborted();
  const progress = settings.progress;
  const framer = new Framer(context, library, {
    seed: settings.seed,
    ...(settings.families ? { families: settings.families } : {}),
    ...(progress || signal
      ? {
          progress: (done: number, total: number) => {
            signal?.throwIfAborted();
            progress?.(done, total);
          },
        }
      : {}),
  });
  const items = [...framer.generate()];
  signal?.throwIfAborted();
  const graph = await store.putDerivedGraph(
    { graph: generatedGraphIri(policy), kind: GENERATED_KIND, policy, policySha256: context.policy.sha256 },
    generationQuads(items, settings.seed, context),
  );
  return { context, items, graph };
}

/** The triples of a run: every item, and each template and activity the items used, once. */
export function generationQuads(items: readonly Item[], seed: number, context: PolicyContext): Quad[] {
  const quads: Quad[] = [];
  const activities = new Map<string, Item['template']>();
  for (const item of items) {
    quads.push(...itemQuads(item));
    activities.set(item.activity, item.template);
  }
  const templates = new Set<string>();
  for (const [activity, template] of activities) {
    quads.push(...activityQuads(activity, template, seed, context.policy.policy, context.policy.sha256));
    if (!templates.has(template.id)) quads.push(...templateQuads(template));
    templates.add(template.id);
  }
  return quads;
}
