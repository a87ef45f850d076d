/**
 * Benchmark: the graph view's API answers on a synthetic policy of N rules
 * (default 10k, sections of 100 rules) in the embedded store, served by
 * `studio serve` in its own process: GET /v1/policies/{policy}/graph (the
 * overview by section: its node and edge counts) and GET /v1/rules/{rule}/graph
 * for rules with an exception and a cross-reference. For each: the first
 * request (the answer cache empty for its queries) and the median and slowest
 * of the next ones (answers cached; the neighbourhoods are of rules not asked before).
 *
 *   npx tsx scripts/bench/graph.ts [rules] [repeats]
 */

import { startBenchServer } from './bench-server.js';

const rules = Number(process.argv[2] ?? 10000);
const repeats = Number(process.argv[3] ?? 10);

const { stop, timed } = await startBenchServer({ rules, role: 'reader' });

const stats = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, max: sorted.at(-1)! };
};

try {
  const first = await timed('/v1/rules?limit=1');
  const policy = encodeURIComponent(String(first.body.items[0].policy));
  const rule = (r: number) => encodeURIComponent(String(first.body.items[0].rule).replace(/rule-\d+$/, `rule-${r}`));
  console.log(`${rules} rules, embedded store, answer cache on, one request at a time; ${repeats} requests after the first`);
  console.log('\n| request | nodes | edges | more | first ms | median ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|');

  const overviewRoute = `/v1/policies/${policy}/graph?limit=500`;
  const cold = await timed(overviewRoute);
  const warm: number[] = [];
  for (let i = 0; i < repeats; i++) warm.push((await timed(overviewRoute)).ms);
  const o = stats(warm);
  console.log(`| overview by section | ${cold.body.nodes.length} | ${cold.body.edges.length} | ${cold.body.more} | ${cold.ms.toFixed(0)} | ${o.median.toFixed(0)} | ${o.max.toFixed(0)} |`);

  // Rules 6999, 7009, …: each has an exception (every 10th rule), is referred to or refers (every 7th), and was never asked before.
  const neighbourhoods: { ms: number; body: any }[] = [];
  for (let i = 0; i <= repeats; i++) neighbourhoods.push(await timed(`/v1/rules/${rule(Math.min(rules - 1, Math.floor(rules * 0.7) - 1 + 10 * i))}/graph`));
  const [one, ...rest] = neighbourhoods;
  const n = stats(rest.map((r) => r.ms));
  console.log(`| a rule's neighbourhood (${rest.length + 1} rules, each asked once) | ${one!.body.nodes.length} | ${one!.body.edges.length} | ${one!.body.more} | ${one!.ms.toFixed(0)} | ${n.median.toFixed(0)} | ${n.max.toFixed(0)} |`);
} finally {
  await stop();
}
