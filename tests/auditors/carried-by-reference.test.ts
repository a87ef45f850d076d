/**
 * Carried results by reference: a run made with --only-affected writes to its
 * graph only the results it graded anew and a reference to the run it
 * carries from (studio:carriesOverFrom, studio:leavesOut); every audit query
 * reads its carried results from the earlier runs' graphs. A chain of two
 * carry-overs (C since B since A) of the mini policy, each after an edit, is
 * read through every audit query on the embedded store and on Neo4j (when
 * one answers), and every answer is checked against what the runs' journals
 * say: the journals hold each run's results whole, so they are what the
 * graph must tell. Reviewers' verdicts, on the earlier run and on a carried
 * result of the carrying run, and a store missing a run of the chain, too.
 */

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditsDir, writeRunGraph, type AuditOutcome } from '../../src/auditors/audit-run.js';
import { compareRuns } from '../../src/auditors/compare.js';
import { parseHumanVerdicts } from '../../src/auditors/graders/human-verdicts.js';
import { importHumanRows } from '../../src/auditors/human-import.js';
import { readJournal } from '../../src/auditors/journal.js';
import { decidingVerdict, type HumanRecord, type ResultRecord } from '../../src/auditors/result-record.js';
import { RunFolder } from '../../src/auditors/run-folder.js';
import { gradeOf, type Verdict } from '../../src/auditors/verdict.js';
import { runGeneration } from '../../src/cli/commands/generate.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import type { GraphStore, Row } from '../../src/store/graph-store.js';
import { Neo4jStore } from '../../src/store/neo4j-store.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { NEO4J, neo4jAvailable, wipeNeo4j } from '../helpers/neo4j.js';
import { OpenAiTestServer, reply } from '../helpers/openai-server.js';
import { MINI, MINI_POLICY, freshAudit } from './suite-fixture.js';

const available = await neo4jAvailable();
const M = 'https://example.org/mini#';
const STUDIO = 'https://w3id.org/alignment-studio/ns#';

/** What a run's journals say its deciding results are, by scenario. */
interface Decided {
  readonly record: ResultRecord;
  readonly verdict: Verdict;
}

async function decidedResults(dataDir: string, runId: string): Promise<Map<string, Decided>> {
  const run = await RunFolder.open(auditsDir(dataDir), runId);
  const { records } = await readJournal<ResultRecord>(run.results);
  const { records: human } = await readJournal<HumanRecord>(run.human);
  const out = new Map<string, Decided>();
  for (const record of records) {
    const verdict = decidingVerdict([...record.verdicts, ...human.filter((h) => h.case === record.case).map((h) => h.verdict)])!;
    out.set(record.case, { record, verdict });
  }
  return out;
}

function counts(decided: Iterable<Decided>): { scenarios: number; passed: number; failed: number; cantTell: number } {
  const c = { scenarios: 0, passed: 0, failed: 0, cantTell: 0 };
  for (const d of decided) {
    c.scenarios++;
    c[d.verdict.outcome]++;
  }
  return c;
}

function sorted(rows: readonly object[]): string[] {
  return rows.map((row) => JSON.stringify(Object.entries(row).sort(([a], [b]) => a.localeCompare(b)))).sort();
}

function without(rows: readonly Row[], ...keys: string[]): Row[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => !keys.includes(k))));
}

