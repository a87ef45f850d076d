/**
 * Benchmark: how long the CLI takes to answer, as a user runs it (a new
 * process each time, from the build in dist/): `studio --help`, `studio
 * validate` of a sample policy, and `studio stats` on data folders holding a
 * synthetic policy of 1k, 10k and 100k rules. Stats is timed as this studio
 * answers it (from the rule summary the manifest keeps) and as a data folder
 * written by an older studio makes it (its manifest without the summary: the
 * graphs are read and the query run). Each figure is the median of a few
 * runs. The data folders are kept in bench-out/ for the next run; loading
 * 100k rules the first time takes a minute or so.
 *
 *   npm run build && npx tsx scripts/bench/cli-startup.ts [sizes...]     (default 1000 10000 100000)
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { writeSyntheticPolicy } from './synthetic-policy.js';

const CLI = 'dist/cli/main.js';
const SAMPLE = 'policies/business-conduct.ttl';
const sizes = process.argv.slice(2).map(Number);

if (!existsSync(CLI)) {
  process.stderr.write(`${CLI} is missing: building it (npm run build)\n`);
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}

/** Runs the CLI once; its wall time in ms. Fails on a non-zero exit. */
function run(args: readonly string[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`studio ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  return ms;
}

/** The median wall time of `times` runs, in ms. */
function median(args: readonly string[], times: number): number {
  const all = Array.from({ length: times }, () => run(args)).sort((a, b) => a - b);
  return Math.round(all[Math.floor(all.length / 2)]!);
}

const rows: string[] = [];
rows.push(`| \`studio --help\` | | ${median(['--help'], 5)} |`);
rows.push(`| \`studio validate ${SAMPLE}\` | | ${median(['validate', SAMPLE], 3)} |`);
process.stderr.write('--help and validate done\n');

for (const rules of sizes.length > 0 ? sizes : [1000, 10000, 100000]) {
  const file = `bench-out/synthetic-${rules}.ttl`;
  if (!existsSync(file)) await writeSyntheticPolicy(rules, file);
  const dataDir = `bench-out/cli-data-${rules}`;
  if (!existsSync(`${dataDir}/manifest.json`)) {
    await rm(dataDir, { recursive: true, force: true });
    const ms = run(['load', '--no-validate', '--data-dir', dataDir, file]);
    process.stderr.write(`${rules} rules loaded in ${Math.round(ms)} ms\n`);
  }
  const stats = median(['stats', '--data-dir', dataDir], 3);
  // The same folder as an older studio wrote it: no rule summary in the manifest.
  const older = `${dataDir}-older`;
  await rm(older, { recursive: true, force: true });
  await cp(dataDir, older, { recursive: true });
  const manifest = JSON.parse(await readFile(`${older}/manifest.json`, 'utf8')) as { graphs: Record<string, unknown>[] };
  for (const entry of manifest.graphs) delete entry.summary;
  await writeFile(`${older}/manifest.json`, JSON.stringify(manifest));
  const statsOlder = median(['stats', '--data-dir', older], rules >= 100_000 ? 1 : 3);
  await rm(older, { recursive: true, force: true });
  rows.push(`| \`studio stats\` | ${rules.toLocaleString('en')} | ${stats} | ${statsOlder} |`);
  process.stderr.write(`${rules} rules done\n`);
}

process.stdout.write(
  ['| command | rules loaded | ms (median) | ms, folder of an older studio (graphs read) |', '|---|---:|---:|---:|', ...rows].join('\n') + '\n',
);
