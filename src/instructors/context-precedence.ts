/**
 * Precedence in a deployment context: the context's order of priorities
 * decides each conflict of its policy. Besides the four legal principles of
 * conflicts/precedence.ts, a context may rank two priorities of its own:
 * caution (the prohibition prevails) and helpfulness (the obligation or
 * permission prevails). The resolutions go into a graph derived from the
 * policy per context, and training targets follow what that graph records.
 */

import { createHash } from 'node:crypto';
import N3 from 'n3';
import type { Quad } from '@rdfjs/types';
import type { DerivedGraph, GraphStore } from '../store/graph-store.js';
import { candidateConflicts, conflictIri, factsOf } from '../conflicts/detect.js';
import { DEFAULT_PRECEDENCE, PRINCIPLES, resolve, type PairFacts, type Principle } from '../conflicts/precedence.js';
import { PROV, RDF, RDFS, STUDIO } from '../vocabulary.js';
import type { DeploymentContext } from './deployment-context.js';
import { dateTimeLiteral } from '../rdf/date-time.js';

const { namedNode, literal, quad } = N3.DataFactory;

export const CONTEXT_PRINCIPLES = PRINCIPLES;
export type ContextPrinciple = (typeof CONTEXT_PRINCIPLES)[number];
/** What follows the principles a context lists: the legal ones in their default order. Caution and helpfulness apply only where listed. */
export const DEFAULT_CONTEXT_ORDER: readonly ContextPrinciple[] = DEFAULT_PRECEDENCE;

/** The kind of derived graph a context's resolutions are kept in. */
export const CONTEXT_RESOLUTIONS_KIND = 'context-resolutions';

export interface ContextResolution {
  readonly conflict: string;
  readonly prohibition: string;
  readonly permissive: string;
  /** null when no priority of the context decides. */
  readonly principle: ContextPrinciple | null;
  readonly winner: string | null;
  readonly loser: string | null;
  readonly reason: string | null;
  /** The loser is the same as the winner or narrower in every dimension, so it never applies without the winner. */
  readonly loserCovered: boolean;
}

/** Resolves a pair (first = the prohibition) by the first priority of `order` that decides. */
export function resolveInContext(facts: PairFacts, order: readonly ContextPrinciple[]): { principle: ContextPrinciple; winner: string; loser: string; reason: string } | null {
  for (const principle of order) {
    if (principle === 'caution') return { principle, winner: facts.first.rule, loser: facts.second.rule, reason: 'the context puts caution first: the prohibition prevails' };
    if (principle === 'helpfulness') return { principle, winner: facts.second.rule, loser: facts.first.rule, reason: 'the context puts helpfulness first: the obligation or permission prevails' };
    const decided = resolve(facts, [principle as Principle]);
    if (decided) return decided;
  }
  return null;
}

/** Whether the loser lies within the winner in every dimension (relations are the prohibition's to the other rule's). */
function covered(facts: PairFacts, loserIsProhibition: boolean): boolean {
  const within = loserIsProhibition ? ['same', 'narrower'] : ['same', 'broader'];
  return Object.values(facts.dimensions).every((r) => within.includes(r));
}

/** The derived graph of one context's resolutions. */
export function contextResolutionsGraphIri(context: string): string {
  return `urn:studio:derived:context-resolutions:${createHash('sha256').update(context).digest('hex').slice(0, 32)}`;
}

/** Detects the policy's conflicts and resolves each by the context's priorities. */
export async function resolveConflictsInContext(store: GraphStore, context: DeploymentContext): Promise<ContextResolution[]> {
  const rows = await candidateConflicts(store, context.policy);
  return rows.map((row) => {
    const facts = factsOf(row);
    const decided = resolveInContext(facts, context.priorities);
    return {
      conflict: conflictIri(String(row.policy), facts.first.rule, facts.second.rule),
      prohibition: facts.first.rule,
      permissive: facts.second.rule,
      principle: decided?.principle ?? null,
      winner: decided?.winner ?? null,
      loser: decided?.loser ?? null,
      reason: decided?.reason ?? null,
      loserCovered: decided ? covered(facts, decided.loser === facts.first.rule) : false,
    };
  });
}

/** The triples of a context's resolutions: one studio:Resolution per conflict, studio:inContext the context. */
export function contextResolutionQuads(context: DeploymentContext, resolutions: readonly ContextResolution[], at: string): Quad[] {
  const graph = contextResolutionsGraphIri(context.iri);
  const activity = namedNode(`${graph}:resolution`);
  const quads: Quad[] = [
    quad(activity, namedNode(`${RDF}type`), namedNode(`${PROV}Activity`)),
    quad(activity, namedNode(`${PROV}used`), namedNode(context.iri)),
    quad(activity, namedNode(`${STUDIO}precedence`), literal(context.priorities.join(','))),
    quad(activity, namedNode(`${PROV}endedAtTime`), dateTimeLiteral(at)),
  ];
  for (const r of resolutions) {
    const node = namedNode(`${r.conflict}:in:${createHash('sha256').update(context.iri).digest('hex').slice(0, 16)}`);
    quads.push(
      quad(node, namedNode(`${RDF}type`), namedNode(`${STUDIO}Resolution`)),
      quad(node, namedNode(`${STUDIO}resolves`), namedNode(r.conflict)),
      quad(node, namedNode(`${STUDIO}inContext`), namedNode(context.iri)),
      quad(node, namedNode(`${PROV}wasGeneratedBy`), activity),
    );
    if (r.principle && r.winner && r.loser) {
      const principle = r.principle[0]!.toUpperCase() + r.principle.slice(1);
      quads.push(
        quad(node, namedNode(`${STUDIO}decidedBy`), namedNode(`${STUDIO}${principle}`)),
        quad(node, namedNode(`${STUDIO}winner`), namedNode(r.winner)),
        quad(node, namedNode(`${STUDIO}loser`), namedNode(r.loser)),
        quad(node, namedNode(`${RDFS}comment`), literal(r.reason ?? '')),
      );
    }
  }
  return quads;
}

/** Resolves the policy's conflicts in the context and records them in the context's derived graph (replacing the last). */
export async function recordContextResolutions(store: GraphStore, context: DeploymentContext): Promise<{ graph: DerivedGraph; resolutions: ContextResolution[] }> {
  const resolutions = await resolveConflictsInContext(store, context);
  const policy = (await store.listPolicies()).find((p) => p.policy === context.policy)!;
  const graph = await store.putDerivedGraph(
    { graph: contextResolutionsGraphIri(context.iri), kind: CONTEXT_RESOLUTIONS_KIND, policy: context.policy, policySha256: policy.sha256 },
    contextResolutionQuads(context, resolutions, new Date().toISOString()),
  );
  return { graph, resolutions };
}

/** What the graph records of the context's resolutions: conflict IRI -> winner and loser (absent when unresolved in the context). */
export async function readContextResolutions(store: GraphStore, context: string): Promise<Map<string, { winner: string | null; loser: string | null; principle: string | null }>> {
  const rows = await store.namedQuery('context-resolutions', { context });
  return new Map(rows.map((r) => [String(r.conflict), { winner: r.winner === null ? null : String(r.winner), loser: r.loser === null ? null : String(r.loser), principle: r.principle === null ? null : String(r.principle) }]));
}
