/**
 * The rule list's index: every rule of every loaded policy, in IRI order, with
 * the fields GET /v1/rules filters on, read once per set of loaded policy
 * versions (named queries rule-index and section-parents) and then paged and
 * counted in memory. A page of the rules query costs oxigraph a sort of every
 * rule and the count a second pass (hundreds of milliseconds at 10k rules);
 * from the index a page is a binary search and a scan, whatever the answer
 * cache holds. The filters mean what the rules and rules-count queries mean
 * (tests/api/rule-index.test.ts compares them on both stores).
 */

import type { GraphStore, Row } from '../store/graph-store.js';
import { compareCodePoints } from '../store/oxigraph-store.js';

export interface RuleFilters {
  readonly byKind: string;
  readonly bySection: string;
  readonly byBearer: string;
  readonly byPolicy: string;
}

export class RuleIndex {
  /** Rows in IRI order (as SPARQL orders IRIs). */
  private readonly rows: readonly Row[];
  /** Each resource's parents (studio:partOf). */
  private readonly parents = new Map<string, string[]>();
  /** What lies within each section asked for so far (itself, and what is part of it at any depth). */
  private readonly within = new Map<string, ReadonlySet<string>>();

  constructor(rows: readonly Row[], parents: readonly Row[]) {
    this.rows = [...rows].sort((a, b) => compareCodePoints(String(a.rule), String(b.rule)));
    for (const p of parents) {
      const list = this.parents.get(String(p.section));
      if (list) list.push(String(p.parent));
      else this.parents.set(String(p.section), [String(p.parent)]);
    }
  }

  /** The rows after `after` that pass the filters, at most `limit`, and how many pass in all. */
  page(filters: RuleFilters, after: string, limit: number): { rows: Row[]; total: number } {
    const passes = this.filter(filters);
    let total = 0;
    for (const row of this.rows) if (passes(row)) total++;
    const rows: Row[] = [];
    for (let i = after ? this.firstAfter(after) : 0; i < this.rows.length && rows.length < limit; i++) if (passes(this.rows[i]!)) rows.push(this.rows[i]!);
    return { rows, total };
  }

  /** Every row that passes the filters, in order. */
  all(filters: RuleFilters): Row[] {
    return this.rows.filter(this.filter(filters));
  }

  private filter({ byKind, bySection, byBearer, byPolicy }: RuleFilters): (row: Row) => boolean {
    const sections = bySection ? this.sectionsWithin(bySection) : undefined;
    return (row) => (!byKind || row.kind === byKind) && (!byPolicy || row.policy === byPolicy) && (!byBearer || row.bearer === byBearer) && (!sections || sections.has(String(row.section)));
  }

  /** The first index whose rule sorts after `after`. */
  private firstAfter(after: string): number {
    let [low, high] = [0, this.rows.length];
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareCodePoints(String(this.rows[middle]!.rule), after) > 0) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /** The rules' sections that are the one given or lie within it (studio:partOf*, as the rules query walks it). */
  private sectionsWithin(section: string): ReadonlySet<string> {
    let found = this.within.get(section);
    if (found) return found;
    const inside = new Set<string>();
    for (const row of this.rows) {
      const start = String(row.section);
      if (inside.has(start)) continue;
      // Up the partOf chain from the rule's section: is the section asked for on it?
      const seen = new Set<string>();
      const stack = [start];
      while (stack.length > 0) {
        const s = stack.pop()!;
        if (s === section) {
          inside.add(start);
          break;
        }
        if (seen.has(s)) continue;
        seen.add(s);
        stack.push(...(this.parents.get(s) ?? []));
      }
    }
    found = inside;
    // A few sections are asked for again and again (the tree's links); keep the answers for this version only.
    if (this.within.size > 1000) this.within.clear();
    this.within.set(section, found);
    return found;
  }
}

/**
 * The index of the loaded versions: built on the first request after a load,
 * replace or removal (which the policies' SHA-256s tell), shared by the
 * requests that come while it is built.
 */
export class RuleIndexes {
  private current: { key: string; index: Promise<RuleIndex> } | undefined;

  constructor(private readonly store: GraphStore) {}

  async index(): Promise<RuleIndex> {
    const key = (await this.store.listPolicies())
      .map((p) => `${p.policy} ${p.sha256}`)
      .sort()
      .join('\n');
    if (this.current?.key !== key) {
      const index = Promise.all([this.store.namedQuery('rule-index'), this.store.namedQuery('section-parents')]).then(([rows, parents]) => new RuleIndex(rows, parents));
      this.current = { key, index };
      // A failed read (a deadline) is not kept: the next request tries again.
      index.catch(() => {
        if (this.current?.index === index) this.current = undefined;
      });
    }
    return this.current.index;
  }
}
