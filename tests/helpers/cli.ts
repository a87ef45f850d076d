/** Runs the studio CLI from source in a child process, as a user would run the bin. */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { inject } from 'vitest';
import { NEO4J } from './neo4j.js';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The CLI transpiled once by the global setup (tests/helpers/builds.ts); through tsx when a run has none,
 * or outside vitest (the benches under scripts/bench share these helpers, and `inject` throws there).
 */
const built = (() => {
  try {
    return inject('studioCli');
  } catch {
    return undefined;
  }
})();
export const ENTRY = built ? [built] : ['--import', 'tsx', 'src/cli/main.ts'];

/** Runs `studio <args>` to completion. */
export function studio(args: readonly string[], env: Record<string, string> = {}): CliResult {
  const result = spawnSync(process.execPath, [...ENTRY, ...args], {
    encoding: 'utf8',
    // The CLI reaches the same Neo4j as the tests.
    env: { ...process.env, NEO4J_URI: NEO4J.uri, NEO4J_USER: NEO4J.user, NEO4J_PASSWORD: NEO4J.password, ...env },
    maxBuffer: 64 << 20,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Runs `studio <args>` to completion without blocking the test's event loop:
 * for commands that talk to a server the test itself runs (the local
 * OpenAI-compatible endpoint).
 */
export function studioAsync(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...ENTRY, ...args], {
      env: { ...process.env, NEO4J_URI: NEO4J.uri, NEO4J_USER: NEO4J.user, NEO4J_PASSWORD: NEO4J.password, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `studio <args>` and kills it with SIGKILL after `ms`, or as soon as `when` says so (checked every 5 ms); resolves when it is gone. */
export function studioKilledAfter(args: readonly string[], ms: number, options: { env?: Record<string, string>; when?: () => boolean } = {}): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...ENTRY, ...args], { stdio: 'ignore', env: { ...process.env, ...options.env } });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    const poll = options.when
      ? setInterval(() => {
          if (options.when!()) child.kill('SIGKILL');
        }, 5)
      : undefined;
    child.on('exit', () => clearInterval(poll));
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Starts `studio serve <args>` and resolves with its address once it listens; rejects if it exits first. */
export function serveStudio(args: readonly string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; address: string; stderr: () => string }> {
  const child = spawn(process.execPath, [...ENTRY, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      stdout += String(chunk);
      const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (match) resolve({ child, address: match[1]!, stderr: () => stderr });
    });
    child.on('exit', (code) => reject(new Error(`studio serve exited with ${code}: ${stderr}`)));
  });
}
