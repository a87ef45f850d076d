/**
 * What several routes say about a policy's derived graphs (conflicts,
 * generated data): find the loaded policy or answer 404, and describe one
 * derived graph with whether the policy changed since it was written.
 */

import type { DerivedGraph, GraphStore, LoadedPolicy } from '../store/graph-store.js';
import { HttpProblem } from './problem.js';

/** A derived graph as the API shows it. */
export const derivedGraphSchema = {
  type: 'object',
  properties: {
    graph: { type: 'string' },
    writtenAt: { type: 'string', format: 'date-time' },
    triples: { type: 'integer' },
    stale: { type: 'boolean', description: 'true when the policy was loaded again since, from a different source' },
  },
  required: ['graph', 'writtenAt', 'triples', 'stale'],
} as const;

/** The 404 for a policy IRI that names no loaded policy. */
export function notLoaded(iri: string): HttpProblem {
  return new HttpProblem(404, 'not-found', 'No such policy', `No policy ${iri} is loaded; GET /v1/policies lists those that are.`);
}

/** The loaded policy an IRI names; a 404 problem when none is loaded. */
export async function findLoadedPolicy(store: GraphStore, iri: string): Promise<LoadedPolicy> {
  const policy = (await store.listPolicies()).find((p) => p.policy === iri);
  if (!policy) throw notLoaded(iri);
  return policy;
}

/** The derived graph of a kind kept for a policy, with whether the policy changed since it was written; null when there is none. */
export function derivedGraphOf(
  policy: LoadedPolicy,
  graphs: readonly DerivedGraph[],
  kind: string,
): { graph: string; writtenAt: string; triples: number; stale: boolean } | null {
  const graph = graphs.find((g) => g.kind === kind && g.policy === policy.policy);
  return graph ? { graph: graph.graph, writtenAt: graph.writtenAt, triples: graph.triples, stale: graph.policySha256 !== policy.sha256 } : null;
}
