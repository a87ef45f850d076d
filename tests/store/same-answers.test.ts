/**
 * Every named query exists for both engines and gives identical answers on
 * the sample policies, for every rule and section they hold.
 */

import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore, Row } from '../../src/store/graph-store.js';
import { namedQueryNames, loadNamedQuery } from '../../src/store/named-queries.js';
import { neo4jAvailable } from '../helpers/neo4j.js';
import { openBothStores } from '../helpers/both-stores.js';
import { detectConflicts } from '../../src/conflicts/detect.js';
import { bearerPairs } from '../../src/conflicts/bearer-pairs.js';
import { writeConflicts } from '../../src/conflicts/conflict-graph.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { generateForPolicy } from '../../src/framers/generation-run.js';
import { MINI, SAMPLE_POLICIES } from './store-spec.js';

const available = await neo4jAvailable();

function sorted(rows: readonly Row[]): string[] {
  return rows.map((row) => JSON.stringify(Object.entries(row).sort(([a], [b]) => a.localeCompare(b)))).sort();
}

describe('named query twins', () => {
  it('every SPARQL named query has a Cypher twin with the same parameters, and back', async () => {
    const sparql = await namedQueryNames('sparql');
    expect(await namedQueryNames('cypher')).toEqual(sparql);
    for (const name of sparql) {
      const [a, b] = [await loadNamedQuery(name, 'sparql'), await loadNamedQuery(name, 'cypher')];
      expect([...b.params], name).toEqual([...a.params]);
      expect(b.purpose, name).toBe(a.purpose);
    }
    expect((await readdir('cypher')).filter((f) => f.endsWith('.cypher'))).toContain('schema.cypher');
  });
});

