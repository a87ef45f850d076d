/**
 * Templated generation speed on synthetic policies (embedded store): reading
 * the policy context with the generation-* queries, then filling every
 * template and building each item's triples. Items per second counts both.
 * For policies up to --write-max rules (default 10000) it also times the
 * full run (generateForPolicy: read, generate and write the generated graph
 * batch by batch) and the coverage queries, and samples the JS heap and RSS
 * during the run.
 *
 * Each size runs in a process of its own, as `studio generate` does: the
 * template library is loaded and the JIT compiler starts cold for each, so
 * a size is not sped up by the one measured before it. Each phase is timed
 * on the wall clock and in CPU time. CPU time is given twice: the main
 * thread's, which runs generation and is what a user waits for when a core
 * is free beside it, and the whole process's (user + system), which adds
 * V8's threads: the optimising compiler, which compiles hot code beside the
 * main thread in a short run, and the garbage collector's helpers. CPU time
 * varies less than the wall clock on a shared machine. With --again, each
 * process generates a second time, after the first: the difference is the
 * JIT's warm-up, which a user's single run pays (the headline figures are
 * the first run's).
 *
 *   npx tsx scripts/bench/generate.ts 1000 10000 100000 [--write-max 100000] [--again]
 */

import { execFileSync } from 'node:child_process';
import { access, readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { Framer } from '../../src/framers/generate.js';
import { readPolicyContext } from '../../src/framers/policy-context.js';
import { itemQuads } from '../../src/framers/to-rdf.js';
import { generateForPolicy } from '../../src/framers/generation-run.js';
import { readCoverage } from '../../src/framers/coverage.js';
import { writeSyntheticPolicy } from './synthetic-policy.js';

const CHILD = 'child';

/** CPU time of the process (user + system), ms. */
const processCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * CPU time of the main thread, ms: Node's own measure where it has one (23.9 on), else Linux's per-thread
 * scheduler statistics; undefined elsewhere.
 */
async function mainThreadCpuMs(): Promise<number | undefined> {
  const own = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage;
  if (own) {
    const { user, system } = own();
    return (user + system) / 1000;
  }
  const text = await readFile(`/proc/self/task/${process.pid}/schedstat`, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : Number(text.split(' ')[0]) / 1e6;
}

/** The time spent from here on, on the wall clock, by the main thread and by the process, ms. */
async function stopwatch(): Promise<() => Promise<{ wall: number; main: number | undefined; cpu: number }>> {
  const [wall, cpu, main] = [performance.now(), processCpuMs(), await mainThreadCpuMs()];
  return async () => {
    const mainNow = await mainThreadCpuMs();
    return { wall: performance.now() - wall, main: main === undefined || mainNow === undefined ? undefined : mainNow - main, cpu: processCpuMs() - cpu };
  };
}

interface Measurement {
  readonly rules: number;
  readonly items: number;
  readonly triples: number;
  readonly library: { main: number | undefined; cpu: number };
  readonly context: { wall: number; main: number | undefined; cpu: number };
  readonly generate: { wall: number; main: number | undefined; cpu: number };
  readonly again?: { wall: number; main: number | undefined; cpu: number };
  readonly rssMb: number;
  readonly write?: string;
}

/** One size, in this process: what the parent prints a row of. */
async function measure(rules: number, writeMax: number, again: boolean): Promise<Measurement> {
  const file = `bench-out/synthetic-${rules}.ttl`;
  let stop = await stopwatch();
  const library = await TemplateLibrary.load();
  const { main: libraryMain, cpu: libraryCpu } = await stop();
  const store = await EmbeddedStore.open();
  const loaded = await store.loadPolicy(await readTurtle(file));
  global.gc?.();

  stop = await stopwatch();
  const context = await readPolicyContext(store, loaded.policy);
  const contextTime = await stop();

  const generateOnce = async () => {
    const stopGenerate = await stopwatch();
    let [items, triples] = [0, 0];
    for (const item of new Framer(context, library, { seed: 1 }).generate()) {
      items++;
      triples += itemQuads(item).length;
    }
    return { items, triples, time: await stopGenerate() };
  };
  const first = await generateOnce();
  const rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  const second = again ? (await generateOnce()).time : undefined;

  let write: string | undefined;
  if (rules <= writeMax) {
    global.gc?.();
    let [heapPeak, rssPeak] = [0, 0];
    const sample = () => {
      const m = process.memoryUsage();
      heapPeak = Math.max(heapPeak, m.heapUsed);
      rssPeak = Math.max(rssPeak, m.rss);
    };
    const sampler = setInterval(sample, 200);
    let start = performance.now();
    const run = await generateForPolicy(store, loaded.policy, library, { seed: 1, onItems: sample });
    const runMs = performance.now() - start;
    clearInterval(sampler);
    start = performance.now();
    await readCoverage(store, loaded.policy);
    const mb = (bytes: number) => Math.round(bytes / 2 ** 20).toLocaleString('en');
    write = `${Math.round(runMs).toLocaleString('en')} (coverage ${Math.round(performance.now() - start).toLocaleString('en')}); ${run.graph.triples.toLocaleString('en')} triples; JS heap peak ${mb(heapPeak)} MB, RSS peak ${mb(rssPeak)} MB`;
  }
  await store.close();
  return {
    rules,
    items: first.items,
    triples: first.triples,
    library: { main: libraryMain, cpu: libraryCpu },
    context: contextTime,
    generate: first.time,
    ...(second ? { again: second } : {}),
    rssMb,
    ...(write ? { write } : {}),
  };
}

const int = (n: number | undefined) => (n === undefined ? 'n/a' : Math.round(n).toLocaleString('en'));
const perSecond = (items: number, ms: number | undefined) => (ms === undefined ? 'n/a' : Math.round(items / (ms / 1000)).toLocaleString('en'));

function row(m: Measurement): string {
  const g = m.generate;
  const cells = [
    m.rules.toLocaleString('en'),
    m.items.toLocaleString('en'),
    m.triples.toLocaleString('en'),
    `${int(m.library.main)} / ${int(m.library.cpu)}`,
    `${int(m.context.wall)} / ${int(m.context.main)} / ${int(m.context.cpu)}`,
    `${int(g.wall)} / ${int(g.main)} / ${int(g.cpu)}`,
    perSecond(m.items, m.context.wall + g.wall),
    perSecond(m.items, g.wall),
    perSecond(m.items, g.main),
    perSecond(m.items, g.cpu),
    m.again ? `${perSecond(m.items, m.again.main)} / ${perSecond(m.items, m.again.cpu)}` : 'not run',
    String(m.rssMb),
    m.write ?? 'not run',
  ];
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { 'write-max': { type: 'string', default: '10000' }, again: { type: 'boolean', default: false } }, allowPositionals: true });
  const writeMax = Number(values['write-max']);
  if (positionals[0] === CHILD) {
    process.stdout.write(`${JSON.stringify(await measure(Number(positionals[1]), writeMax, values.again))}\n`);
    return;
  }
  const sizes = positionals.length > 0 ? positionals.map(Number).filter((n) => n > 0) : [1000, 10_000, 100_000];
  const rows: string[] = [];
  for (const rules of sizes) {
    const file = `bench-out/synthetic-${rules}.ttl`;
    await access(file).catch(() => writeSyntheticPolicy(rules, file));
    const output = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), CHILD, String(rules), '--write-max', String(writeMax), ...(values.again ? ['--again'] : [])], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    });
    rows.push(row(JSON.parse(output.trim().split('\n').pop()!) as Measurement));
    process.stderr.write(`${rows.at(-1)}\n`);
  }
  const load = (await readFile('/proc/loadavg', 'utf8').catch(() => '')).split(' ').slice(0, 3).join(' ');
  const cores = (await readdir('/sys/devices/system/cpu').catch(() => [] as string[])).filter((d) => /^cpu\d+$/.test(d)).length;
  process.stdout.write(
    [
      '| rules | items | item triples | template library load, CPU ms (main thread / process) | context read, ms (wall / main-thread CPU / process CPU) | generate, ms (wall / main-thread CPU / process CPU) | items/s (read + generate, wall) | items/s (generate alone, wall) | items per main-thread CPU s (generate alone) | items per process CPU s (generate alone) | again in the same process: items per main-thread / process CPU s | RSS after, MB | full run with graph write, ms |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
      ...rows,
    ].join('\n') + '\n',
  );
  if (load) process.stdout.write(`\nload average at the end: ${load}${cores ? ` (${cores} cores)` : ''}\n`);
}

await main();
