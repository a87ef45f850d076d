/**
 * Benchmark: conflict detection over synthetic policies with planted
 * conflicts and near misses (conflict-policy.ts), scored against their truth:
 * precision and recall over pairs, agreement on certainty and on resolution
 * (principle and winner), detection time and CPU time, and the time of each
 * group of queries (medians of 3 after a warm-up), and
 * peak memory. Each size and store runs in a process of its own; its peak
 * memory covers the load and the detection.
 *
 *   npx tsx scripts/bench/conflicts.ts [sizes...] [--store embedded|neo4j|both]   (default 1000 10000 100000, embedded)
 */

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { detectConflicts } from '../../src/conflicts/detect.js';
import { resolveConfig } from '../../src/config.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import type { GraphStore, StoreEngine } from '../../src/store/graph-store.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { Neo4jStore } from '../../src/store/neo4j-store.js';
import { score, truthFile, writeConflictPolicy, type Score, type ScoreCounts, type Truth } from './conflict-policy.js';

/** What one child process measures and reports, as one JSON line. */
interface Measurement {
  readonly rules: number;
  readonly engine: StoreEngine;
  readonly triples: number;
  readonly loadMs: number;
  readonly detectMs: number;
  readonly queryMs: number;
  /** The documented-conflicts and exception-defects queries. */
  readonly defectsMs: number;
  /** The exception-conflicts and exceptions-overridden queries. */
  readonly exceptionsMs: number;
  /** CPU time (user + system) of one detection, all threads of the process. */
  readonly detectCpuMs: number;
  readonly peakRssMb: number;
  readonly score: ScoreCounts;
}

