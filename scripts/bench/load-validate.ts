/**
 * Benchmark: parse, load and validate synthetic policies of 1k, 10k and 100k
 * rules. Each step runs in its own process; peak memory is that process's.
 *
 *   npx tsx scripts/bench/load-validate.ts [sizes...]     (default 1000 10000 100000)
 */

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeSyntheticPolicy } from './synthetic-policy.js';

const sizes = process.argv.slice(2).map(Number);
const STEPS = ['store-alone', 'parse', 'studio-load', 'validate'] as const;
const rows: string[] = [];

for (const rules of sizes.length > 0 ? sizes : [1000, 10000, 100000]) {
  const file = `bench-out/synthetic-${rules}.ttl`;
  if (!existsSync(file)) await writeSyntheticPolicy(rules, file);
  const results: Record<string, { ms: number; peakRssMb: number; triples?: number; violations?: number; cpuMs?: number }> = {};
  for (const step of STEPS) {
    const output = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/bench/load-validate-step.ts', step, file], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    results[step] = JSON.parse(output.trim().split('\n').pop()!);
  }
  const r = results as Record<(typeof STEPS)[number], { ms: number; peakRssMb: number; triples?: number; violations?: number; cpuMs?: number }>;
  const ratio = (r['studio-load'].ms / r['store-alone'].ms).toFixed(2);
  rows.push(
    `| ${rules.toLocaleString('en')} | ${r.parse.triples!.toLocaleString('en')} | ${r['store-alone'].ms} | ${r.parse.ms} | ${r['studio-load'].ms} (${ratio}x) | ${r['studio-load'].peakRssMb} | ${r.validate.ms} | ${r.validate.cpuMs} | ${r.validate.peakRssMb} | ${r.validate.violations} |`,
  );
  process.stderr.write(`${rules} rules done\n`);
}

process.stdout.write(
  [
    '| rules | triples | oxigraph alone, ms | parse, ms | studio load, ms (vs alone) | load peak RSS, MB | validate, ms | validate CPU, ms | validate peak RSS, MB | violations |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n') + '\n',
);
