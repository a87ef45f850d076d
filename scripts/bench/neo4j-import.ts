/**
 * Benchmark: import synthetic policies of 10k and 100k rules into Neo4j
 * (NEO4J_URI, default the project's server from scripts/neo4j/start.sh),
 * then reload it unchanged, and reload a version with 1% of the rules
 * relabelled and 1% removed. Reports seconds and triples per second.
 *
 *   scripts/neo4j/start.sh && npx tsx scripts/bench/neo4j-import.ts [sizes...]
 */

import { existsSync } from 'node:fs';
import neo4j from 'neo4j-driver';
import { Neo4jStore } from '../../src/store/neo4j-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { writeSyntheticPolicy } from './synthetic-policy.js';

const connection = {
  uri: process.env.NEO4J_URI ?? 'bolt://127.0.0.1:7687',
  user: process.env.NEO4J_USER ?? 'neo4j',
  password: process.env.NEO4J_PASSWORD ?? 'studio-test-password',
};
const sizes = process.argv.slice(2).map(Number);
const rows: string[] = [];

for (const rules of sizes.length > 0 ? sizes : [10000, 100000]) {
  const file = `bench-out/synthetic-${rules}.ttl`;
  if (!existsSync(file)) await writeSyntheticPolicy(rules, file);
  const driver = neo4j.driver(connection.uri, neo4j.auth.basic(connection.user, connection.password));
  const session = driver.session();
  await session.run('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
  await session.close();
  await driver.close();
  const store = await Neo4jStore.open(connection);
  const source = await readTurtle(file);
  let started = performance.now();
  const loaded = await store.loadPolicy(source);
  const first = (performance.now() - started) / 1000;
  started = performance.now();
  await store.loadPolicy(source);
  const second = (performance.now() - started) / 1000;
  // 1% of rules relabelled (rule numbers ending in 00), 1% removed (ending in 50).
  const edited = source.text
    .replace(/rdfs:label "rule (\d*00)"/g, 'rdfs:label "rule $1, edited"')
    .replace(/syn:rule-\d*50 a studio:[A-Za-z]+[^]*?\.\n/g, '');
  started = performance.now();
  const reloaded = await store.loadPolicy({ ...source, text: edited });
  const third = (performance.now() - started) / 1000;
  await store.close();
  const rate = (seconds: number) => Math.round(loaded.triples / seconds).toLocaleString('en');
  rows.push(
    `| ${rules.toLocaleString('en')} | ${loaded.triples.toLocaleString('en')} | ${first.toFixed(1)} | ${rate(first)} | ${second.toFixed(1)} | ${third.toFixed(1)} (${(loaded.triples - reloaded.triples).toLocaleString('en')} triples fewer) |`,
  );
  process.stderr.write(`${rules} rules done\n`);
}

process.stdout.write(
  ['| rules | triples | first import, s | triples/s | reload unchanged, s | reload with 1% edited and 1% removed, s |', '|---:|---:|---:|---:|---:|---:|', ...rows].join('\n') + '\n',
);
