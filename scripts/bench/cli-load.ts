/**
 * Benchmark: `studio load` as a user runs it (a new process each time, from
 * the build in dist/) of a synthetic policy of N rules into an empty scratch
 * data folder, with validation (the default) and with --no-validate. Each
 * figure is the median of a few runs: wall time and the process's peak RSS.
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

/** One `studio load` into a new data folder: wall ms and peak RSS in MB (GNU time's %M, else unknown). */
async function once(extra: readonly string[]): Promise<{ ms: number; rssMb?: number }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-cli-load-'));
  try {
    const timed = existsSync('/usr/bin/time');
    const command = timed ? '/usr/bin/time' : process.execPath;
    const args = [...(timed ? ['-f', 'peak-rss-kb %M', process.execPath] : []), CLI, 'load', ...extra, '--data-dir', dataDir, file];
    const start = performance.now();
    const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
    const ms = performance.now() - start;
    if (result.status !== 0) throw new Error(`studio load exited with ${result.status}: ${result.stderr}`);
    const kb = /peak-rss-kb (\d+)/.exec(result.stderr)?.[1];
    return { ms, ...(kb ? { rssMb: Math.round(Number(kb) / 1024) } : {}) };
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
  rows.push(`| \`${label}\` | ${rules.toLocaleString('en')} | ${Math.round(median(all.map((r) => r.ms)))} | ${rss.length > 0 ? median(rss) : '?'} |`);
  process.stderr.write(`${label}: ${all.map((r) => Math.round(r.ms)).join(', ')} ms\n`);
}
process.stdout.write(['| command | rules | ms (median) | peak RSS, MB (median) |', '|---|---:|---:|---:|', ...rows].join('\n') + '\n');
