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

/** The engines a spec runs on with describe.each: the embedded store always, a freshly wiped Neo4j when one answers. */
export function storeEngines(neo4jUp: boolean): [name: string, open: () => Promise<GraphStore>][] {
  const engines: [string, () => Promise<GraphStore>][] = [['embedded', () => EmbeddedStore.open()]];
  if (neo4jUp) {
    engines.push([
      'neo4j',
      async () => {
        await wipeNeo4j();
        return Neo4jStore.open(NEO4J);
      },
    ]);
  }
  return engines;
}