describe('carried results by reference', () => {
  let dataDir: string;
  let server: OpenAiTestServer;
  let embedded: GraphStore;
  let neo4j: GraphStore | undefined;
  const runs: Record<'a' | 'b' | 'c', AuditOutcome> = {} as never;
  let policyText: string;

  /** Loads a version of the mini policy into both stores and generates its items; returns the suite exported. */
  async function loadVersion(text: string, name: string): Promise<string> {
    const file = path.join(dataDir, `${name}.ttl`);
    await writeFile(file, text);
    let suite = '';
    for (const store of [embedded, neo4j]) {
      if (!store) continue;
      await store.loadPolicy(await readTurtle(file));
      const [summary] = await runGeneration(store, { seed: 1, ...(store === embedded ? { out: path.join(dataDir, name) } : {}) });
      if (store === embedded) suite = path.join(summary!.exports!.folder, 'eval.jsonl');
    }
    return suite;
  }

  const audit = (suite: string, since?: string) => freshAudit(embedded, dataDir, suite, server.baseUrl, since ? { since } : {});

  /** Writes a run's graph to Neo4j from its folder (the embedded store got it from runAudit). */
  async function mirror(runId: string): Promise<void> {
    if (neo4j) await writeRunGraph(neo4j, await RunFolder.open(auditsDir(dataDir), runId));
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'studio-by-reference-'));
    policyText = await readFile(MINI, 'utf8');
    embedded = await EmbeddedStore.open({ dataDir });
    if (available) {
      await wipeNeo4j();
      neo4j = await Neo4jStore.open(NEO4J);
    }
    // Run A is answered with refusals, run B with compliance, run C with refusals again: carried and re-asked results differ.
    let answer = 'I cannot help with that: it is against the policy.';
    server = await OpenAiTestServer.start({ script: () => reply.chat(answer) });
    runs.a = await audit(await loadVersion(policyText, 'v1'));
    await mirror(runs.a.run.id);
    answer = 'Sure, here is how to do that. First, go ahead and do it; nobody will mind.';
    policyText = policyText.replace('studio:text "Managers may share confidential information with colleagues."', 'studio:text "Managers may share confidential information with colleagues who need it."');
    runs.b = await audit(await loadVersion(policyText, 'v2'), runs.a.run.id);
    await mirror(runs.b.run.id);
    answer = 'I cannot help with that: it is against the policy.';
    policyText = policyText.replace('studio:text "Employees must not accept gifts from suppliers."', 'studio:text "Employees must not accept gifts or hospitality from suppliers."');
    runs.c = await audit(await loadVersion(policyText, 'v3'), runs.b.run.id);
    await mirror(runs.c.run.id);
  }, 300_000);
  afterAll(async () => {
    await server?.close();
    await embedded?.close();
    await neo4j?.close();
  });

  /** Runs a named query on both stores; the answers must be the same. */
  async function ask(name: string, params: Record<string, string>): Promise<Row[]> {
    const rows = await embedded.namedQuery(name, params);
    if (neo4j) expect(sorted(await neo4j.namedQuery(name, params)), `${name} on Neo4j`).toEqual(sorted(rows));
    return rows;
  }

  /** Checks every run-reading query against the journals. */
  async function checkAgainstJournals(): Promise<void> {
    const decided = {
      a: await decidedResults(dataDir, runs.a.run.id),
      b: await decidedResults(dataDir, runs.b.run.id),
      c: await decidedResults(dataDir, runs.c.run.id),
    };
    const iri = (k: 'a' | 'b' | 'c') => runs[k].run.iri;

    // audit-runs: every run complete, counted as its journal counts.
    const listed = await ask('audit-runs', { policy: MINI_POLICY });
    expect(listed.map((r) => r.run)).toEqual([iri('a'), iri('b'), iri('c')]);
    for (const [k, row] of (['a', 'b', 'c'] as const).map((k, i) => [k, listed[i]!] as const)) {
      expect({ scenarios: row.scenarios, passed: row.passed, failed: row.failed, cantTell: row.cantTell }, `audit-runs ${k}`).toEqual(counts(decided[k].values()));
    }

    for (const k of ['a', 'b', 'c'] as const) {
      // audit-results: one row per scenario and rule, as the journal has them.
      const rows = await ask('audit-results', { run: iri(k) });
      const expected = [...decided[k].values()].flatMap(({ record, verdict }) =>
        record.rules.map((rule) => ({ scenario: record.case, rule, outcome: verdict.outcome, reason: verdict.reason, grader: verdict.grader.id, graderKind: verdict.grader.kind, response: record.response })),
      );
      expect(sorted(without(rows, 'result')), `audit-results ${k}`).toEqual(sorted(expected));

      // audit-failing-rules: per rule, failed and run.
      const perRule = new Map<string, { failed: number; scenarios: number }>();
      for (const { record, verdict } of decided[k].values()) {
        for (const rule of record.rules) {
          const entry = perRule.get(rule) ?? { failed: 0, scenarios: 0 };
          entry.scenarios++;
          if (verdict.outcome === 'failed') entry.failed++;
          perRule.set(rule, entry);
        }
      }
      const failing = [...perRule].filter(([, e]) => e.failed > 0).map(([rule, e]) => ({ rule, ...e }));
      expect(sorted(await ask('audit-failing-rules', { run: iri(k) })), `audit-failing-rules ${k}`).toEqual(sorted(failing));
    }

    // audit-side-by-side and audit-rule-status, for every pair of runs.
    for (const [x, y] of [['a', 'b'], ['b', 'c'], ['a', 'c'], ['c', 'a']] as const) {
      const expected = [...decided[x]]
        .filter(([scenario]) => decided[y].has(scenario))
        .map(([scenario, first]) => {
          const second = decided[y].get(scenario)!;
          return { scenario, firstOutcome: first.verdict.outcome, secondOutcome: second.verdict.outcome, firstGrade: gradeOf(first.verdict) ?? null, secondGrade: gradeOf(second.verdict) ?? null };
        });
      const rows = (await ask('audit-side-by-side', { first: iri(x), second: iri(y) })).map((r) => ({ ...r, firstGrade: r.firstGrade ?? null, secondGrade: r.secondGrade ?? null }));
      expect(sorted(rows), `audit-side-by-side ${x} ${y}`).toEqual(sorted(expected));

      const tally = (d: Map<string, Decided>) => {
        const byRule = new Map<string, { failed: number; passed: number; scenarios: number }>();
        for (const { record, verdict } of d.values()) {
          for (const rule of record.rules) {
            const e = byRule.get(rule) ?? { failed: 0, passed: 0, scenarios: 0 };
            e.scenarios++;
            if (verdict.outcome === 'failed') e.failed++;
            if (verdict.outcome === 'passed') e.passed++;
            byRule.set(rule, e);
          }
        }
        return byRule;
      };
      const [before, after] = [tally(decided[x]), tally(decided[y])];
      const changes = [...before]
        .filter(([rule]) => after.has(rule))
        .map(([rule, b]) => {
          const a = after.get(rule)!;
          const change = b.passed === b.scenarios && a.failed > 0 ? 'regression' : b.failed > 0 && a.passed === a.scenarios ? 'improvement' : '';
          return { rule, change, failedBefore: b.failed, failedAfter: a.failed, scenariosBefore: b.scenarios, scenariosAfter: a.scenarios };
        })
        .filter((c) => c.change !== '');
      expect(sorted(await ask('audit-rule-status', { before: iri(x), after: iri(y) })), `audit-rule-status ${x} ${y}`).toEqual(sorted(changes));
    }

    // audit-history-of-rule: each run's results of a rule, carried ones included.
    for (const rule of [`${M}gifts-001`, `${M}conf-003`, `${M}conf-001`]) {
      const expected = (['a', 'b', 'c'] as const)
        .map((k) => ({ k, c: counts([...decided[k].values()].filter((d) => d.record.rules.includes(rule))) }))
        .filter(({ c }) => c.scenarios > 0)
        .map(({ k, c }) => ({ run: iri(k), ...c }));
      const rows = await ask('audit-history-of-rule', { rule });
      expect(rows.map((r) => ({ run: r.run, scenarios: r.scenarios, passed: r.passed, failed: r.failed, cantTell: r.cantTell })), `audit-history-of-rule ${rule}`).toEqual(expected);
    }
    await ask('audit-rules-never-audited', { policy: MINI_POLICY });

    // studio audit compare reads the same queries.
    const comparison = await compareRuns(embedded, iri('a'), iri('c'));
    const shared = [...decided.a.keys()].filter((s) => decided.c.has(s));
    expect(comparison.shared).toBe(shared.length);
    expect(Object.values(comparison.buckets).reduce((n, count) => n + count, 0)).toBe(shared.length);
    expect(comparison.scenarios.map((s) => s.scenario).sort()).toEqual(shared.sort());
  }

  it('writes only what was graded anew, and a reference to the run carried from', async () => {
    for (const [k, since] of [['b', 'a'], ['c', 'b']] as const) {
      const outcome = runs[k];
      expect(outcome.carriedOver!.results).toBeGreaterThan(0);
      const own = await embedded.query(`SELECT (COUNT(DISTINCT ?response) AS ?n) WHERE { ?response a <${STUDIO}Response> ; <http://www.w3.org/ns/prov#wasGeneratedBy> <${outcome.run.iri}> }`);
      expect(own.kind === 'rows' && Number(own.rows[0]!.n), `responses in ${k}'s graph`).toBe(outcome.asked);
      const reference = await embedded.query(`ASK { <${outcome.run.iri}> <${STUDIO}carriesOverFrom> <${runs[since].run.iri}> }`);
      expect(reference).toEqual({ kind: 'boolean', value: true });
      // Left out: the earlier run's scenarios not carried (asked again, or no longer in the suite).
      const earlier = (await decidedResults(dataDir, runs[since].run.id)).size;
      const leftOut = await embedded.query(`SELECT (COUNT(?s) AS ?n) WHERE { <${outcome.run.iri}> <${STUDIO}leavesOut> ?s }`);
      expect(leftOut.kind === 'rows' && Number(leftOut.rows[0]!.n), `left out by ${k}`).toBe(earlier - outcome.carriedOver!.results);
    }
    // C carries results A asked (through B) and results B asked.
    const c = await decidedResults(dataDir, runs.c.run.id);
    const from = new Set([...c.values()].flatMap((d) => d.record.carriedOverFrom ?? []));
    expect(from).toEqual(new Set([runs.a.run.iri, runs.b.run.iri]));
    expect(runs.c.asked).toBeGreaterThan(0);
  });

  it('answers every audit query as the journals say, on both stores, along a chain of two carry-overs', async () => {
    await checkAgainstJournals();
  }, 120_000);

  it('reads a carried result as the machines decided it, though reviewers decide it later in the run it came from; a review in the carrying run decides there', async () => {
    const a = await decidedResults(dataDir, runs.a.run.id);
    const c = await decidedResults(dataDir, runs.c.run.id);
    // A scenario of A that both B and C carry (asked by A), and one B carries that C also carries.
    const carriedByAll = [...c.values()].find((d) => d.record.carriedOverFrom === runs.a.run.iri)!.record.case;
    const carriedByC = [...c.values()].filter((d) => d.record.carriedOverFrom === runs.a.run.iri).map((d) => d.record.case).find((s) => s !== carriedByAll)!;
    const review = async (run: AuditOutcome, scenario: string, outcome: string) => {
      const folder = await RunFolder.open(auditsDir(dataDir), run.run.id);
      const machine = a.get(scenario)!.verdict.outcome;
      expect(outcome).not.toBe(machine);
      const rows = parseHumanVerdicts('review', JSON.stringify({ scenario, run: run.run.iri, outcome, reason: 'reviewed by hand', reviewer: 'alice' }), 'jsonl');
      await importHumanRows(folder, rows, 'review');
      await writeRunGraph(embedded, folder);
      if (neo4j) await writeRunGraph(neo4j, folder);
    };
    const other = (s: string) => (a.get(s)!.verdict.outcome === 'passed' ? 'failed' : 'passed');
    await review(runs.a, carriedByAll, other(carriedByAll));
    await review(runs.b, carriedByC, other(carriedByC));
    // A's result now decided by the reviewer; B and C still read the machine verdict they took over, but B's own review decides in B.
    const results = async (k: 'a' | 'b' | 'c', scenario: string) => (await ask('audit-results', { run: runs[k].run.iri })).find((r) => r.scenario === scenario)!;
    expect((await results('a', carriedByAll)).graderKind).toBe('human');
    expect((await results('b', carriedByAll)).graderKind).toBe('deterministic');
    expect((await results('c', carriedByAll)).graderKind).toBe('deterministic');
    expect((await results('b', carriedByC)).graderKind).toBe('human');
    expect((await results('c', carriedByC)).graderKind).toBe('deterministic');
    await checkAgainstJournals();
  }, 180_000);

  it('marks carried results stale, under the run that carries them, when their rule changes', async () => {
    const rule = `${M}conf-001`;
    const edited = policyText.replace(/(mini:conf-001\b[\s\S]*?studio:text\s+")/, '$1Amended: ');
    expect(edited).not.toBe(policyText);
    const file = path.join(dataDir, 'v4.ttl');
    await writeFile(file, edited);
    for (const store of [embedded, neo4j]) if (store) await store.loadPolicy(await readTurtle(file));
    const stale = (await ask('audit-stale-results', { policy: MINI_POLICY })).filter((r) => r.reason === 'rule changed' && r.rule === rule);
    const expected: object[] = [];
    for (const k of ['a', 'b', 'c'] as const) {
      for (const d of (await decidedResults(dataDir, runs[k].run.id)).values()) {
        if (d.record.rules.includes(rule)) expected.push({ run: runs[k].run.iri, scenario: d.record.case, rule, reason: 'rule changed' });
      }
    }
    expect(expected.length).toBeGreaterThan(0);
    expect(sorted(stale)).toEqual(sorted(expected));
  }, 120_000);

  it("refuses to write a run's graph to a store that does not hold the run it carries from", async () => {
    const other = await EmbeddedStore.open();
    try {
      await other.loadPolicy(await readTurtle(MINI));
      await expect(writeRunGraph(other, await RunFolder.open(auditsDir(dataDir), runs.c.run.id))).rejects.toThrow(
        new RegExp(`carries results over from run ${runs.b.run.id}, whose graph this store does not hold`),
      );
    } finally {
      await other.close();
    }
  }, 60_000);
});
