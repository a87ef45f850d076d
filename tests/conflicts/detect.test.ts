/**
 * Conflict detection on both stores: the conflicts the sample policies
 * document are found and resolved as documented, each defect kind is found,
 * near misses are not reported, and conflicts become nodes in the graph.
 */

import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/store/graph-store.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { Neo4jStore } from '../../src/store/neo4j-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { detectConflicts, unresolved } from '../../src/conflicts/detect.js';
import { writeConflicts } from '../../src/conflicts/conflict-graph.js';
import { PolicyNotLoadedError } from '../../src/errors.js';
import { NEO4J, neo4jAvailable, wipeNeo4j } from '../helpers/neo4j.js';
import { SAMPLE_POLICIES, sourceOf } from '../store/store-spec.js';

const S = 'https://w3id.org/alignment-studio/ns#';
const K = 'https://example.org/kestrel/bcg#';
const D = 'https://example.org/defects#';
const available = await neo4jAvailable();

const engines: [string, () => Promise<GraphStore>, string][] = [
  ['embedded', () => EmbeddedStore.open(), `SELECT ?conflict ?winner ?principle WHERE { ?conflict a <${S}DetectedConflict> . OPTIONAL { ?conflict <${S}resolution> ?r . ?r <${S}winner> ?winner ; <${S}decidedBy> ?principle } }`],
];
if (available) {
  engines.push([
    'neo4j',
    async () => {
      await wipeNeo4j();
      return Neo4jStore.open(NEO4J);
    },
    'MATCH (c:DetectedConflict) OPTIONAL MATCH (c)-[:RESOLUTION]->(r)-[:WINNER]->(w), (r)-[:DECIDED_BY]->(p) RETURN c.uri AS conflict, w.uri AS winner, p.uri AS principle',
  ]);
}

