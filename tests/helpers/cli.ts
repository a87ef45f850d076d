/** Runs the studio CLI from source in a child process, as a user would run the bin. */

import { spawn, spawnSync } from 'node:child_process';
import { NEO4J } from './neo4j.js';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const ENTRY = ['--import', 'tsx', 'src/cli/main.ts'];

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

/** Starts `studio <args>` and kills it with SIGKILL after `ms`; resolves when it is gone. */
export function studioKilledAfter(args: readonly string[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...ENTRY, ...args], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
