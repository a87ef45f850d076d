/**
 * For the test files that use Neo4j (vitest.config.ts, project neo4j):
 * starts the project's Neo4j for the test run unless one answers already
 * (at NEO4J_URI, or the project's default port), and stops it afterwards only
 * if it started it. Without Java or Maven the Neo4j specs are skipped, unless
 * STUDIO_REQUIRE_NEO4J=1 (CI), where that is a failure.
 */

import { execFileSync } from 'node:child_process';
import net from 'node:net';

let started = false;

function answers(uri: string): Promise<boolean> {
  const { hostname, port } = new URL(uri);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 7687) });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The project's server listens on NEO4J_BOLT_PORT (scripts/neo4j/start.sh), 7687 by default. */
export const DEFAULT_NEO4J_URI = `bolt://127.0.0.1:${process.env.NEO4J_BOLT_PORT ?? 7687}`;

export async function setup(): Promise<void> {
  if (await answers(process.env.NEO4J_URI ?? DEFAULT_NEO4J_URI)) return;
  if (process.env.NEO4J_URI) {
    if (process.env.STUDIO_REQUIRE_NEO4J === '1') throw new Error(`NEO4J_URI=${process.env.NEO4J_URI} does not answer`);
    return;
  }
  try {
    execFileSync('bash', ['scripts/neo4j/start.sh'], { stdio: ['ignore', 'inherit', 'inherit'] });
    started = true;
  } catch (error) {
    if (process.env.STUDIO_REQUIRE_NEO4J === '1') throw error;
    process.stderr.write('Neo4j could not be started: the Neo4j specs will be skipped.\n');
  }
}

export function teardown(): void {
  if (started) execFileSync('bash', ['scripts/neo4j/stop.sh'], { stdio: ['ignore', 'inherit', 'inherit'] });
}
