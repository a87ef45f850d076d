/**
 * The rule list's index gives the pages and counts the rules and rules-count
 * queries give, for every filter a user can set on the sample policies (each
 * kind, section, bearer and policy, and combinations), on both stores, and is
 * read again only when a loaded version changes.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore, Row } from '../../src/store/graph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { RuleIndex, RuleIndexes, type RuleFilters } from '../../src/api/rule-index.js';
import { neo4jAvailable } from '../helpers/neo4j.js';
import { storeEngines } from '../helpers/both-stores.js';
import { MINI, SAMPLE_POLICIES } from '../store/store-spec.js';

const POLICIES = [MINI, ...SAMPLE_POLICIES, 'policies/gifts-code.ttl'];
const NONE: RuleFilters = { byKind: '', bySection: '', byBearer: '', byPolicy: '' };

describe.each(storeEngines(await neo4jAvailable()))('the rule index on the %s store', (_engine, open) => {
  let store: GraphStore;
  let index: RuleIndex;
  beforeAll(async () => {
    store = await open();
    for (const file of POLICIES) await store.loadPolicy(await readTurtle(file));
    index = await new RuleIndexes(store).index();
  }, 120_000);
  afterAll(() => store?.close());

  /** Every page of the rules query for the filters, and its count. */
  async function byQueries(filters: RuleFilters): Promise<{ rules: string[]; total: number }> {
    const rules: string[] = [];
    for (let after = ''; ; ) {
      const rows = await store.namedQuery('rules', { ...filters, after });
      rules.push(...rows.slice(0, 500).map((r) => String(r.rule)));
      if (rows.length <= 500) break;
      after = String(rows[499]!.rule);
    }
    return { rules, total: Number((await store.namedQuery('rules-count', { ...filters }))[0]?.rules ?? 0) };
  }

  function byIndex(filters: RuleFilters, pageSize: number): { rules: string[]; total: number } {
    const rules: string[] = [];
    let total = -1;
    for (let after = ''; ; ) {
      const page = index.page(filters, after, pageSize + 1);
      total = page.total;
      rules.push(...page.rows.slice(0, pageSize).map((r) => String(r.rule)));
      if (page.rows.length <= pageSize) break;
      after = String(page.rows[pageSize - 1]!.rule);
    }
    return { rules, total };
  }

  it('pages and counts as the queries do, for each kind, section, bearer and policy, alone and together', async () => {
    const all = index.all(NONE);
    expect(all.length).toBeGreaterThan(300);
    const values = (column: string) => [...new Set(all.map((r: Row) => String(r[column])))].sort();
    // Sections as the tree links them: the rules' own, and each section or regulation they are part of.
    const parents = await store.namedQuery('section-parents');
    const sections = [...new Set([...values('section'), ...parents.map((p) => String(p.parent))])];
    const cases: RuleFilters[] = [
      NONE,
      ...['Obligation', 'Prohibition', 'Permission', 'Recommendation'].map((byKind) => ({ ...NONE, byKind })),
      ...values('policy').map((byPolicy) => ({ ...NONE, byPolicy })),
      ...values('bearer').map((byBearer) => ({ ...NONE, byBearer })),
      ...sections.map((bySection) => ({ ...NONE, bySection })),
      ...sections.slice(0, 20).map((bySection) => ({ ...NONE, bySection, byKind: 'Prohibition' })),
      { ...NONE, byPolicy: String(all[0]!.policy), byBearer: String(all[0]!.bearer), byKind: String(all[0]!.kind) },
      { ...NONE, bySection: 'https://example.org/nowhere#section' },
    ];
    expect(cases.length).toBeGreaterThan(60);
    let nonEmpty = 0;
    for (const filters of cases) {
      const expected = await byQueries(filters);
      const got = byIndex(filters, 37);
      expect(got, JSON.stringify(filters)).toEqual(expected);
      if (expected.total > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(cases.length / 2);
  }, 120_000);

  it('starts a page after any cursor, a rule of the list or not', () => {
    const all = index.all(NONE).map((r) => String(r.rule));
    const middle = all[Math.floor(all.length / 2)]!;
    expect(index.page(NONE, middle, 3).rows.map((r) => String(r.rule))).toEqual(all.slice(all.indexOf(middle) + 1, all.indexOf(middle) + 4));
    expect(index.page(NONE, `${middle}~`, 1).rows.map((r) => r.rule)).toEqual(all.filter((r) => r > `${middle}~`).slice(0, 1));
    expect(index.page(NONE, all[all.length - 1]!, 10).rows).toEqual([]);
  });
});

describe('the rule indexes of a store', () => {
  it('are read again only when a loaded version changes', async () => {
    const { EmbeddedStore } = await import('../../src/store/oxigraph-store.js');
    const store = await EmbeddedStore.open();
    try {
      await store.loadPolicy(await readTurtle(MINI));
      let reads = 0;
      const counting: GraphStore = Object.assign(Object.create(store) as GraphStore, {
        namedQuery: (name: string, params?: Record<string, string>) => {
          if (name === 'rule-index') reads++;
          return store.namedQuery(name, params);
        },
      });
      const indexes = new RuleIndexes(counting);
      const first = await indexes.index();
      expect(await indexes.index()).toBe(first);
      expect(reads).toBe(1);
      await store.loadPolicy(await readTurtle('policies/gifts-code.ttl'));
      const second = await indexes.index();
      expect(second).not.toBe(first);
      expect(reads).toBe(2);
      expect(second.all(NONE).length).toBeGreaterThan(first.all(NONE).length);
    } finally {
      await store.close();
    }
  });
});
