/**
 * Benchmark: /health while a large policy is uploaded. Writes a synthetic
 * policy of N rules (default 115,000: about 1e6 triples), starts `studio
 * serve` in its own process on 127.0.0.1 over an empty scratch data folder
 * (upload limits raised to take it), POSTs the policy as an engineer, and
 * meanwhile sends /health requests one after another, 20 ms apart, until the
 * upload answers. Prints the upload's status and time, and /health's p50, p99
 * and max. Target (issue 18): p99 under 50 ms, max under 200 ms.
 *
 *   npx tsx scripts/bench/upload-health.ts [rules]
 *
 * BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=bench-out/prof" gives the server's node those options.
 */

import { spawn } from 'node:child_process';
import http from 'node:http';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashToken } from '../../src/api/auth.js';
import { writeSyntheticPolicy } from './synthetic-policy.js';

const rules = Number(process.argv[2] ?? 115_000);
const file = `bench-out/synthetic-${rules}.ttl`;
if (!existsSync(file)) await writeSyntheticPolicy(rules, file);
const text = await readFile(file, 'utf8');

const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-upload-bench-'));
const token = 'bench-engineer-token';
const server = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent', '--turtle-limit', '200'], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: {
    ...process.env,
    STUDIO_API_TOKENS: JSON.stringify({ tokens: [{ name: 'bench', sha256: hashToken(token), roles: ['engineer'] }] }),
    STUDIO_MAX_UPLOAD_TRIPLES: '5000000',
  },
});
const address = await new Promise<string>((resolve, reject) => {
  let out = '';
  server.stdout!.on('data', (chunk) => {
    out += String(chunk);
    const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
    if (match) resolve(match[1]!);
  });
  server.once('exit', (code) => reject(new Error(`studio serve exited with ${code}`)));
});

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

try {
  // One request first, so that the numbers below are not the first connection's.
  await fetch(`${address}/health`).then((r) => r.text());
  const started = performance.now();
  let finished = false;
  // node:http rather than fetch, whose client gives up on an answer after 300 s.
  const upload = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = http.request(`${address}/v1/policies?filename=synthetic-${rules}.ttl`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/turtle', 'content-length': Buffer.byteLength(text) },
    });
    request.on('response', (response) => {
      let body = '';
      response.on('data', (chunk) => (body += String(chunk)));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end(text);
  }).finally(() => (finished = true));
  const latencies: number[] = [];
  let failed = 0;
  while (!finished) {
    const sent = performance.now();
    const response = await fetch(`${address}/health`);
    await response.text();
    if (response.status !== 200) failed += 1;
    latencies.push(performance.now() - sent);
    if (latencies.length % 2000 === 0) {
      const sorted = [...latencies].sort((a, b) => a - b);
      console.log(`  after ${((performance.now() - started) / 1000).toFixed(0)} s: ${latencies.length} /health requests, p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const result = await upload;
  const seconds = (performance.now() - started) / 1000;
  const triples = result.status === 201 ? (JSON.parse(result.body) as { triples: number }).triples : undefined;
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(`upload of ${rules} rules (${(Buffer.byteLength(text) / 1024 / 1024).toFixed(1)} MB${triples ? `, ${triples} triples` : ''}): ${result.status} after ${seconds.toFixed(1)} s`);
  if (result.status !== 201) console.log(result.body.slice(0, 500));
  console.log(`/health during it: ${latencies.length} requests, ${failed} failed, p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`);
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  await rm(dataDir, { recursive: true, force: true });
}
