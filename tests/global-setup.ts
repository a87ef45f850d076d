/**
 * Starts the project's Neo4j for the test run unless NEO4J_URI points at
 * one already, and stops it afterwards if it started it. Without Java or
 * Maven the Neo4j specs are skipped, unless STUDIO_REQUIRE_NEO4J=1 (CI),
 * where that is a failure.
 */

import { execFileSync } from 'node:child_process';

let started = false;

export function setup(): void {
  if (process.env.NEO4J_URI) return;
  try {
    execFileSync('bash', ['scripts/neo4j/start.sh'], { stdio: ['ignore', 'inherit', 'inherit'] });
    started = true;
    process.env.NEO4J_URI = 'bolt://127.0.0.1:7687';
  } catch (error) {
    if (process.env.STUDIO_REQUIRE_NEO4J === '1') throw error;
    process.stderr.write('Neo4j could not be started: the Neo4j specs will be skipped.\n');
  }
}

export function teardown(): void {
  if (started) execFileSync('bash', ['scripts/neo4j/stop.sh'], { stdio: ['ignore', 'inherit', 'inherit'] });
}
