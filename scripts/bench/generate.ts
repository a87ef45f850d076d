/**
 * Templated generation speed on synthetic policies (embedded store): reading
 * the policy context with the generation-* queries, then filling every
 * template and building each item's triples. Items per second counts both.
 * For policies up to --write-max rules (default 10000) it also times the
 * full run (generateForPolicy: read, generate and write the generated graph
 * batch by batch) and the coverage queries, and samples the JS heap and RSS
 * during the run. Each phase is timed on the wall clock and in CPU time
 * (user + system), which a shared machine disturbs less.
 *
 *   npx tsx scripts/bench/generate.ts 1000 10000 100000 [--write-max 100000]
 */

import { access } from 'node:fs/promises';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { Framer } from '../../src/framers/generate.js';
import { readPolicyContext } from '../../src/framers/policy-context.js';
import { itemQuads } from '../../src/framers/to-rdf.js';
import { generateForPolicy } from '../../src/framers/generation-run.js';
import { readCoverage } from '../../src/framers/coverage.js';
import { writeSyntheticPolicy } from './synthetic-policy.js';

const writeMaxAt = process.argv.indexOf('--write-max');
const WRITE_MAX = writeMaxAt > 0 ? Number(process.argv[writeMaxAt + 1]) : 10_000;
const sizes = process.argv.slice(2).filter((_, i, all) => all[i - 1] !== '--write-max' && all[i] !== '--write-max').map(Number).filter((n) => n > 0);
// CPU time (user + system) as well as wall time: on a shared machine the wall clock varies twofold.
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
let cpuStart = cpuMs();
const library = await TemplateLibrary.load();
process.stderr.write(`template library loaded (templates compiled, term forms loaded): ${Math.round(cpuMs() - cpuStart)} ms CPU\n`);
const rows: string[] = [];

for (const rules of sizes.length > 0 ? sizes : [1000, 10_000, 100_000]) {
  const file = `bench-out/synthetic-${rules}.ttl`;
  await access(file).catch(() => writeSyntheticPolicy(rules, file));
  const store = await EmbeddedStore.open();
  const loaded = await store.loadPolicy(await readTurtle(file));
  global.gc?.();

  let start = performance.now();
  cpuStart = cpuMs();
  const context = await readPolicyContext(store, loaded.policy);
  const contextMs = performance.now() - start;
  const contextCpu = cpuMs() - cpuStart;

  start = performance.now();
  cpuStart = cpuMs();
  let items = 0;
  let triples = 0;
  for (const item of new Framer(context, library, { seed: 1 }).generate()) {
    items++;
    triples += itemQuads(item).length;
  }
  const generateMs = performance.now() - start;
  const generateCpu = cpuMs() - cpuStart;
  const peakMb = Math.round(process.memoryUsage().rss / 2 ** 20);

  let writeCell = 'not run';
  if (rules <= WRITE_MAX) {
    global.gc?.();
    let [heapPeak, rssPeak] = [0, 0];
    const sample = () => {
      const m = process.memoryUsage();
      heapPeak = Math.max(heapPeak, m.heapUsed);
      rssPeak = Math.max(rssPeak, m.rss);
    };
    const sampler = setInterval(sample, 200);
    start = performance.now();
    const run = await generateForPolicy(store, loaded.policy, library, { seed: 1, onItems: sample });
    const runMs = performance.now() - start;
    clearInterval(sampler);
    start = performance.now();
    await readCoverage(store, loaded.policy);
    const mb = (bytes: number) => Math.round(bytes / 2 ** 20).toLocaleString('en');
    writeCell = `${Math.round(runMs).toLocaleString('en')} (coverage ${Math.round(performance.now() - start).toLocaleString('en')}); ${run.graph.triples.toLocaleString('en')} triples; JS heap peak ${mb(heapPeak)} MB, RSS peak ${mb(rssPeak)} MB`;
  }
  await store.close();
  const perSecond = Math.round(items / ((contextMs + generateMs) / 1000));
  rows.push(
    `| ${rules.toLocaleString('en')} | ${items.toLocaleString('en')} | ${triples.toLocaleString('en')} | ${Math.round(contextMs)} | ${Math.round(generateMs)} | ${perSecond.toLocaleString('en')} | ${Math.round(items / (generateMs / 1000)).toLocaleString('en')} | ${Math.round(contextCpu)} | ${Math.round(generateCpu)} | ${Math.round(items / (generateCpu / 1000)).toLocaleString('en')} | ${peakMb} | ${writeCell} |`,
  );
  process.stderr.write(`${rows.at(-1)}\n`);
}

process.stdout.write(
  [
    '| rules | items | item triples | context read, ms | generate, ms | items/s (read + generate) | items/s (generate alone) | context read, CPU ms | generate, CPU ms | items per CPU s (generate alone) | RSS after, MB | full run with graph write, ms |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
  ].join('\n') + '\n',
);
