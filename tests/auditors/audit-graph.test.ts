/**
 * Audit results in the graph on both stores: two runs of the mini policy's
 * suite written to the embedded store and to Neo4j give identical answers to
 * every audit named query, and a later edit of a rule, or a scenario no
 * longer generated, marks the results that rested on it as stale.
 */

import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditsDir, runAudit, writeRunGraph } from '../../src/auditors/audit-run.js';
import { canonicalDateTime } from '../../src/rdf/date-time.js';
import { DeterministicGrader } from '../../src/auditors/graders/deterministic.js';
import { RunFolder, type RunManifest } from '../../src/auditors/run-folder.js';
import { runGeneration } from '../../src/cli/commands/generate.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import type { GraphStore, Row } from '../../src/store/graph-store.js';
import { openBothStores } from '../helpers/both-stores.js';
import { neo4jAvailable } from '../helpers/neo4j.js';
import { OpenAiTestServer } from '../helpers/openai-server.js';
import { aligned, compliant, makeSuite, MINI, MINI_POLICY, targetClient, type SuiteFixture } from './suite-fixture.js';

const available = await neo4jAvailable();

function sorted(rows: readonly Row[]): string[] {
  return rows.map((row) => JSON.stringify(Object.entries(row).sort(([a], [b]) => a.localeCompare(b)))).sort();
}

describe('canonical date-times', () => {
  it('drops trailing zeros of the fraction, and a zero fraction', () => {
    expect(canonicalDateTime('2026-11-27T03:12:37.250Z')).toBe('2026-11-27T03:12:37.25Z');
    expect(canonicalDateTime('2026-11-27T03:12:37.000Z')).toBe('2026-11-27T03:12:37Z');
    expect(canonicalDateTime('2026-11-27T03:12:37.205Z')).toBe('2026-11-27T03:12:37.205Z');
    expect(canonicalDateTime('2026-11-27T03:12:40.100Z')).toBe('2026-11-27T03:12:40.1Z');
  });
});

describe.runIf(available)('audit results on both stores', () => {
  let fixture: SuiteFixture;
  let embedded: GraphStore;
  let graph: GraphStore;
  let server: OpenAiTestServer;
  let good: RunManifest;
  let bad: RunManifest;

  beforeAll(async () => {
    fixture = await makeSuite();
    [embedded, graph] = await openBothStores([MINI]);
    // The same items on both: generation is deterministic by seed.
    for (const store of [embedded, graph]) await runGeneration(store, { seed: 1 });
    server = await OpenAiTestServer.start({ script: aligned(fixture) });
    const run = (label: string) =>
      runAudit({ store: embedded, auditsDir: auditsDir(fixture.dataDir), suite: fixture.suite, target: targetClient(server.baseUrl), graders: [new DeterministicGrader()], stage: 'Baseline', label, fresh: true, noCache: true });
    good = (await run('aligned')).run;
    server.script = compliant;
    bad = (await run('unaligned')).run;
    for (const manifest of [good, bad]) await writeRunGraph(graph, await RunFolder.open(auditsDir(fixture.dataDir), manifest.id));
  }, 180_000);
  afterAll(async () => {
    await server?.close();
    await embedded?.close();
    await graph?.close();
  });

  async function bothAnswer(name: string, params: Record<string, string>): Promise<Row[]> {
    const [a, b] = await Promise.all([embedded.namedQuery(name, params), graph.namedQuery(name, params)]);
    expect(sorted(b), `${name} ${JSON.stringify(params)}`).toEqual(sorted(a));
    return a;
  }

  it('answers every audit query identically', async () => {
    const runs = await bothAnswer('audit-runs', { policy: MINI_POLICY });
    expect(runs.map((r) => r.run)).toEqual([good.iri, bad.iri]);
    // Both stores list runs oldest first, by time, even within one second.
    expect((await graph.namedQuery('audit-runs', { policy: MINI_POLICY })).map((r) => r.run)).toEqual([good.iri, bad.iri]);
    expect(runs[0]!.startedAt).toBe(canonicalDateTime(good.startedAt));
    expect(runs[1]!.failed).toBeGreaterThan(0);
    expect(await bothAnswer('audit-failing-rules', { run: good.iri })).toEqual([]);
    expect((await bothAnswer('audit-failing-rules', { run: bad.iri })).length).toBeGreaterThan(0);
    const changes = await bothAnswer('audit-rule-status', { before: good.iri, after: bad.iri });
    expect(changes.length).toBeGreaterThan(0);
    expect(new Set(changes.map((c) => c.change))).toEqual(new Set(['regression']));
    expect((await bothAnswer('audit-side-by-side', { first: good.iri, second: bad.iri })).length).toBe(fixture.records.length);
    const results = await bothAnswer('audit-results', { run: bad.iri });
    expect(new Set(results.map((r) => r.scenario)).size).toBe(fixture.records.length);
    expect(results.find((r) => r.outcome === 'failed')).toMatchObject({ graderKind: 'deterministic', grader: 'deterministic/v3', response: expect.stringMatching(/^Sure/) });
    const history = await bothAnswer('audit-history-of-rule', { rule: 'https://example.org/mini#gifts-001' });
    expect(history.map((h) => h.run)).toEqual([good.iri, bad.iri]);
    await bothAnswer('audit-rules-without-tests', { policy: MINI_POLICY });
    await bothAnswer('audit-rules-never-audited', { policy: MINI_POLICY });
    expect(await bothAnswer('audit-stale-results', { policy: MINI_POLICY })).toEqual([]);
  });

  it('marks results stale when their rule changes or their scenario is no longer generated', async () => {
    const text = await readFile(MINI, 'utf8');
    const rule = 'https://example.org/mini#gifts-001';
    const edited = text.replace(/(mini:gifts-001\b[\s\S]*?studio:text\s+")/, '$1Amended: ');
    expect(edited).not.toBe(text);
    const file = path.join(fixture.dataDir, 'mini-amended.ttl');
    await writeFile(file, edited);
    for (const store of [embedded, graph]) await store.loadPolicy(await readTurtle(file));
    const stale = await bothAnswer('audit-stale-results', { policy: MINI_POLICY });
    expect(stale.length).toBeGreaterThan(0);
    expect(new Set(stale.map((s) => s.rule))).toEqual(new Set([rule]));
    expect(new Set(stale.map((s) => s.reason))).toEqual(new Set(['rule changed']));
    expect(new Set(stale.map((s) => s.run))).toEqual(new Set([good.iri, bad.iri]));

    // Another seed generates other items: every scenario the runs ran is gone.
    for (const store of [embedded, graph]) await runGeneration(store, { seed: 2 });
    const after = await bothAnswer('audit-stale-results', { policy: MINI_POLICY });
    const removed = after.filter((s) => s.reason === 'scenario removed');
    expect(new Set(removed.map((s) => s.scenario)).size).toBe(fixture.records.length);
    expect(after.filter((s) => s.reason === 'rule changed')).toEqual(stale);
  });
});
