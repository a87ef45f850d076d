/** The options every command that reads or writes the graph shares, and opening the store they name. */

import type { Command } from 'commander';
import { resolveConfig } from '../config.js';
import type { GraphStore } from '../store/graph-store.js';
import { EmbeddedStore } from '../store/oxigraph-store.js';

export interface StoreOptions {
  dataDir?: string;
}

/** Adds the store options to a command. */
export function storeOptions(command: Command): Command {
  return command.option('--data-dir <folder>', 'the embedded store\'s data folder (default ./data, or STUDIO_DATA_DIR)');
}

/** Opens the store the options and configuration name. */
export async function openStore(options: StoreOptions): Promise<GraphStore> {
  const config = resolveConfig(options.dataDir ? { dataDir: options.dataDir } : {});
  return EmbeddedStore.open({ dataDir: config.dataDir });
}
