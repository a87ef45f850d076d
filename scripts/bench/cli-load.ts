/**
 * Benchmark: `studio load` as a user runs it (a new process each time, from
 * the build in dist/) of a synthetic policy of N rules into an empty scratch
 * data folder, with validation (the default) and with --no-validate. Each
 * figure is the median of a few runs: wall time, CPU time (user + system:
 * on a shared machine the steadier figure) and the process's peak RSS.
 *
 *   npm run build && npx tsx scripts/bench/cli-load.ts [rules] [runs]     (default 10000 3)
 *
 * BENCH_CLI=<path to main.js> times another build (an older commit's, to compare).
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticPolicy } from './synthetic-policy.js';

const CLI = process.env.BENCH_CLI ?? 'dist/cli/main.js';
const rules = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 3);

if (!existsSync(CLI)) {
  process.stderr.write(`${CLI} is missing: building it (npm run build)\n`);
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
const file = `bench-out/synthetic-${rules}.ttl`;
if (!existsSync(file)) await writeSyntheticPolicy(rules, file);

/** One `studio load` into a new data folder: wall ms, CPU ms and peak RSS in MB (from GNU time, else unknown). */
async function once(extra: readonly string[]): Promise<{ ms: number; cpuMs?: number; rssMb?: number }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-cli-load-'));
  try {
    const timed = existsSync('/usr/bin/time');
    const command = timed ? '/usr/bin/time' : process.execPath;
    const args = [...(timed ? ['-f', 'peak-rss-kb %M cpu-s %U %S', process.execPath] : []), CLI, 'load', ...extra, '--data-dir', dataDir, file];
    const start = performance.now();
    const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
    const ms = performance.now() - start;
    if (result.status !== 0) throw new Error(`studio load exited with ${result.status}: ${result.stderr}`);
    const kb = /peak-rss-kb (\d+)/.exec(result.stderr)?.[1];
    const cpu = /cpu-s ([\d.]+) ([\d.]+)/.exec(result.stderr);
    return { ms, ...(cpu ? { cpuMs: (Number(cpu[1]) + Number(cpu[2])) * 1000 } : {}), ...(kb ? { rssMb: Math.round(Number(kb) / 1024) } : {}) };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rows: string[] = [];
for (const [label, extra] of [['studio load', []], ['studio load --no-validate', ['--no-validate']]] as const) {
  const all = [];
  for (let i = 0; i < runs; i++) all.push(await once(extra));
  const rss = all.map((r) => r.rssMb).filter((v): v is number => v !== undefined);
  const cpu = all.map((r) => r.cpuMs).filter((v): v is number => v !== undefined);
  rows.push(`| \`${label}\` | ${rules.toLocaleString('en')} | ${Math.round(median(all.map((r) => r.ms)))} | ${cpu.length > 0 ? Math.round(median(cpu)) : '?'} | ${rss.length > 0 ? median(rss) : '?'} |`);
  process.stderr.write(`${label}: ${all.map((r) => `${Math.round(r.ms)} ms (CPU ${Math.round(r.cpuMs ?? NaN)} ms)`).join(', ')}\n`);
}
process.stdout.write(['| command | rules | wall ms (median) | CPU ms (median) | peak RSS, MB (median) |', '|---|---:|---:|---:|---:|', ...rows].join('\n') + '\n');
