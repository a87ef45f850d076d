/**
 * `studio audit run` as a user runs it, the whole command (issue 22's measure:
 * at least 1,000 scenarios a second for 5,000 scenarios at concurrency 32
 * against a 20 ms endpoint, start-up, store and graph write included). A data
 * folder holds the synthetic 1,000-rule policy and its generated graph; the
 * suite is the one its `studio generate --out` wrote, cut by --limit; the
 * endpoint is scripts/bench/slow-endpoint.ts in a process of its own. Each run
 * is a fresh process of the built command (`npm run build` first) on a fresh
 * copy of the folder, so that nothing is cached; the runs' wall times, their
 * CPU (user + system, every thread) where /usr/bin/time is there to count it,
 * and the median rate are printed, with the load average before each run.
 *
 *   npx tsx scripts/bench/audit-command.ts [--runs 5] [--scenarios 5000] [--concurrency 32] [--delay 20] [--dist dist] [--endpoint-warm-up 20000]
 */

import { spawn, spawnSync } from 'node:child_process';
import { access, cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { writeSyntheticPolicy } from './synthetic-policy.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    scenarios: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '32' },
    delay: { type: 'string', default: '20' },
    dist: { type: 'string', default: 'dist' },
    'endpoint-warm-up': { type: 'string', default: '20000' },
  },
});
const runs = Number(values.runs);
const scenarios = Number(values.scenarios);
const cli = path.resolve(values.dist!, 'cli', 'main.js');
await access(cli).catch(() => {
  throw new Error(`${cli} is missing: run npm run build first`);
});

const studio = (args: string[]) => {
  const done = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  if (done.status !== 0) throw new Error(`studio ${args.join(' ')} failed (${done.status}):\n${done.stderr}`);
};

// The folder: the policy loaded and generated once, kept as the template of every run's copy.
const policyFile = 'bench-out/synthetic-1000.ttl';
await access(policyFile).catch(() => writeSyntheticPolicy(1000, policyFile));
const work = await mkdtemp(path.join(tmpdir(), 'studio-bench-audit-command-'));
const data = path.join(work, 'data');
studio(['load', policyFile, '--data-dir', data]);
studio(['generate', '--seed', '1', '--out', path.join(work, 'out'), '--data-dir', data]);
const suite = path.join(work, 'out', 'synthetic-policy', 'eval.jsonl');

// A model server that has been up for a while: its own JIT compiler is done before the first run (3,000 requests
// left its answers measurably slower for the first runs of a fresh client).
const endpoint = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/slow-endpoint.ts', values.delay!, 'bench-model', values['endpoint-warm-up']!], { stdio: ['ignore', 'pipe', 'inherit'] });
const baseUrl = await new Promise<string>((resolve, reject) => {
  createInterface({ input: endpoint.stdout! }).once('line', resolve);
  endpoint.once('exit', (code) => reject(new Error(`the endpoint stopped (${code})`)));
});

const timed = spawnSync('/usr/bin/time', ['-f', '%e', 'true']).status === 0;
const rows: { wall: number; cpu?: number; load: number }[] = [];
try {
  for (let i = 0; i < runs; i++) {
    const copy = path.join(work, `copy-${i}`);
    await cp(data, copy, { recursive: true });
    const args = [cli, 'audit', 'run', '--suite', suite, '--limit', String(scenarios), '--concurrency', values.concurrency!, '--base-url', baseUrl, '--model', 'bench-model', '--no-cache', '--data-dir', copy];
    const load = loadavg()[0]!;
    const started = performance.now();
    const cpuFile = path.join(work, `cpu-${i}`);
    const done = timed
      ? spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, process.execPath, ...args], { encoding: 'utf8' })
      : spawnSync(process.execPath, args, { encoding: 'utf8' });
    const wall = (performance.now() - started) / 1000;
    if (done.status !== 0) throw new Error(`audit run failed (${done.status}):\n${done.stderr}`);
    if (!done.stdout.includes(`${scenarios} scenarios`)) throw new Error(`audit run did not run ${scenarios} scenarios:\n${done.stdout.slice(0, 400)}`);
    const cpu = timed ? (await readFile(cpuFile, 'utf8')).trim().split(/\s+/).map(Number).reduce((a, b) => a + b, 0) : undefined;
    rows.push({ wall, ...(cpu !== undefined ? { cpu } : {}), load });
    await rm(copy, { recursive: true, force: true });
    console.log(`run ${i + 1}: ${wall.toFixed(2)} s wall${cpu !== undefined ? `, ${cpu.toFixed(2)} s CPU` : ''}, ${Math.round(scenarios / wall)} scenarios/s (load average ${load.toFixed(2)})`);
  }
} finally {
  endpoint.kill('SIGTERM');
  await rm(work, { recursive: true, force: true });
}
const walls = rows.map((r) => r.wall).sort((a, b) => a - b);
const median = walls[Math.floor(walls.length / 2)]!;
console.log(`\n| scenarios | runs | wall, s (min / median / max) | scenarios/s (min / median / max) | CPU, s (median) |`);
console.log(`|---:|---:|---:|---:|---:|`);
const cpus = rows.flatMap((r) => (r.cpu !== undefined ? [r.cpu] : [])).sort((a, b) => a - b);
console.log(
  `| ${scenarios.toLocaleString('en')} | ${runs} | ${walls[0]!.toFixed(2)} / ${median.toFixed(2)} / ${walls.at(-1)!.toFixed(2)} | ${Math.round(scenarios / walls.at(-1)!)} / ${Math.round(scenarios / median)} / ${Math.round(scenarios / walls[0]!)} | ${cpus.length ? cpus[Math.floor(cpus.length / 2)]!.toFixed(2) : 'n/a'} |`,
);
