/**
 * Benchmark: `studio generate --changed` as a user runs it (a new process
 * each time, from the build in dist/), by the share of the rules a change
 * rewords, against a full `studio generate` of the same new version: how its
 * time grows with the change at a fixed policy. For a synthetic policy of N
 * rules, a first version is loaded and generated with its datasets; for each
 * share, a copy of that data folder gets the policy with that share of its
 * rules reworded (spread over the sections: every k-th rule), loaded; then,
 * round after round, each share's copy is copied afresh and synced to the
 * disk, and `generate --changed` runs on it (the full run on the 1% copy
 * without --changed). Medians of the rounds: wall time, and CPU time (user +
 * system, with /usr/bin/time when the machine has it, workers included).
 * With --series K, then, on a copy of the first version's folder, K versions
 * in a row, each rewording another 1% of the rules, each loaded and
 * `generate --changed` (one run each): the time of each, and how many
 * patches the generated graph has after it (0: it was written whole).
 *
 *   npm run build && npx tsx scripts/bench/generate-changed-cli.ts [rules] [--shares 0,0.1,1,10] [--rounds 3] [--series 0]
 */

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticPolicy } from './synthetic-policy.js';

const CLI = process.env.BENCH_CLI ?? 'dist/cli/main.js';
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at < 0 ? fallback : args.splice(at, 2)[1]!;
};
const shares = option('--shares', '0,0.1,1,10').split(',').map(Number);
const rounds = Number(option('--rounds', '3'));
const series = Number(option('--series', '0'));
const rules = Number(args[0] ?? 10000);

interface Run {
  readonly wall: number;
  readonly cpu?: number;
  readonly changed?: { readonly rules: number; readonly regenerated: number; readonly kept: number };
}

/** The CLI in a process of its own; dies with its stderr when the command fails. */
function studio(command: readonly string[]): Run {
  const argv = [CLI, ...command];
  const started = performance.now();
  const result = TIME ? spawnSync(TIME, ['-f', 'cpu-s %U %S', process.execPath, ...argv], { encoding: 'utf8', maxBuffer: 1 << 28 }) : spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const wall = performance.now() - started;
  if (result.status !== 0) throw new Error(`studio ${command.join(' ')} failed: ${result.stderr}`);
  const cpu = /cpu-s ([\d.]+) ([\d.]+)/.exec(result.stderr);
  const json = command.includes('--json') ? (JSON.parse(result.stdout) as { changed?: Run['changed'] }[]) : undefined;
  return { wall, ...(cpu ? { cpu: (Number(cpu[1]) + Number(cpu[2])) * 1000 } : {}), ...(json?.[0]?.changed ? { changed: json[0].changed } : {}) };
}

/** The policy's text with every `every`-th rule reworded (the rule numbered every/2 in each run of `every`). */
function reworded(text: string, every: number): string {
  return text.replace(/(syn:rule-(\d+) a studio:\w+ ;[^]*?studio:text "[^"]*)\."/g, (whole, head: string, r: string) => (Number(r) % every === Math.floor(every / 2) ? `${head}, as amended."` : whole));
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const s = (ms: number | undefined) => (ms === undefined ? '?' : (ms / 1000).toFixed(1));

const dir = await mkdtemp(path.join(tmpdir(), 'studio-bench-changed-cli-'));
try {
  const file = path.join(dir, 'policy.ttl');
  await writeSyntheticPolicy(rules, file);
  const v1 = path.join(dir, 'v1');
  studio(['load', '--data-dir', path.join(v1, 'data'), file]);
  studio(['generate', '--seed', '1', '--data-dir', path.join(v1, 'data'), '--out', path.join(v1, 'out')]);
  const text = await readFile(file, 'utf8');
  const folders = new Map<number, string>();
  for (const share of shares) {
    const folder = path.join(dir, `share-${share}`);
    await cp(v1, folder, { recursive: true });
    await writeFile(file, share === 0 ? text : reworded(text, Math.round(100 / share)));
    studio(['load', '--data-dir', path.join(folder, 'data'), file]);
    folders.set(share, folder);
  }
  const runs = new Map<number | 'full', Run[]>();
  const run = path.join(dir, 'run');
  for (let round = 0; round < rounds; round++) {
    for (const share of [...shares, 'full'] as const) {
      await rm(run, { recursive: true, force: true });
      await cp(folders.get(share === 'full' ? 1 : share) ?? folders.values().next().value!, run, { recursive: true });
      spawnSync('sync');
      const result = studio(['generate', '--seed', '1', ...(share === 'full' ? [] : ['--changed']), '--json', '--data-dir', path.join(run, 'data'), '--out', path.join(run, 'out')]);
      runs.set(share, [...(runs.get(share) ?? []), result]);
      process.stderr.write(`round ${round + 1}, ${share === 'full' ? 'full' : `${share}%`}: ${s(result.wall)} s wall, ${s(result.cpu)} s CPU\n`);
    }
  }
  const full = runs.get('full')!;
  const [fullWall, fullCpu] = [median(full.map((r) => r.wall)), full[0]!.cpu === undefined ? undefined : median(full.map((r) => r.cpu!))];
  console.log('| rules | share reworded | rules affected | rendered again | kept | `--changed`, wall / CPU s | of the full run, wall / CPU |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const share of shares) {
    const list = runs.get(share)!;
    const [wall, cpu] = [median(list.map((r) => r.wall)), list[0]!.cpu === undefined ? undefined : median(list.map((r) => r.cpu!))];
    const c = list[0]!.changed!;
    const pct = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '?' : `${Math.round((100 * a) / b)}%`);
    console.log(`| ${rules.toLocaleString('en')} | ${share}% | ${c.rules} | ${c.regenerated.toLocaleString('en')} | ${c.kept.toLocaleString('en')} | ${s(wall)} / ${s(cpu)} | ${pct(wall, fullWall)} / ${pct(cpu, fullCpu)} |`);
  }
  console.log(`| ${rules.toLocaleString('en')} | full \`generate\` | | | | ${s(fullWall)} / ${s(fullCpu)} | |`);
  if (series > 0) {
    const folder = path.join(dir, 'series');
    await cp(v1, folder, { recursive: true });
    let version = text;
    console.log('\n| version | rules affected | rendered again | `--changed`, wall / CPU s | patches of the generated graph after |');
    console.log('|---:|---:|---:|---:|---:|');
    for (let k = 1; k <= series; k++) {
      // Another 1% each time: the rules numbered k modulo 100.
      version = version.replace(/(syn:rule-(\d+) a studio:\w+ ;[^]*?studio:text "[^"]*)\."/g, (whole, head: string, r: string) => (Number(r) % 100 === k % 100 ? `${head}, as amended in version ${k + 1}."` : whole));
      await writeFile(file, version);
      studio(['load', '--data-dir', path.join(folder, 'data'), file]);
      spawnSync('sync');
      const result = studio(['generate', '--seed', '1', '--changed', '--json', '--data-dir', path.join(folder, 'data'), '--out', path.join(folder, 'out')]);
      const manifest = JSON.parse(await readFile(path.join(folder, 'data', 'manifest.json'), 'utf8')) as { graphs: { derivedKind?: string; patches?: unknown[] }[] };
      const patches = manifest.graphs.find((g) => g.derivedKind === 'generated')?.patches?.length ?? 0;
      console.log(`| ${k + 1} | ${result.changed!.rules} | ${result.changed!.regenerated.toLocaleString('en')} | ${s(result.wall)} / ${s(result.cpu)} | ${patches} |`);
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
