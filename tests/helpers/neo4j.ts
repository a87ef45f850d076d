/**
 * The Neo4j the tests use: NEO4J_URI (default: the project's server that
 * tests/neo4j-setup.ts starts). When none answers, Neo4j tests are skipped,
 * except with STUDIO_REQUIRE_NEO4J=1 (CI), where that is an error.
 */

import neo4j from 'neo4j-driver';
import type { Neo4jConnection } from '../../src/store/neo4j-store.js';

export const NEO4J: Neo4jConnection = {
  uri: process.env.NEO4J_URI ?? `bolt://127.0.0.1:${process.env.NEO4J_BOLT_PORT ?? 7687}`,
  user: process.env.NEO4J_USER ?? 'neo4j',
  password: process.env.NEO4J_PASSWORD ?? 'studio-test-password',
};

/** True when Neo4j answers; throws when it does not and CI requires it. */
export async function neo4jAvailable(): Promise<boolean> {
  const driver = neo4j.driver(NEO4J.uri, neo4j.auth.basic(NEO4J.user, NEO4J.password), { connectionTimeout: 5000 });
  try {
    await driver.verifyConnectivity();
    return true;
  } catch (error) {
    if (process.env.STUDIO_REQUIRE_NEO4J === '1') throw new Error(`Neo4j is required (STUDIO_REQUIRE_NEO4J=1) but ${NEO4J.uri} does not answer: ${String(error)}`);
    return false;
  } finally {
    await driver.close();
  }
}

/** Empties the database: every node, relationship and registry entry. */
export async function wipeNeo4j(): Promise<void> {
  const driver = neo4j.driver(NEO4J.uri, neo4j.auth.basic(NEO4J.user, NEO4J.password));
  const session = driver.session();
  try {
    // CALL ... IN TRANSACTIONS needs an auto-commit transaction: session.run, not executeWrite.
    await session.run('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
  } finally {
    await session.close();
    await driver.close();
  }
}
