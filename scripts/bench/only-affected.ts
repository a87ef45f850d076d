/**
 * Re-auditing only what changed, against auditing everything again: for a
 * synthetic policy of N rules, a full audit of its evaluation suite (run A),
 * then 1% of its rules reworded, the policy reloaded and its suite generated
 * again, and `--only-affected --since A` (run B). Both runs ask a local
 * OpenAI-compatible endpoint that answers after a fixed delay (20 ms), with
 * no answer from the response cache, at concurrency 32. Prints one row per
 * size: the scenarios, run A's time, the rules changed and depending on them,
 * the scenarios run B graded anew and carried over, run B's time, and the
 * triples of each run's graph. Times are CPU / wall: the CPU time (user +
 * system) of this process while the run ran (the endpoint runs in a process
 * of its own), then the wall-clock time. Then, as a later command would,
 * the data folder is opened afresh and run B is read through the audit
 * queries: a second table gives the CPU time of reading the folder's graphs
 * into oxigraph and of each query.
 *
 *   npx tsx scripts/bench/only-affected.ts [rules ...]   (default 1000 5000)
 */

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { loadPolicies } from '../../src/cli/commands/load.js';
import { runGeneration } from '../../src/cli/commands/generate.js';
import { LlmClient } from '../../src/llm/client.js';
import { LLM_DEFAULTS } from '../../src/llm/llm-config.js';
import { auditsDir, runAudit } from '../../src/auditors/audit-run.js';
import { DeterministicGrader } from '../../src/auditors/graders/deterministic.js';
import { writeSyntheticPolicy } from './synthetic-policy.js';

const CONCURRENCY = 32;
const DELAY_MS = 20;
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);

const endpoint = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/slow-endpoint.ts', String(DELAY_MS), 'bench-model'], { stdio: ['ignore', 'pipe', 'inherit'] });
const [baseUrl] = (await createInterface({ input: endpoint.stdout! })[Symbol.asyncIterator]().next()).value.split('\n');
const target = new LlmClient({ ...LLM_DEFAULTS, baseUrl, model: 'bench-model', parameters: {}, concurrency: CONCURRENCY });
const seconds = (ms: number) => (ms / 1000).toFixed(1);
const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

const rows: string[] = [];
const QUERIES = ['audit-runs', 'audit-results', 'audit-failing-rules', 'audit-side-by-side', 'audit-rule-status', 'audit-history-of-rule', 'audit-stale-results'] as const;
const reads: string[] = [];
try {
  for (const rules of sizes.length > 0 ? sizes : [1000, 5000]) {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-bench-affected-'));
    const file = path.join(dataDir, 'policy.ttl');
    await writeSyntheticPolicy(rules, file);
    const store = await EmbeddedStore.open({ dataDir });
    try {
      const suiteOf = async (out: string) => {
        // Loaded as `studio load` does (without validating): the version's facts kept with it, for --since to read.
        await loadPolicies(store, [file], { validate: false });
        const [generated] = await runGeneration(store, { seed: 1, out: path.join(dataDir, out) });
        return path.join(generated!.exports!.folder, 'eval.jsonl');
      };
      const audit = (suite: string, since?: string) =>
        runAudit({ store, auditsDir: auditsDir(dataDir), suite, target, graders: [new DeterministicGrader()], stage: 'Baseline', concurrency: CONCURRENCY, fresh: true, noCache: true, ...(since ? { since } : {}) });

      const before = await suiteOf('v1');
      let started = performance.now();
      let cpu = process.cpuUsage();
      const a = await audit(before);
      const full = performance.now() - started;
      const fullCpu = cpuMs(cpu);

      // Every 100th rule reworded: 1% of the rules.
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.replace(/(syn:rule-(\d+) a studio:\w+ ;[^]*?studio:text "[^"]*)\."/g, (whole, head: string, r: string) => (Number(r) % 100 === 50 ? `${head}, as amended."` : whole)));
      const after = await suiteOf('v2');
      started = performance.now();
      cpu = process.cpuUsage();
      const b = await audit(after, a.run.id);
      const partial = performance.now() - started;
      const partialCpu = cpuMs(cpu);
      const c = b.carriedOver!;
      rows.push(
        `| ${rules.toLocaleString('en')} | ${a.suite.cases.toLocaleString('en')} | ${seconds(fullCpu)} / ${seconds(full)} | ${c.changed.length} + ${c.dependents} | ${(b.asked + b.fromCache).toLocaleString('en')} | ${c.results.toLocaleString('en')} | ${seconds(partialCpu)} / ${seconds(partial)} | ${((partialCpu / fullCpu) * 100).toFixed(0)}% / ${((partial / full) * 100).toFixed(0)}% | ${a.graph.triples.toLocaleString('en')} / ${b.graph.triples.toLocaleString('en')} |`,
      );
      process.stderr.write(`${rows.at(-1)}\n`);
      reads.push(`| ${rules.toLocaleString('en')} | ${(await readRun(dataDir, a.run.iri, b.run.iri, a.run.policy)).join(' | ')} |`);
      process.stderr.write(`${reads.at(-1)}\n`);
    } finally {
      await store.close();
    }
  }
} finally {
  endpoint.kill();
}
console.log(`| rules | reading the graphs | ${QUERIES.join(' | ')} |`);
console.log(`|---:|${QUERIES.map(() => '---:|').join('')}---:|`);
for (const row of reads) console.log(row);
console.log();
console.log('| rules | scenarios | full audit, s CPU / wall | rules changed + depending | graded anew | carried over | --only-affected, s CPU / wall | of the full time | triples in the graph, full / --only-affected |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(row);

/** CPU seconds of reading a data folder's graphs in a store opened afresh, then of each audit query on run B (against A where it takes two runs). */
async function readRun(dataDir: string, a: string, b: string, policy: string): Promise<string[]> {
  const store = await EmbeddedStore.open({ dataDir });
  try {
    const timed = async (ask: () => Promise<unknown>) => {
      const cpu = process.cpuUsage();
      await ask();
      return (cpuMs(cpu) / 1000).toFixed(2);
    };
    const out = [await timed(() => store.query('ASK { ?s ?p ?o }'))];
    const params: Record<(typeof QUERIES)[number], Record<string, string>> = {
      'audit-runs': { policy },
      'audit-results': { run: b },
      'audit-failing-rules': { run: b },
      'audit-side-by-side': { first: a, second: b },
      'audit-rule-status': { before: a, after: b },
      'audit-history-of-rule': { rule: 'https://example.org/synthetic#rule-50' },
      'audit-stale-results': { policy },
    };
    for (const name of QUERIES) out.push(await timed(() => store.namedQuery(name, params[name])));
    return out;
  } finally {
    await store.close();
  }
}
