/**
 * Deployment contexts as the policy declares them: the audience an assistant
 * serves, the persona its system prompt opens with, the conditions that hold
 * in every conversation it has, and its order of priorities. Read with the
 * deployment-contexts and deployment-context-priorities named queries.
 */

import type { GraphStore, Row } from '../store/graph-store.js';
import { UnknownContextError } from '../errors.js';
import { STUDIO } from '../vocabulary.js';
import type { PolicyContext, Provision } from '../framers/policy-context.js';
import { CONTEXT_PRINCIPLES, DEFAULT_CONTEXT_ORDER, type ContextPrinciple } from './context-precedence.js';

export interface DeploymentContext {
  readonly iri: string;
  readonly policy: string;
  readonly label: string;
  /** studio:Internal or studio:External. */
  readonly audience: string;
  readonly persona: string;
  /** Conditions that hold in every conversation of the context. */
  readonly assumes: readonly string[];
  /** Audiences those conditions fix (from assumed audience conditions). */
  readonly assumedAudiences: readonly string[];
  /** The order of priorities, first decides first; principles the list leaves out follow in default order. */
  readonly priorities: readonly ContextPrinciple[];
}

const str = (value: Row[string] | undefined): string | undefined => (value === null || value === undefined ? undefined : String(value));

/** The deployment contexts a policy declares, in IRI order. */
export async function readDeploymentContexts(store: GraphStore, policy: string): Promise<DeploymentContext[]> {
  const [rows, priorityRows] = await Promise.all([store.namedQuery('deployment-contexts', { policy }), store.namedQuery('deployment-context-priorities', { policy })]);
  const contexts = new Map<string, { iri: string; label: string; audience: string; persona: string; assumes: string[]; assumedAudiences: string[] }>();
  for (const row of rows) {
    const iri = String(row.context);
    const entry = contexts.get(iri) ?? { iri, label: str(row.label) ?? iri, audience: str(row.audience) ?? '', persona: str(row.persona) ?? '', assumes: [], assumedAudiences: [] };
    const assumes = str(row.assumes);
    if (assumes && !entry.assumes.includes(assumes)) entry.assumes.push(assumes);
    const audience = str(row.assumedAudience);
    if (audience && !entry.assumedAudiences.includes(audience)) entry.assumedAudiences.push(audience);
    contexts.set(iri, entry);
  }
  const listed = new Map<string, { principle: ContextPrinciple; position: number }[]>();
  for (const row of priorityRows) {
    const principle = principleOfIri(String(row.principle));
    if (!principle) continue; // the shapes refuse anything else; a store loaded without validation gets the default for it
    const list = listed.get(String(row.context)) ?? [];
    list.push({ principle, position: Number(row.position) });
    listed.set(String(row.context), list);
  }
  return [...contexts.values()]
    .sort((a, b) => (a.iri < b.iri ? -1 : a.iri > b.iri ? 1 : 0))
    .map((c) => ({ ...c, policy, priorities: completeOrder((listed.get(c.iri) ?? []).sort((a, b) => a.position - b.position).map((p) => p.principle)) }));
}

/** One declared context; an IRI the policy does not declare is an UnknownContextError listing those it does. */
export async function readDeploymentContext(store: GraphStore, policy: string, context: string): Promise<DeploymentContext> {
  const contexts = await readDeploymentContexts(store, policy);
  const found = contexts.find((c) => c.iri === context);
  if (!found) throw new UnknownContextError(context, contexts.map((c) => c.iri));
  return found;
}

/** The listed principles, each once, then those left out in default order. */
export function completeOrder(listed: readonly ContextPrinciple[]): ContextPrinciple[] {
  const order = [...new Set(listed)];
  for (const principle of DEFAULT_CONTEXT_ORDER) if (!order.includes(principle)) order.push(principle);
  return order;
}

/** The principle a studio IRI names (studio:Caution -> caution). */
export function principleOfIri(iri: string): ContextPrinciple | undefined {
  if (!iri.startsWith(STUDIO)) return undefined;
  const local = iri.slice(STUDIO.length);
  const name = local[0]!.toLowerCase() + local.slice(1);
  return (CONTEXT_PRINCIPLES as readonly string[]).includes(name) ? (name as ContextPrinciple) : undefined;
}

/**
 * Whether a provision can apply in the context: not when one of its
 * conditions is an audience condition for an audience other than the one the
 * context assumes (a staff-only rule in the customer assistant).
 */
export function appliesInContext(provision: Provision, policy: PolicyContext, context: DeploymentContext): boolean {
  if (context.assumedAudiences.length === 0) return true;
  for (const iri of provision.condition) {
    const condition = policy.conditions.get(iri);
    if (condition?.type === 'AudienceCondition' && condition.audience && !context.assumedAudiences.includes(condition.audience)) return false;
  }
  return true;
}
