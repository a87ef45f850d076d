/**
 * Benchmark: the API under load on a synthetic policy of N rules (default
 * 10k) in the embedded store. Loads the policy into a scratch data folder
 * with `studio load --no-validate`, starts `studio serve` in its own process
 * on 127.0.0.1, and drives it with autocannon, bounded in time and count:
 * rule detail (a different rule each request), the first page of the rules
 * list, a filtered page, a deep cursor page, and the policy's coverage (the
 * four coverage queries: 10k rules give 30k rows to page), first pages and a
 * deep page. Target: p99 under 50 ms. (Conflicts are not loaded here: this
 * random policy holds 566k conflicting pairs, whose detection alone takes
 * minutes; scripts/bench/conflicts.ts measures detection.)
 *
 *   npx tsx scripts/bench/api-load.ts [rules] [seconds] [connections] [cache|no-cache]
 *
 * With no-cache the server runs every named query for every request (the
 * embedded store's answer cache is off), which is the cost of a first read.
 */

import autocannon from 'autocannon';
import { startBenchServer } from './bench-server.js';

const rules = Number(process.argv[2] ?? 10000);
const seconds = Number(process.argv[3] ?? 10);
const connections = Number(process.argv[4] ?? 10);
const cache = (process.argv[5] ?? 'cache') !== 'no-cache';
const MAX_REQUESTS = 200_000;

const { address, headers, stop } = await startBenchServer({ rules, role: 'reader', serveArgs: cache ? [] : ['--no-cache'] });

async function get(route: string): Promise<any> {
  const response = await fetch(address + route, { headers });
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
  return response.json();
}

try {
  // Rule IRIs to cycle through: five pages of the list, from the start and the middle.
  const firstPage = await get('/v1/rules?limit=500');
  const middle = firstPage.items[250].rule as string;
  const deep = await get(`/v1/rules?limit=500&after=${encodeURIComponent(String(firstPage.items[499].rule).replace(/\d+$/, '5'))}`);
  const iris: string[] = [...firstPage.items, ...deep.items].map((r: { rule: string }) => r.rule);
  const policy = encodeURIComponent(String(firstPage.items[0].policy));
  let next = 0;
  const scenarios: { name: string; path?: string; paths?: () => string }[] = [
    { name: 'GET /v1/rules/:rule (detail, varying rule)', paths: () => `/v1/rules/${encodeURIComponent(iris[next++ % iris.length]!)}` },
    { name: 'GET /v1/rules?limit=100 (first page)', path: '/v1/rules?limit=100' },
    { name: 'GET /v1/rules?kind=Prohibition&limit=100', path: '/v1/rules?kind=Prohibition&limit=100' },
    { name: 'GET /v1/rules?limit=100&after=<middle> (cursor page)', path: `/v1/rules?limit=100&after=${encodeURIComponent(middle)}` },
    { name: 'GET /v1/policies/:policy/coverage (first pages)', path: `/v1/policies/${policy}/coverage` },
    { name: 'GET /v1/policies/:policy/coverage?offset=20000&limit=500', path: `/v1/policies/${policy}/coverage?offset=20000&limit=500` },
  ];
  const rows: string[] = [];
  console.log(`${rules} rules, embedded store, answer cache ${cache ? 'on' : 'off'}, ${connections} connections, ${seconds} s per route (at most ${MAX_REQUESTS} requests), ${firstPage.total} rules listed`);
  for (const scenario of scenarios) {
    const result = await autocannon({
      url: address,
      connections,
      duration: seconds,
      maxOverallRequests: MAX_REQUESTS,
      headers,
      requests: [scenario.paths ? { method: 'GET', setupRequest: (request) => ({ ...request, path: scenario.paths!() }) } : { method: 'GET', path: scenario.path! }],
    });
    const failed = result.errors + result.timeouts + result.non2xx;
    rows.push(
      `| ${scenario.name} | ${result.requests.total} | ${result.requests.average.toFixed(0)} | ${result.latency.p50} | ${result.latency.p99} | ${result.latency.max} | ${failed} |`,
    );
    console.log(rows[rows.length - 1]);
  }
  console.log('\n| route | requests | req/s | p50 ms | p99 ms | max ms | failed |\n|---|---:|---:|---:|---:|---:|---:|');
  console.log(rows.join('\n'));
} finally {
  await stop();
}
