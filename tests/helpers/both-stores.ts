/** An embedded store and a freshly wiped Neo4j, both holding the same policies, for tests that compare their answers. */

import type { GraphStore } from '../../src/store/graph-store.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { Neo4jStore } from '../../src/store/neo4j-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { NEO4J, wipeNeo4j } from './neo4j.js';

export async function openBothStores(files: readonly string[]): Promise<[embedded: GraphStore, neo4j: GraphStore]> {
  await wipeNeo4j();
  const [embedded, graph] = await Promise.all([EmbeddedStore.open(), Neo4jStore.open(NEO4J)]);
  for (const file of files) {
    const source = await readTurtle(file);
    await embedded.loadPolicy(source);
    await graph.loadPolicy(source);
  }
  return [embedded, graph];
}