describe.each(engines)('conflict detection on the %s store', (_engine, open, writtenQuery) => {
  let store: GraphStore;
  beforeEach(async () => {
    store = await open();
  }, 60_000);
  afterEach(async () => {
    await store.close();
  });

  it('finds every documented conflict of the sample policies and resolves it as documented', async () => {
    for (const file of SAMPLE_POLICIES) await store.loadPolicy(await readTurtle(file));
    const report = await detectConflicts(store);
    expect(report.documented.filter((d) => d.status !== 'agrees')).toEqual([]);
    const documented = report.documented.map((d) => d.iri.replace(/^https:\/\/example\.org\/(\w+)\/.*#/, '$1:'));
    for (const planted of ['kestrel:conflict-1', 'kestrel:conflict-2', 'kestrel:conflict-3', 'kestrel:conflict-4', 'kestrel:conflict-5', 'harbourline:conflict-1', 'harbourline:conflict-2', 'harbourline:conflict-3']) {
      expect(documented).toContain(planted);
    }
    const byPair = (a: string, b: string) => report.conflicts.find((c) => c.prohibition === `${K}${a}` && c.permissive === `${K}${b}`);
    expect(byPair('conf-001', 'rep-018')).toMatchObject({ certainty: 'definite', principle: 'explicitOverride', winner: `${K}rep-018` });
    expect(byPair('conf-017', 'conf-016')).toMatchObject({ certainty: 'definite', principle: 'lexPosterior', winner: `${K}conf-017` });
    expect(byPair('assets-004', 'assets-005')).toMatchObject({ principle: 'lexSpecialis', winner: `${K}assets-005` });
    expect(byPair('assets-004', 'assets-005')?.dimensions).toEqual({ bearer: 'same', action: 'same', target: 'broader', counterparty: 'same', conditions: 'same' });
    // Different circumstances: the graph cannot tell whether both hold, so possible, never silence.
    expect(byPair('gov-007', 'gifts-011')).toMatchObject({ certainty: 'possible', principle: 'lexSuperior', winner: `${K}gov-007` });
    // The near misses the authors planted are not reported.
    for (const [a, b] of [['coi-012', 'coi-011'], ['conf-001', 'conf-002'], ['priv-010', 'priv-011']]) expect(byPair(a!, b!), `${a} ${b}`).toBeUndefined();
  }, 60_000);

  it('resolves by the order of principles it is given', async () => {
    for (const file of SAMPLE_POLICIES) await store.loadPolicy(await readTurtle(file));
    const report = await detectConflicts(store, { policy: `${K}policy`, precedence: ['lexPosterior', 'lexSpecialis'] });
    expect(report.conflicts.every((c) => c.policy === `${K}policy`)).toBe(true);
    const ranked = report.documented.find((d) => d.iri === `${K}conflict-2`);
    expect(ranked?.status).toBe('differs');
    expect(unresolved(report).length).toBeGreaterThan(0);
  }, 60_000);

  it('finds each kind of exception defect and duplicate rules', async () => {
    await store.loadPolicy(await readTurtle('tests/fixtures/defects-policy.ttl'));
    const report = await detectConflicts(store);
    expect(report.defects.map((d) => [d.defect, d.subject.replace(D, ''), d.related?.replace(D, '') ?? null, d.severity])).toEqual([
      ['broader-than-rule', 'x1', 'r1', 'error'],
      ['cycle', 'r4', 'r4', 'error'],
      ['cycle', 'r5', 'r5', 'error'],
      ['cycle', 'x7', 'x7', 'error'],
      ['cycle', 'x8', 'x8', 'error'],
      ['duplicate-rule', 'r2', 'r3', 'error'],
      ['exception-to-exception', 'x2', 'r1', 'notice'],
      ['exception-to-nothing', 'x6', 'r99', 'error'],
      ['fully-shadowed', 'r2', 'x3', 'error'],
      ['fully-shadowed', 'r4', 'x5', 'error'],
    ]);
  }, 60_000);

  it('tells conditions that can hold together from those that cannot, and unknown terms from disjoint ones', async () => {
    const text = await readFile('tests/fixtures/conditions-policy.ttl', 'utf8');
    await store.loadPolicy(sourceOf('conditions-policy.ttl', text));
    const report = await detectConflicts(store);
    const found = Object.fromEntries(report.conflicts.map((c) => [c.prohibition.replace(/^.*#/, ''), c.certainty]));
    expect(found).toEqual({
      'p-same': 'definite',
      'p-threshold-overlap': 'definite',
      'p-touching-closed': 'definite',
      'p-narrower-bearer': 'definite',
      'p-no-target': 'definite',
      'p-circumstances': 'possible',
      'p-sibling-roles': 'possible',
      'p-nested-jurisdiction': 'definite',
    });
  }, 60_000);

  it('reads several jurisdictions as any of them, compares conditions by value, and calls undecidable ones possible', async () => {
    await store.loadPolicy(await readTurtle('tests/fixtures/edge-conditions-policy.ttl'));
    const report = await detectConflicts(store);
    const found = Object.fromEntries(report.conflicts.map((c) => [c.prohibition.replace(/^.*#/, ''), [c.certainty, c.dimensions.conditions, c.principle, c.winner?.replace(/^.*#/, '') ?? null]]));
    expect(found).toEqual({
      'p-jurisdictions': ['definite', 'overlap', null, null],
      'p-shared': ['definite', 'same', null, null],
      'p-units': ['possible', 'overlap', null, null],
      'p-circumstance-threshold': ['possible', 'overlap', null, null],
      'p-circumstances': ['possible', 'overlap', null, null],
      'p-by-value': ['definite', 'broader', 'lexSpecialis', 'q-by-value'],
    });
    expect(report.defects.map((d) => [d.defect, d.subject.replace(/^.*#/, ''), d.related?.replace(/^.*#/, '') ?? null])).toEqual([['duplicate-rule', 'r-duplicate-1', 'r-duplicate-2']]);
  }, 60_000);

  it('treats compound and negated conditions soundly: possible where the graph cannot decide, never silence, never definite by mistake', async () => {
    await store.loadPolicy(await readTurtle('tests/fixtures/compound-conditions-policy.ttl'));
    const report = await detectConflicts(store);
    const found = Object.fromEntries(report.conflicts.map((c) => [c.prohibition.replace(/^.*#/, ''), [c.certainty, c.dimensions.conditions]]));
    expect(found).toEqual({
      // "internal or at most 50 USD" against "external": a compound is not taken apart, so possible.
      'p-or': ['possible', 'overlap'],
      // "not internal" against "external": no longer read as audiences with none in common.
      'p-negated-audience': ['possible', 'overlap'],
      // "unless approved or urgent" against "approved": cannot hold together, but the query does not reason about negated compounds.
      'p-unless': ['possible', 'overlap'],
      // One compound node on both rules: the same condition.
      'p-shared': ['definite', 'same'],
      // Two compounds are one condition only when they are one node (their lists are compared by identity).
      'p-nested': ['possible', 'overlap'],
      // p-plain-disjoint is absent: "internal" against "external" rules the pair out whatever compound sits beside it.
    });
    // "Not internal" and "external" are not complementary exceptions, and two compounds are not duplicates by value.
    expect(report.defects).toEqual([]);
  }, 60_000);

  it('leaves recommendations out of modality conflicts: a prohibition of the advised act prevails, and only duties collide', async () => {
    await store.loadPolicy(await readTurtle('tests/fixtures/recommendation-policy.ttl'));
    const report = await detectConflicts(store);
    expect(report.conflicts.map((c) => [c.prohibition.replace(/^.*#/, ''), c.permissive.replace(/^.*#/, ''), c.certainty])).toEqual([['p-discuss', 'o-discuss', 'definite']]);
    expect(report.defects).toEqual([]);
  }, 60_000);

  it('finds rules their exceptions leave nothing: broader conditions, a repeated rule, thresholds that cover every amount', async () => {
    await store.loadPolicy(await readTurtle('tests/fixtures/exception-edges-policy.ttl'));
    const report = await detectConflicts(store);
    expect(report.defects.map((d) => [d.defect, d.subject.replace(/^.*#/, ''), d.related?.replace(/^.*#/, '') ?? null])).toEqual([
      ['fully-shadowed', 'r-from200', 'e-from100'],
      ['fully-shadowed', 'r-munich', 'e-germany'],
      ['fully-shadowed', 'r-repeat', 'e-repeat'],
      ['fully-shadowed', 'r-split', 'e-split-over'],
    ]);
  }, 60_000);

  it('records conflicts in a graph derived from the policy, with their resolutions', async () => {
    for (const file of SAMPLE_POLICIES) await store.loadPolicy(await readTurtle(file));
    const report = await detectConflicts(store);
    const graphs = await writeConflicts(store, report);
    expect(graphs.map((g) => g.kind)).toEqual(['conflicts', 'conflicts']);
    const answer = await store.query(writtenQuery);
    if (answer.kind !== 'rows') throw new Error('rows expected');
    expect(answer.rows.length).toBe(report.conflicts.length);
    const resolved = answer.rows.filter((r) => r.winner !== null).map((r) => [r.conflict, r.winner, r.principle]).sort();
    expect(resolved).toEqual(
      report.conflicts
        .filter((c) => c.winner)
        .map((c) => [c.iri, c.winner, `${S}${c.principle![0]!.toUpperCase()}${c.principle!.slice(1)}`])
        .sort(),
    );
    // Running again replaces the conflicts instead of adding to them.
    await writeConflicts(store, await detectConflicts(store));
    const again = await store.query(writtenQuery);
    expect(again.kind === 'rows' && again.rows.length).toBe(report.conflicts.length);
  }, 60_000);

  it('refuses a policy that is not loaded', async () => {
    await expect(detectConflicts(store, { policy: 'https://example.org/none#policy' })).rejects.toBeInstanceOf(PolicyNotLoadedError);
  });
});
