/**
 * Which bearers can be the same person, computed once per detection from the
 * policy's role taxonomy (the bearer-ancestry named query) rather than by the
 * conflicts queries for each candidate pair (42,000 walks of two taxonomies
 * at 100k rules, where the taxonomy has a few hundred terms). The pairs are
 * handed to the conflicts query as its `bearers` table (exception-conflicts
 * still tests bearers itself: its Cypher twin was slower with the table).
 *
 * Two bearers are disjoint, and no rule of one can conflict with a rule of the
 * other, when neither is the other nor lies under it (studio:broader) and some
 * term at or above one is declared disjoint (studio:disjointWith, either way)
 * with some term at or above the other. Every other pair, in both orders, is
 * in the table.
 */

import type { GraphStore } from '../store/graph-store.js';

/** A row of the conflicts queries' `bearers` table. */
export type BearerPair = { readonly prohibitionBearer: string; readonly permissiveBearer: string };

/** What the taxonomy says of one bearer. */
interface Ancestry {
  /** The bearer and every term above it. */
  readonly ancestors: Set<string>;
  /** Every term declared disjoint with one of those. */
  readonly disjoint: Set<string>;
}

/**
 * The pairs of bearers that are not disjoint, among the bearers of every loaded policy (what two terms are to
 * each other does not depend on the policy that names them). Their number grows with the square of the
 * bearers that no declared disjointness separates: 3,613 of 116,281 for the 341 roles of the 100k-rule
 * benchmark policy.
 */
export async function bearerPairs(store: GraphStore): Promise<BearerPair[]> {
  const byBearer = new Map<string, Ancestry>();
  for (const row of await store.namedQuery('bearer-ancestry')) {
    const bearer = String(row.bearer);
    let ancestry = byBearer.get(bearer);
    if (!ancestry) byBearer.set(bearer, (ancestry = { ancestors: new Set(), disjoint: new Set() }));
    ancestry.ancestors.add(String(row.ancestor));
    if (row.disjoint !== null && row.disjoint !== undefined) ancestry.disjoint.add(String(row.disjoint));
  }
  const pairs: BearerPair[] = [];
  for (const [prohibitionBearer, p] of byBearer) {
    for (const [permissiveBearer, q] of byBearer) {
      if (!disjoint(prohibitionBearer, p, permissiveBearer, q)) pairs.push({ prohibitionBearer, permissiveBearer });
    }
  }
  return pairs;
}

/** The same term, or one under the other, is never disjoint; else, declared disjointness at or above both. */
function disjoint(a: string, p: Ancestry, b: string, q: Ancestry): boolean {
  if (p.ancestors.has(b) || q.ancestors.has(a)) return false;
  for (const term of p.disjoint) if (q.ancestors.has(term)) return true;
  return false;
}
