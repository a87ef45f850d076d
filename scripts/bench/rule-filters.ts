/**
 * Benchmark: GET /v1/rules with the filters the server applies from each
 * rule's facts (action, coverage, failing) and with details=true, on a
 * synthetic policy of N rules (default 10k) in the embedded store, served by
 * `studio serve` in its own process. For each query: the first request (the
 * answer cache empty for its queries) and the median and slowest of the next
 * ones (answers cached). The plain list and a kind filter are the baseline.
 *
 *   npx tsx scripts/bench/rule-filters.ts [rules] [repeats]
 */

import { startBenchServer } from './bench-server.js';

const rules = Number(process.argv[2] ?? 10000);
const repeats = Number(process.argv[3] ?? 10);

const { stop, timed } = await startBenchServer({ rules, role: 'reader' });

try {
  const first = await timed('/v1/rules?limit=1');
  const policy = encodeURIComponent(String(first.body.items[0].policy));
  const context = await timed(`/v1/rules/${encodeURIComponent(String(first.body.items[0].rule))}`);
  const action = context.body.context.find((c: { relation: string }) => c.relation === 'action')?.value as string;
  const routes = [
    `/v1/rules?policy=${policy}&limit=100`,
    `/v1/rules?policy=${policy}&kind=Prohibition&limit=100`,
    `/v1/rules?policy=${policy}&limit=100&details=true`,
    `/v1/rules?policy=${policy}&action=${encodeURIComponent(action)}&limit=100`,
    `/v1/rules?policy=${policy}&coverage=any-gap&limit=100`,
    `/v1/rules?policy=${policy}&coverage=covered&limit=100`,
    `/v1/rules?policy=${policy}&failing=false&limit=100&details=true`,
  ];
  console.log(`${rules} rules, embedded store, answer cache on, one request at a time; ${repeats} requests after the first`);
  console.log('\n| query | matching | first ms | median ms | max ms |\n|---|---:|---:|---:|---:|');
  for (const route of routes) {
    const cold = await timed(route);
    const warm: number[] = [];
    for (let i = 0; i < repeats; i++) warm.push((await timed(route)).ms);
    warm.sort((a, b) => a - b);
    const shown = route.replace(`policy=${policy}&`, '').replace(encodeURIComponent(action), '<action>');
    console.log(`| \`${shown}\` | ${cold.body.total} | ${cold.ms.toFixed(0)} | ${warm[Math.floor(warm.length / 2)]!.toFixed(0)} | ${warm.at(-1)!.toFixed(0)} |`);
  }
} finally {
  await stop();
}