const CHILD = '--child';
const RUNS = 3;
/** How many examples of each kind of disagreement a run prints. */
const EXAMPLES = 5;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const short = (iri: string | null) => (iri === null ? 'null' : iri.replace(/^.*#/, ''));

/** Loads the file into a fresh store of the engine, detects its conflicts RUNS + 1 times, and scores the last. */
async function measure(engine: StoreEngine, file: string): Promise<Measurement> {
  const truth = JSON.parse(await readFile(truthFile(file), 'utf8')) as Truth;
  const store: GraphStore = engine === 'neo4j' ? await Neo4jStore.open(resolveConfig().neo4j) : await EmbeddedStore.open();
  // Neo4j is a shared server: take the policy out again afterwards unless it was there before.
  const present = (await store.listPolicies()).some((p) => p.policy === truth.policy);
  try {
    let started = performance.now();
    const loaded = await store.loadPolicy(await readTurtle(file));
    const loadMs = performance.now() - started;
    await detectConflicts(store, { policy: truth.policy });
    const detectMs: number[] = [];
    const queryMs: number[] = [];
    const defectsMs: number[] = [];
    const exceptionsMs: number[] = [];
    const detectCpuMs: number[] = [];
    let report: Awaited<ReturnType<typeof detectConflicts>> | undefined;
    for (let run = 0; run < RUNS; run++) {
      started = performance.now();
      const cpu = process.cpuUsage();
      report = await detectConflicts(store, { policy: truth.policy });
      const used = process.cpuUsage(cpu);
      detectMs.push(performance.now() - started);
      detectCpuMs.push((used.user + used.system) / 1000);
      queryMs.push(report.timings.queryMs);
      defectsMs.push(report.timings.defectsMs);
      exceptionsMs.push(report.timings.exceptionsMs);
    }
    const result = score(truth, report!.conflicts);
    explain(`${truth.rules} rules, ${engine}`, result);
    const { missed, reportedNearMisses, strayPairs, certaintyMismatches, resolutionMismatches, ...counts } = result;
    return {
      rules: truth.rules,
      engine,
      triples: loaded.triples,
      loadMs: Math.round(loadMs),
      detectMs: Math.round(median(detectMs)),
      queryMs: Math.round(median(queryMs)),
      defectsMs: Math.round(median(defectsMs)),
      exceptionsMs: Math.round(median(exceptionsMs)),
      detectCpuMs: Math.round(median(detectCpuMs)),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      score: counts,
    };
  } finally {
    if (engine === 'neo4j' && !present) await store.removePolicy(truth.policy);
    await store.close();
  }
}

/** Prints, on stderr, what the detector got wrong, by planted kind, with a few examples of each. */
function explain(title: string, result: Score): void {
  const lines: string[] = [];
  const section = <T>(name: string, items: readonly T[], describe: (item: T) => string) => {
    if (items.length === 0) return;
    lines.push(`  ${name}: ${items.length}`);
    for (const item of items.slice(0, EXAMPLES)) lines.push(`    ${describe(item)}`);
  };
  section('missed', result.missed, (c) => `${c.kind} ${c.variant}: ${short(c.prohibition)} vs ${short(c.permissive)}`);
  section('near misses reported', result.reportedNearMisses, (n) => `${n.kind} ${n.variant}: ${short(n.a)} vs ${short(n.b)}`);
  section(`other pairs reported (${result.strayPairs.filter((e) => e.certainty === 'possible').length} of them possible)`, result.strayPairs, (e) => `${short(e.prohibition)} vs ${short(e.permissive)}, ${e.certainty}`);
  section('certainty disagrees', result.certaintyMismatches, (m) => `${m.truth.kind} ${m.truth.variant}: expected ${m.truth.certainty}, got ${m.reported.certainty}`);
  section('resolution disagrees', result.resolutionMismatches, (m) =>
    `${m.truth.kind} ${m.truth.variant}: expected ${m.truth.principle} -> ${short(m.truth.winner)}, got ${m.reported.principle} -> ${short(m.reported.winner)}`,
  );
  if (lines.length > 0) process.stderr.write(`${title}:\n${lines.join('\n')}\n`);
}

const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { store: { type: 'string', default: 'embedded' } }, allowPositionals: true });
  const engines: StoreEngine[] = values.store === 'both' ? ['embedded', 'neo4j'] : values.store === 'neo4j' ? ['neo4j'] : values.store === 'embedded' ? ['embedded'] : [];
  if (engines.length === 0) throw new Error(`--store ${values.store}: use embedded, neo4j or both`);
  const sizes = positionals.length > 0 ? positionals.map(Number) : [1000, 10000, 100000];
  const rows: string[] = [];
  for (const rules of sizes) {
    const file = `bench-out/conflicts-${rules}.ttl`;
    if (!existsSync(file) || !existsSync(truthFile(file))) await writeConflictPolicy(rules, file);
    for (const engine of engines) {
      const output = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), CHILD, engine, file], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 1 << 20,
      });
      const m = JSON.parse(output.trim().split('\n').pop()!) as Measurement;
      const s = m.score;
      rows.push(
        `| ${rules.toLocaleString('en')} | ${engine} | ${m.triples.toLocaleString('en')} | ${m.loadMs} | ${s.truth} | ${s.reported} | ${percent(s.precision)} | ${percent(s.recall)} | ${percent(s.certaintyAgreement)} | ${percent(s.resolutionAgreement)} | ${s.nearMissesReported} | ${m.detectMs} | ${m.detectCpuMs} | ${m.queryMs} | ${m.defectsMs} | ${m.exceptionsMs} | ${m.peakRssMb} |`,
      );
      process.stderr.write(`${rules} rules on ${engine} done\n`);
    }
  }
  process.stdout.write(
    [
      '| rules | store | triples | load, ms | planted conflicts | reported | precision | recall | certainty agrees | resolution agrees | near misses reported | detect, ms | detect CPU, ms | conflicts query, ms | documented + defects, ms | exception queries, ms | peak RSS, MB |',
      '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
    ].join('\n') + '\n',
  );
}

if (process.argv[2] === CHILD) {
  process.stdout.write(JSON.stringify(await measure(process.argv[3] as StoreEngine, process.argv[4]!)) + '\n');
} else {
  await main();
}