describe.runIf(available)('identical answers on both stores', () => {
  let embedded: GraphStore;
  let graph: GraphStore;
  beforeAll(async () => {
    [embedded, graph] = await openBothStores([MINI, ...SAMPLE_POLICIES]);
  }, 120_000);
  afterAll(async () => {
    await embedded?.close();
    await graph?.close();
  });

  async function rowsOf(sparql: string): Promise<readonly Row[]> {
    const answer = await embedded.query(sparql);
    if (answer.kind !== 'rows') throw new Error('expected rows');
    return answer.rows;
  }

  async function bothAnswer(name: string, params: Record<string, string> = {}): Promise<Row[]> {
    const [a, b] = await Promise.all([embedded.namedQuery(name, params), graph.namedQuery(name, params)]);
    expect(sorted(b), `${name} ${JSON.stringify(params)}`).toEqual(sorted(a));
    return a;
  }

  /** The conflicts query with each store's own bearer pairs (from its bearer-ancestry answer, itself compared). */
  async function bothConflicts(byPolicy: string): Promise<Row[]> {
    const ancestry = await bothAnswer('bearer-ancestry');
    expect(ancestry.length).toBeGreaterThan(0);
    const [pairsA, pairsB] = await Promise.all([bearerPairs(embedded), bearerPairs(graph)]);
    const [a, b] = await Promise.all([embedded.namedQuery('conflicts', { byPolicy, bearers: pairsA }), graph.namedQuery('conflicts', { byPolicy, bearers: pairsB })]);
    expect(sorted(b), `conflicts ${byPolicy}`).toEqual(sorted(a));
    return a;
  }

  it('conflicts, documented-conflicts and exception-defects, for all policies and each', async () => {
    const policies = (await embedded.listPolicies()).map((p) => p.policy);
    let conflicts = 0;
    for (const byPolicy of ['', ...policies]) {
      conflicts += (await bothConflicts(byPolicy)).length;
      await bothAnswer('documented-conflicts', { byPolicy });
      await bothAnswer('exception-defects', { byPolicy });
      await bothAnswer('exception-conflicts', { byPolicy });
      await bothAnswer('exceptions-overridden', { byPolicy });
    }
    expect(conflicts).toBeGreaterThan(10);
  }, 120_000);

  it('rule-summary', async () => {
    const rows = await bothAnswer('rule-summary');
    expect(rows.length).toBeGreaterThan(50);
  });

  it('rule-context for every rule', async () => {
    const rules = await rowsOf('SELECT DISTINCT ?r WHERE { ?r a ?k VALUES ?k { <https://w3id.org/alignment-studio/ns#Obligation> <https://w3id.org/alignment-studio/ns#Prohibition> <https://w3id.org/alignment-studio/ns#Permission> } }');
    expect(rules.length).toBeGreaterThan(300);
    for (const { r } of rules) await bothAnswer('rule-context', { rule: String(r) });
  }, 120_000);

  it('rules-by-section for every section and regulation', async () => {
    const sections = await rowsOf('SELECT DISTINCT ?s WHERE { { ?s a <https://w3id.org/alignment-studio/ns#Section> } UNION { ?s a <https://w3id.org/alignment-studio/ns#Regulation> } }');
    expect(sections.length).toBeGreaterThan(100);
    for (const { s } of sections) await bothAnswer('rules-by-section', { section: String(s) });
  }, 120_000);

  it('exceptions-of-rule for every rule that has exceptions', async () => {
    const rules = await rowsOf('SELECT DISTINCT ?r WHERE { ?e <https://w3id.org/alignment-studio/ns#exceptionTo> ?r }');
    expect(rules.length).toBeGreaterThan(20);
    let nested = 0;
    for (const { r } of rules) nested += (await bothAnswer('exceptions-of-rule', { rule: String(r) })).filter((row) => row.depth === 2).length;
    expect(nested).toBeGreaterThan(0);
  }, 120_000);

  it('rule for every rule and every section', async () => {
    const iris = await rowsOf('SELECT DISTINCT ?r WHERE { { ?r a <https://w3id.org/alignment-studio/ns#Section> } UNION { ?r <https://w3id.org/alignment-studio/ns#section> ?s } }');
    expect(iris.length).toBeGreaterThan(400);
    let rules = 0;
    for (const { r } of iris) rules += (await bothAnswer('rule', { rule: String(r) })).length;
    expect(rules).toBeGreaterThan(300);
  }, 120_000);

  it('rules and rules-count for each filter, in the same order, page by page', async () => {
    const S = 'https://w3id.org/alignment-studio/ns#';
    const any = { byKind: '', bySection: '', byBearer: '', byPolicy: '' };
    const filters: Record<string, string>[] = [
      any,
      ...['Obligation', 'Prohibition', 'Permission'].map((byKind) => ({ ...any, byKind })),
      ...(await rowsOf(`SELECT DISTINCT ?s WHERE { { ?s a <${S}Section> } UNION { ?s a <${S}Regulation> } } ORDER BY ?s LIMIT 60`)).map(({ s }) => ({ ...any, bySection: String(s) })),
      ...(await rowsOf(`SELECT DISTINCT ?b WHERE { ?r <${S}bearer> ?b }`)).map(({ b }) => ({ ...any, byBearer: String(b) })),
      ...(await rowsOf(`SELECT DISTINCT ?p WHERE { ?p a <${S}Policy> }`)).map(({ p }) => ({ ...any, byPolicy: String(p) })),
      { ...any, byKind: 'Prohibition', byBearer: `${S}Employee` },
      { ...any, byBearer: "https://example.org/mini#x')DETACH DELETE n //" },
    ];
    for (const filter of filters) {
      const [count] = await bothAnswer('rules-count', filter);
      let after = '';
      let seen = 0;
      for (;;) {
        const [a, b] = await Promise.all([embedded.namedQuery('rules', { ...filter, after }), graph.namedQuery('rules', { ...filter, after })]);
        expect(b, JSON.stringify({ ...filter, after })).toEqual(a);
        seen += Math.min(a.length, 500);
        if (a.length <= 500) break;
        after = String(a[499]!.rule);
      }
      expect(seen, JSON.stringify(filter)).toBe(count!.rules);
    }
  }, 120_000);

  // Last: it records conflicts in both stores, which the tests above do not expect.
  it('conflicts-of-rule for every rule in a recorded conflict, and for one in none', async () => {
    for (const store of [embedded, graph]) await writeConflicts(store, await detectConflicts(store));
    const rules = await rowsOf('SELECT DISTINCT ?r WHERE { ?c a <https://w3id.org/alignment-studio/ns#DetectedConflict> ; <https://w3id.org/alignment-studio/ns#between> ?r }');
    expect(rules.length).toBeGreaterThan(20);
    const rows: Row[] = [];
    for (const { r } of rules) rows.push(...(await bothAnswer('conflicts-of-rule', { rule: String(r) })));
    expect(rows.filter((row) => row.winner !== null && row.reason !== null).length).toBeGreaterThan(0);
    expect(rows.filter((row) => row.winner === null && row.principle === null).length).toBeGreaterThan(0);
    expect(rows.filter((row) => row.documented !== null).length).toBeGreaterThan(0);
    expect(await bothAnswer('conflicts-of-rule', { rule: 'https://example.org/mini#gifts-001' })).toEqual([]);
  }, 120_000);

  // After the conflicts are recorded, so that the graph has conflict edges too.
  it('graph-sections and graph-section-links for every policy, graph-rule-neighbourhood for every rule, graph-term-neighbourhood for every term they name', async () => {
    let links = 0;
    for (const { policy } of await embedded.listPolicies()) {
      expect((await bothAnswer('graph-sections', { policy })).length).toBeGreaterThan(0);
      links += (await bothAnswer('graph-section-links', { policy })).length;
    }
    expect(links).toBeGreaterThan(5);
    const rules = await rowsOf('SELECT DISTINCT ?r WHERE { ?r a ?k VALUES ?k { <https://w3id.org/alignment-studio/ns#Obligation> <https://w3id.org/alignment-studio/ns#Prohibition> <https://w3id.org/alignment-studio/ns#Permission> } }');
    const relations = new Set<unknown>();
    const terms = new Set<string>();
    for (const { r } of rules)
      for (const row of await bothAnswer('graph-rule-neighbourhood', { rule: String(r) })) {
        relations.add(row.relation);
        if (['bearer', 'action', 'target', 'broader'].includes(String(row.relation))) terms.add(String(row.node));
      }
    expect(terms.size).toBeGreaterThan(50);
    for (const term of terms) await bothAnswer('graph-term-neighbourhood', { term });
    expect(await bothAnswer('graph-term-neighbourhood', { term: 'https://example.org/mini#nothing' })).toEqual([]);
    expect([...relations].sort()).toEqual(['action', 'bearer', 'broader', 'conflict', 'exception', 'referencedBy', 'refersTo', 'target'].concat(relations.has('overrides') ? ['overriddenBy', 'overrides'] : []).sort());
  }, 300_000);

  // After the conflicts are recorded, so that conflict items derive from rules too.
  it('generated-items-of-rule for every rule, after generating the same data in both stores, and for a rule with none', async () => {
    const library = await TemplateLibrary.load();
    for (const { policy } of await embedded.listPolicies()) {
      for (const store of [embedded, graph]) await generateForPolicy(store, policy, library, { seed: 5 });
    }
    const rules = await rowsOf('SELECT DISTINCT ?r WHERE { ?r a ?k VALUES ?k { <https://w3id.org/alignment-studio/ns#Obligation> <https://w3id.org/alignment-studio/ns#Prohibition> <https://w3id.org/alignment-studio/ns#Permission> } }');
    const rows: Row[] = [];
    for (const { r } of rules) rows.push(...(await bothAnswer('generated-items-of-rule', { rule: String(r) })));
    expect(new Set(rows.map((row) => row.family)).size).toBeGreaterThan(8);
    expect(rows.filter((row) => row.label !== null).length).toBeGreaterThan(100);
    expect(rows.every((row) => typeof row.items === 'number' && row.items > 0)).toBe(true);
    expect(await bothAnswer('generated-items-of-rule', { rule: 'https://example.org/mini#no-such-rule' })).toEqual([]);
  }, 300_000);

  // After generated-items-of-rule, which generated the same data into both stores.
  it('report-rules, report-sections and report-items for every policy', async () => {
    for (const { policy } of await embedded.listPolicies()) {
      expect((await bothAnswer('report-rules', { policy })).length, policy).toBeGreaterThan(3);
      expect((await bothAnswer('report-sections', { policy })).length, policy).toBeGreaterThan(1);
      expect((await bothAnswer('report-items', { policy })).length, policy).toBeGreaterThan(10);
    }
  }, 240_000);

  // After conflicts were recorded and data generated in both stores.
  it('derived-from-version for every policy: its conflict detection and generation name the version loaded', async () => {
    for (const { policy, sha256 } of await embedded.listPolicies()) {
      const rows = await bothAnswer('derived-from-version', { policy });
      expect(new Set(rows.map((row) => row.kind)), policy).toEqual(new Set(['ConflictDetection', 'GenerationActivity']));
      expect(rows.every((row) => row.version === sha256), policy).toBe(true);
    }
    expect(await bothAnswer('derived-from-version', { policy: 'https://example.org/mini#no-such-policy' })).toEqual([]);
  }, 60_000);
});

