/**
 * Regenerating only what changed, against generating everything again: for a
 * synthetic policy of N rules, a full generation (with its datasets), then
 * 1% of its rules reworded and the policy reloaded; then `generate --changed`
 * in that data folder, and a full generation of the new version in a data
 * folder of its own (each loaded as `studio load` does). Both write the datasets; the full run writes the
 * generated graph whole, `--changed` patches it (and copies the promptfoo
 * tests of unchanged items from the datasets already there, and the kept
 * items' texts from them too, the folder's record vouching that they are the
 * generated graph's). Each run opens its store afresh, as the command does,
 * so reading the data folder's graphs into oxigraph counts. Wall
 * and CPU time (user + system of the whole process, oxigraph and its threads
 * included) of each, and, to show where the time goes, the framer's pass
 * alone (the context read, no write): building every item, and as
 * `--changed` runs it (the items of the rules not affected spliced from the
 * earlier run, the rest built, kept ones with their earlier texts).
 *
 *   npx tsx scripts/bench/generate-changed.ts [rules ...]   (default 1000 10000)
 */

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { loadPolicies } from '../../src/cli/commands/load.js';
import { runGeneration, type GenerateSummary } from '../../src/cli/commands/generate.js';
import { planSelective } from '../../src/framers/selective.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { readPolicyContext } from '../../src/framers/policy-context.js';
import { Framer } from '../../src/framers/generate.js';
import { policyDatasetFolder } from '../../src/framers/exports/write-exports.js';
import { writeSyntheticPolicy } from './synthetic-policy.js';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const s = (ms: number) => (ms / 1000).toFixed(1);

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const [wall0, cpu0] = [performance.now(), process.cpuUsage()];
  const value = await run();
  const cpu = process.cpuUsage(cpu0);
  return { value, wall: performance.now() - wall0, cpu: (cpu.user + cpu.system) / 1000 };
}

const rows: string[] = [];
for (const rules of sizes.length > 0 ? sizes : [1000, 10000]) {
  const dir = await mkdtemp(path.join(tmpdir(), 'studio-bench-changed-'));
  const file = path.join(dir, 'policy.ttl');
  await writeSyntheticPolicy(rules, file);
  let a = await EmbeddedStore.open({ dataDir: path.join(dir, 'a') });
  let b = await EmbeddedStore.open({ dataDir: path.join(dir, 'b') });
  try {
    // Loaded as `studio load` loads (without validating): each version's facts kept with it, for planning.
    const loaded = (await loadPolicies(a, [file], { validate: false }))[0]!;
    await runGeneration(a, { seed: 1, out: path.join(dir, 'a-out') });
    // Every 100th rule reworded: 1% of the rules.
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/(syn:rule-(\d+) a studio:\w+ ;[^]*?studio:text "[^"]*)\."/g, (whole, head: string, r: string) => (Number(r) % 100 === 50 ? `${head}, as amended."` : whole)));
    await loadPolicies(a, [file], { validate: false });
    await loadPolicies(b, [file], { validate: false });

    // The framer's pass alone, building every item and as --changed runs it (before either run replaces the earlier graph).
    const library = await TemplateLibrary.load();
    const context = await readPolicyContext(a, loaded.policy);
    const datasets = policyDatasetFolder(path.join(dir, 'a-out'), (await a.listPolicies()).find((p) => p.policy === loaded.policy)!);
    const plan = await timed(() => planSelective(a, loaded.policy, library, { datasets, seed: 1 }));
    if (plan.value.keptTextsFrom !== 'datasets') throw new Error(`the kept texts came from the ${plan.value.keptTextsFrom}, not the datasets`);
    if (!plan.value.splice) throw new Error(`no splice: ${plan.value.spliceless}`);
    const pass = (selective?: Pick<typeof plan.value, 'reuse' | 'splice'>) =>
      timed(async () => {
        let n = 0;
        for (const _ of new Framer(context, library, { seed: 1, ...(selective ? { reuse: selective.reuse, ...(selective.splice ? { splice: selective.splice } : {}) } : {}) }).generate()) n++;
        return n;
      });
    const passFull = await pass();
    const passKept = await pass(plan.value);
    await plan.value.datasets?.close();

    // Each run in a store opened afresh, as the command runs: reading the data folder's graphs into oxigraph is part of it.
    await a.close();
    a = await EmbeddedStore.open({ dataDir: path.join(dir, 'a') });
    const changed = await timed(() => runGeneration(a, { seed: 1, out: path.join(dir, 'a-out'), changed: true }));
    await b.close();
    b = await EmbeddedStore.open({ dataDir: path.join(dir, 'b') });
    const full = await timed(() => runGeneration(b, { seed: 1, out: path.join(dir, 'b-out') }));
    const c = (changed.value[0] as GenerateSummary).changed!;
    if (c.framer !== 'splice') throw new Error(`--changed built every item: ${c.passBecause}`);
    rows.push(
      `| ${rules.toLocaleString('en')} | ${full.value[0]!.items.toLocaleString('en')} | ${c.rules} | ${c.regenerated.toLocaleString('en')} | ${c.kept.toLocaleString('en')} | ${s(full.wall)} / ${s(full.cpu)} | ${s(changed.wall)} / ${s(changed.cpu)} | ${s(plan.wall)} | ${s(passFull.wall)} | ${s(passKept.wall)} |`,
    );
    process.stderr.write(`${rows.at(-1)}\n`);
  } finally {
    await a.close();
    await b.close();
    await rm(dir, { recursive: true, force: true });
  }
}
console.log('| rules | items | rules affected | rendered again | kept | full generate, wall / CPU s | --changed, wall / CPU s | of which planning, s | framer pass alone, full, s | framer pass alone, as --changed (spliced), s |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(row);
