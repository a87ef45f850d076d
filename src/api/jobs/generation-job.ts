/**
 * The generation job: generateInThread (generateForPolicy in a worker) for one loaded policy, replacing its
 * generated graph. Its result is what `studio generate --json` says of the
 * run, less coverage (GET /v1/policies/{policy}/coverage has that).
 */

import { FAMILIES } from '../../framers/generate.js';
import { generateInThread } from '../../framers/generation-thread.js';
import { POLICY_WRITERS } from '../auth.js';
import { findLoadedPolicy } from '../derived-graphs.js';
import { iri } from '../schemas.js';
import type { JobKind } from './job-kind.js';

/** The parameters of a generation job, defaults filled in by the schema. */
export interface GenerationParams {
  policy: string;
  seed: number;
  families?: string[];
}

/** What a generation job reports when it succeeds. */
export interface GenerationSummary {
  policy: string;
  seed: number;
  graph: string;
  writtenAt: string;
  items: number;
  triples: number;
  preferencePairs: number;
  byFamily: Record<string, number>;
}

const resultSchema = {
  type: 'object',
  description: 'generation: what the run wrote',
  properties: {
    policy: { type: 'string' },
    seed: { type: 'integer' },
    graph: { type: 'string', description: "the policy's generated graph" },
    writtenAt: { type: 'string', format: 'date-time' },
    items: { type: 'integer' },
    triples: { type: 'integer' },
    preferencePairs: { type: 'integer', description: 'items with a rejected answer' },
    byFamily: { type: 'object', additionalProperties: { type: 'integer' } },
  },
  required: ['policy', 'seed', 'graph', 'writtenAt', 'items', 'triples', 'preferencePairs', 'byFamily'],
} as const;

/** The generation kind; `templates` is the template folder (default: the package's). */
export function generationJob(options: { templates?: string } = {}): JobKind<GenerationParams, GenerationSummary> {
  return {
    kind: 'generation',
    description: "Generates a policy's instruction data, scenarios and red-team prompts from its rules, replacing its generated graph. Engineer or admin.",
    roles: POLICY_WRITERS,
    params: {
      policy: iri('the loaded policy to generate for'),
      seed: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 1, description: 'seed for every choice (same policy, templates and seed, same data); default 1, as studio generate' },
      families: { type: 'array', items: { type: 'string', enum: FAMILIES }, minItems: 1, uniqueItems: true, description: 'only these template families (default: all)' },
    },
    required: ['policy'],
    result: resultSchema,
    async check(params, store) {
      await findLoadedPolicy(store, params.policy);
    },
    async run(params, { signal, progress, store }) {
      progress({ phase: 'reading', done: 0, total: 1 });
      // Templates are filled in a worker thread: the server's thread only reads the context and writes the batches.
      const result = await generateInThread(store, params.policy, {
        seed: params.seed,
        signal,
        ...(options.templates ? { templates: options.templates } : {}),
        ...(params.families ? { families: params.families } : {}),
        progress: (done, total) => progress({ phase: 'generating', done, total }),
      });
      return {
        policy: params.policy,
        seed: params.seed,
        graph: result.graph.graph,
        writtenAt: result.graph.writtenAt,
        items: result.summary.items,
        triples: result.graph.triples,
        preferencePairs: result.summary.preferencePairs,
        byFamily: result.summary.byFamily,
      };
    },
  };
}
