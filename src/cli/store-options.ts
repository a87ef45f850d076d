/** The options every command that reads or writes the graph shares, and opening the store they name. */

import { Option, type Command } from 'commander';
import { resolveConfig } from '../config.js';
import type { GraphStore } from '../store/graph-store.js';
import { EmbeddedStore } from '../store/oxigraph-store.js';
import { Neo4jStore } from '../store/neo4j-store.js';

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

/** Opens the store the options and configuration name. Neo4j is reached with NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD. */
export async function openStore(options: StoreOptions): Promise<GraphStore> {
  const config = resolveConfig({ ...(options.store ? { store: options.store } : {}), ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
  return config.store === 'neo4j' ? Neo4jStore.open(config.neo4j) : EmbeddedStore.open({ dataDir: config.dataDir });
}
