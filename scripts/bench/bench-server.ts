/**
 * `studio serve` for API benchmarks: the synthetic policy of N rules loaded
 * with `studio load --no-validate` into a scratch data folder, and the server
 * started on it in its own process, on 127.0.0.1, with one bearer token of
 * the role asked for. `stop` ends the server and removes the folder.
 * BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=bench-out/prof" gives the server's node those options too.
 */

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashToken } from '../../src/api/auth.js';
import { writeSyntheticPolicy } from './synthetic-policy.js';

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

export interface BenchServer {
  /** The server's root, http://127.0.0.1:<port>. */
  readonly address: string;
  /** The Authorization header of the server's one token. */
  readonly headers: { readonly authorization: string };
  /** GET of a route with the token: its JSON body and the milliseconds until it was read; throws on a status other than 2xx. */
  timed(route: string): Promise<{ ms: number; body: any }>;
  stop(): Promise<void>;
}

export async function startBenchServer(options: {
  readonly rules: number;
  readonly role: string;
  /** Options of `studio serve` beyond port, data folder and log level. */
  readonly serveArgs?: readonly string[];
  /** Options of the server's node process (a larger heap). */
  readonly nodeArgs?: readonly string[];
}): Promise<BenchServer> {
  const file = `bench-out/synthetic-${options.rules}.ttl`;
  if (!existsSync(file)) await writeSyntheticPolicy(options.rules, file);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-api-bench-'));
  const load = spawnSync(process.execPath, [...CLI, 'load', '--no-validate', '--data-dir', dataDir, file], { encoding: 'utf8' });
  if (load.status !== 0) throw new Error(`studio load failed: ${load.stderr}`);

  const token = `bench-${options.role}-token`;
  const server = spawn(process.execPath, [...(options.nodeArgs ?? []), ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...CLI, 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent', ...(options.serveArgs ?? [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, STUDIO_API_TOKENS: JSON.stringify({ tokens: [{ name: 'bench', sha256: hashToken(token), roles: [options.role] }] }) },
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
  const headers = { authorization: `Bearer ${token}` };
  return {
    address,
    headers,
    timed: async (route) => {
      const start = performance.now();
      const response = await fetch(address + route, { headers });
      const body = await response.json();
      if (!response.ok) throw new Error(`${route}: ${response.status} ${JSON.stringify(body)}`);
      return { ms: performance.now() - start, body };
    },
    stop: async () => {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
