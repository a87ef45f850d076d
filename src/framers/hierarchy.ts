/**
 * Entities drawn from the term hierarchies (studio:broader). A rule about an
 * employee binds a manager and an intern too, and a rule about confidential
 * information covers a trade secret: so a scenario for the rule may name the
 * rule's own term or any narrower one. Which one is a seeded hash of the
 * rule, the template and the slot, so it never depends on other rules (adding
 * a rule leaves every other item's IRI alone); a coverage sweep afterwards
 * adds items for the terms the hash left out.
 */

import crypto, { createHash } from 'node:crypto';
import type { PolicyContext } from './policy-context.js';

export class Hierarchy {
  private readonly descendantsMemo = new Map<string, readonly string[]>();
  private readonly ancestorsMemo = new Map<string, ReadonlySet<string>>();

  constructor(private readonly context: PolicyContext) {}

  /** The term and every narrower term, the term first, the rest in IRI order. */
  descendants(term: string): readonly string[] {
    let found = this.descendantsMemo.get(term);
    if (found) return found;
    const seen = new Set<string>([term]);
    const stack = [...(this.context.narrower.get(term) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next)) continue; // a cycle in broader is an authoring mistake, not a reason to hang
      seen.add(next);
      stack.push(...(this.context.narrower.get(next) ?? []));
    }
    found = [term, ...[...seen].filter((t) => t !== term).sort()];
    this.descendantsMemo.set(term, found);
    return found;
  }

  /** The term's broader terms, transitively, without the term itself. */
  ancestors(term: string): ReadonlySet<string> {
    let found = this.ancestorsMemo.get(term);
    if (found) return found;
    const seen = new Set<string>();
    const stack = [...(this.context.terms.get(term)?.broader ?? [])];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next) || next === term) continue;
      seen.add(next);
      stack.push(...(this.context.terms.get(next)?.broader ?? []));
    }
    this.ancestorsMemo.set(term, seen);
    return seen;
  }

  /** True when `term` is `top` or narrower than it. */
  isUnder(term: string, top: string): boolean {
    return term === top || this.ancestors(term).has(top);
  }

  /**
   * What two terms have in common: the narrower of the two when one lies
   * within the other; else the broadest terms that lie within both (an
   * executive board member is both an employee and a board member); empty
   * when nothing lies within both (siblings share nothing a sentence can name).
   */
  meet(a: string, b: string): readonly string[] {
    if (this.isUnder(a, b)) return [a];
    if (this.isUnder(b, a)) return [b];
    const both = this.descendants(a).filter((t) => this.isUnder(t, b));
    const shared = new Set(both);
    return both.filter((t) => ![...this.ancestors(t)].some((up) => shared.has(up)));
  }

  /** A seeded choice among the term and its narrower terms. */
  pick(term: string, key: string): string {
    const candidates = this.descendants(term);
    return candidates.length === 1 ? term : candidates[hashIndex(key, candidates.length)]!;
  }

  /** The label of a term, or its local name when it has none. */
  label(term: string): string {
    return this.context.terms.get(term)?.label ?? term.slice(Math.max(term.lastIndexOf('#'), term.lastIndexOf('/')) + 1);
  }
}

/** A number in [0, n) from a key: stable across runs and machines. */
export function hashIndex(key: string, n: number): number {
  if (n <= 1) return 0;
  // FNV-1a: cheap, and good enough to spread choices; IRIs use SHA-256.
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % n;
}

/** SHA-256 of a string, hex. */
export function sha256(text: string): string {
  // The one-shot form where Node has it (20.12 on): about twice as quick for short keys as a Hash object.
  return oneShot ? oneShot('sha256', text, 'hex') : createHash('sha256').update(text).digest('hex');
}
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
