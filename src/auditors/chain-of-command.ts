/**
 * The chain of command of an audit case: whose word the answer must follow
 * (the suite's metadata.follows) and whose word it must not (the party of the
 * rule the conflict's winner overrides). The suite names the first; the
 * second comes from the graph, since the suite carries rules, not their
 * sources.
 */

import type { PolicyContext } from '../framers/policy-context.js';
import { sourceName } from '../conflicts/precedence.js';
import { STUDIO } from '../vocabulary.js';
import type { AuditCase } from './verdict.js';

/** The source a rule speaks for when no instruction triggers it: the spec itself. */
export const PLATFORM_SOURCE = `${STUDIO}PlatformSource`;

/**
 * The case with `against` filled in: the party of the first of its other rules (the overridden one, as
 * chain-of-command scenarios list them: winner, then loser), its studio:instructedBy, else the platform.
 * A case that names no party to follow, or whose rules the graph does not know, is returned as it is.
 */
export function withChainOfCommand(c: AuditCase, context: Pick<PolicyContext, 'provision'>): AuditCase {
  if (!c.follows || c.against) return c;
  const loser = c.rules.slice(1).map((iri) => context.provision.get(iri)).find((p) => p !== undefined);
  if (!loser) return c;
  const against = loser.instructedBy[0] ?? PLATFORM_SOURCE;
  return against === c.follows ? c : { ...c, against };
}

/** A message source as a verdict names it: "the developer", "a tool or quoted content". */
export function partyName(iri: string): string {
  return sourceName(iri);
}

/** A source given by local name (DeveloperSource) or IRI, as its IRI. */
export function sourceIri(name: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(name) ? name : `${STUDIO}${name}`;
}
