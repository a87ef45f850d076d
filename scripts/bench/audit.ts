/**
 * Audit throughput and memory against a local OpenAI-compatible endpoint
 * that answers every request after a fixed delay (default 20 ms): with
 * concurrency C the endpoint allows at most C / delay requests per second,
 * and the run is measured against that ideal. The suite is the evaluation
 * suite generated from the synthetic 1,000-rule policy, cut to each size;
 * the run is a user's run (in a fresh data folder, the
 * deterministic grader, the journal, but no answer from the response cache,
 * so every scenario is one request); setup (reading the suite and the policy)
 * and the graph write at the end are timed apart from the run.
 * Heap and RSS are sampled every 50 ms during the run phase.
 *
 * The first run (--warm-up scenarios, 5,000 unless told) is a cold start: the
 * JIT compiler is still at work on the client's code and the endpoint's for
 * its first second or so. It is reported on a row of its own; the sizes asked
 * for run after it, in the same process, as the steady state of a long audit.
 * --warm-up 0 leaves it out, so that the first size asked for is the cold one.
 *
 *   npx tsx scripts/bench/audit.ts 1250 2500 5000 10000 [--concurrency 32] [--delay 20] [--warm-up 5000]
 *
 * With `node --expose-gc --import tsx` instead of `npx tsx` it also gives the
 * live heap after a full collection every 1,000 scenarios; the forced
 * collections slow the run, so throughput is read from a run without them.
 */

import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { runGeneration } from '../../src/cli/commands/generate.js';
import { LlmClient } from '../../src/llm/client.js';
import { LLM_DEFAULTS } from '../../src/llm/llm-config.js';
import { auditsDir, runAudit } from '../../src/auditors/audit-run.js';
import { DeterministicGrader } from '../../src/auditors/graders/deterministic.js';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { writeSyntheticPolicy } from './synthetic-policy.js';

const option = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const CONCURRENCY = option('--concurrency', 32);
const DELAY_MS = option('--delay', 20);
const WARM_UP = option('--warm-up', 5000);
const sizes = process.argv
  .slice(2)
  .filter((arg, i, all) => !arg.startsWith('--') && !all[i - 1]?.startsWith('--'))
  .map(Number)
  .filter((n) => n > 0);

// The suite: generated once from the synthetic policy, kept in bench-out/.
const policyFile = 'bench-out/synthetic-1000.ttl';
await access(policyFile).catch(() => writeSyntheticPolicy(1000, policyFile));
const suiteDir = await mkdtemp(path.join(tmpdir(), 'studio-bench-audit-'));
const setup = await EmbeddedStore.open({ dataDir: suiteDir });
await setup.loadPolicy(await readTurtle(policyFile));
const [generated] = await runGeneration(setup, { seed: 1, out: path.join(suiteDir, 'out') });
await setup.close();
const suite = path.join(generated!.exports!.folder, 'eval.jsonl');
process.stderr.write(`suite: ${generated!.exports!.eval} scenarios in ${suite}\n`);

// The endpoint runs in a process of its own (scripts/bench/slow-endpoint.ts), as a real one would.
const endpoint = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/slow-endpoint.ts', String(DELAY_MS), 'bench-model'], { stdio: ['ignore', 'pipe', 'inherit'] });
const [baseUrl] = (await createInterface({ input: endpoint.stdout! })[Symbol.asyncIterator]().next()).value.split('\n');
const ideal = CONCURRENCY / (DELAY_MS / 1000);
const rows: string[] = [];

const runs = [...(WARM_UP > 0 ? [WARM_UP] : []), ...(sizes.length > 0 ? sizes : [1250, 2500, 5000, 10_000])];
for (const [index, size] of runs.entries()) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-bench-audit-run-'));
  // The policy loaded in the run's own data folder, as a user's would be.
  const store = await EmbeddedStore.open({ dataDir });
  await store.loadPolicy(await readTurtle(policyFile));
  global.gc?.();
  const target = new LlmClient({ ...LLM_DEFAULTS, baseUrl, model: 'bench-model', parameters: {}, concurrency: CONCURRENCY });
  let peakHeap = 0;
  let peakRss = 0;
  const baseHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 50);
  let runStart = 0;
  let runEnd = 0;
  let cpuStart = process.cpuUsage();
  let cpuRun = 0;
  // With --expose-gc: the live heap after a full collection, every 1,000 scenarios.
  const live: number[] = [];
  const start = performance.now();
  const outcome = await runAudit({
    store,
    auditsDir: auditsDir(dataDir),
    suite,
    filter: { limit: size },
    target,
    graders: [new DeterministicGrader()],
    stage: 'Baseline',
    concurrency: CONCURRENCY,
    // Every scenario asks the endpoint, so that the ideal is exact: no answer comes from the cache.
    noCache: true,
    progress: (done, total) => {
      if (global.gc && done % 1000 === 0) {
        global.gc();
        live.push(process.memoryUsage().heapUsed);
      }
      if (done === 0) {
        runStart = performance.now();
        cpuStart = process.cpuUsage();
      }
      if (done === total) {
        runEnd = performance.now();
        const cpu = process.cpuUsage(cpuStart);
        cpuRun = (cpu.user + cpu.system) / 1000;
      }
    },
  });
  const total = performance.now() - start;
  clearInterval(sampler);
  const runMs = runEnd - runStart;
  const perSecond = outcome.suite.cases / (runMs / 1000);
  const asked = outcome.asked;
  rows.push(
    `| ${outcome.suite.cases.toLocaleString('en')}${index === 0 ? ' (first run, cold)' : ''} | ${CONCURRENCY} | ${DELAY_MS} | ${Math.round(runStart - start).toLocaleString('en')} | ${Math.round(runMs).toLocaleString('en')} | ${Math.round(perSecond).toLocaleString('en')} | ${Math.round(ideal).toLocaleString('en')} | ${Math.round((perSecond / ideal) * 100)}% | ${(cpuRun / outcome.suite.cases).toFixed(2)} | ${asked} | ${live.length > 1 ? `${Math.round(live[0]! / 2 ** 20)} → ${Math.round(live.at(-1)! / 2 ** 20)}` : 'run with --expose-gc'} | ${Math.round((peakHeap - baseHeap) / 2 ** 20)} | ${Math.round(peakRss / 2 ** 20)} | ${Math.round(total - runEnd + start).toLocaleString('en')} (${outcome.graph.triples.toLocaleString('en')} triples) |`,
  );
  process.stderr.write(`${rows.at(-1)}\n`);
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
}
endpoint.kill('SIGTERM');
await rm(suiteDir, { recursive: true, force: true });

process.stdout.write(
  [
    '| scenarios | concurrency | endpoint delay, ms | setup, ms | run, ms | scenarios/s | ideal/s | of ideal | client CPU per scenario, ms | requests | live heap after GC, first → last 1,000, MB | heap peak growth during run, MB | peak RSS, MB | graph write, ms |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
  ].join('\n') + '\n',
);
