/** The options every command that reads or writes the graph shares, and opening the store they name. */

import { Option, type Command } from 'commander';
import { resolveConfig } from '../config.js';
import type { GraphStore } from '../store/graph-store.js';

export interface StoreOptions {
  store?: string;
  dataDir?: string;
}

/** Adds the store options to a command. */
export function storeOptions(command: Command): Command {
  return command
    .addOption(new Option('--store <engine>', 'graph engine (default embedded, or STUDIO_STORE, or studio.config.json)').choices(['embedded', 'neo4j']))
    .option('--data-dir <folder>', "the embedded store's data folder (default ./data, or STUDIO_DATA_DIR)");
}

/**
 * Opens the store the options and configuration name. Neo4j is reached with
 * NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD. The embedded store reads its graphs
 * when a query first needs them, or at once when `eager`; a `serving` one
 * (the server's) reads none of them itself, its query threads do.
 */
export async function openStore(options: StoreOptions, { eager = false, serving = false }: { eager?: boolean; serving?: boolean } = {}): Promise<GraphStore> {
  const config = resolveConfig({ ...(options.store ? { store: options.store } : {}), ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
  // Each engine's module is loaded only when it is the one asked for (the Neo4j driver takes a while to load).
  if (config.store === 'neo4j') return (await import('../store/neo4j-store.js')).Neo4jStore.open(config.neo4j);
  return (await import('../store/oxigraph-store.js')).EmbeddedStore.open({ dataDir: config.dataDir, eager, serving });
}