// Issue 23: exceptions to several rules and to definitions, notwithstanding, agencies, rate thresholds.
describe.runIf(available)('identical answers on both stores for issue 23 policies', () => {
  it('exception-conflicts, exceptions-overridden, exception-defects, conflicts and the generation queries', async () => {
    const [embedded, graph] = await openBothStores(['policies/gifts-code.ttl', 'tests/fixtures/wide-exceptions-policy.ttl']);
    try {
      const policies = (await embedded.listPolicies()).map((p) => p.policy);
      let exceptionConflicts = 0;
      let overridden = 0;
      for (const byPolicy of ['', ...policies]) {
        const [pairsA, pairsB] = await Promise.all([bearerPairs(embedded), bearerPairs(graph)]);
        for (const name of ['conflicts', 'exception-defects', 'exception-conflicts', 'exceptions-overridden']) {
          const [paramsA, paramsB] = name === 'conflicts' ? [{ byPolicy, bearers: pairsA }, { byPolicy, bearers: pairsB }] : [{ byPolicy }, { byPolicy }];
          const [a, b] = await Promise.all([embedded.namedQuery(name, paramsA), graph.namedQuery(name, paramsB)]);
          expect(sorted(b), `${name} ${byPolicy}`).toEqual(sorted(a));
          if (name === 'exception-conflicts') exceptionConflicts += a.length;
          if (name === 'exceptions-overridden') overridden += a.length;
        }
      }
      expect(exceptionConflicts).toBeGreaterThan(50);
      expect(overridden).toBeGreaterThan(50);
      for (const policy of policies) {
        for (const name of ['generation-conditions', 'generation-terms', 'generation-relations', 'coverage-exceptions-without-boundary-pairs']) {
          const [a, b] = await Promise.all([embedded.namedQuery(name, { policy }), graph.namedQuery(name, { policy })]);
          expect(sorted(b), `${name} ${policy}`).toEqual(sorted(a));
        }
        // The -of twins, given every other provision of the policy: the same rows on both stores, and those of the whole queries.
        const provisions = [...new Set((await embedded.namedQuery('generation-provisions', { policy })).map((r) => String(r.provision)))].filter((_, i) => i % 2 === 0).map((provision) => ({ provision }));
        for (const name of ['generation-provisions-of', 'generation-relations-of']) {
          const [a, b] = await Promise.all([embedded.namedQuery(name, { policy, provisions }), graph.namedQuery(name, { policy, provisions })]);
          expect(a.length, `${name} ${policy}`).toBeGreaterThan(0);
          expect(sorted(b), `${name} ${policy}`).toEqual(sorted(a));
        }
      }
    } finally {
      await embedded.close();
      await graph.close();
    }
  }, 180_000);
});
