/**
 * Rules suggested for a test case that names none: the policy's actions,
 * assets, roles and parties the case mentions (by label or skos:altLabel),
 * and the rules that use the most of them. A suggestion is only a
 * suggestion: the user confirms it (--accept-suggestions, or a mapping
 * file they edit).
 */

import type { GraphStore } from '../../store/graph-store.js';
import { RULE_KINDS, type PolicyContext, type Provision } from '../../framers/policy-context.js';
import type { Message } from '../../framers/templates.js';

/** A term's names, longest first, as a case may mention them. */
export type TermNames = ReadonlyMap<string, readonly string[]>;

export interface Suggestion {
  readonly rules: readonly string[];
  /** The names found in the case that led to the rules. */
  readonly because: readonly string[];
}

/** The names of the policy's actions, assets, roles and parties. */
export async function readTermNames(store: GraphStore, policy: string): Promise<TermNames> {
  const names = new Map<string, string[]>();
  for (const row of await store.namedQuery('suite-import-term-names', { policy })) {
    const list = names.get(String(row.term)) ?? [];
    list.push(String(row.name));
    names.set(String(row.term), list);
  }
  for (const list of names.values()) list.sort((a, b) => b.length - a.length);
  return names;
}

/** A name found as whole words (a plural -s or -es allowed), any case. */
function mentions(text: string, name: string): boolean {
  const words = name.trim().split(/\s+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (words.length === 0 || words[0] === '') return false;
  return new RegExp(`(?<![\\p{L}\\p{N}])${words.join('\\s+')}(?:e?s)?(?![\\p{L}\\p{N}])`, 'iu').test(text);
}

/** The rules (obligations, prohibitions, permissions) that use the most of the terms the user's turns mention; none when no term is mentioned. */
export function suggestRules(messages: readonly Message[], context: PolicyContext, names: TermNames): Suggestion {
  const text = messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n');
  const found = new Map<string, string>();
  for (const [term, list] of names) {
    const name = list.find((n) => mentions(text, n));
    if (name) found.set(term, name);
  }
  if (found.size === 0) return { rules: [], because: [] };
  const used = (p: Provision) => new Set([...p.action, ...p.target, ...p.bearer, ...p.counterparty]);
  let best = 0;
  let rules: string[] = [];
  for (const p of context.provisions) {
    if (!RULE_KINDS.includes(p.kind)) continue;
    const terms = used(p);
    const score = [...found.keys()].filter((t) => terms.has(t)).length;
    if (score === 0 || score < best) continue;
    if (score > best) rules = [];
    best = score;
    rules.push(p.iri);
  }
  const because = [...found].filter(([t]) => rules.some((r) => used(context.provision.get(r)!).has(t))).map(([, n]) => n);
  return { rules: rules.sort(), because: because.sort() };
}
