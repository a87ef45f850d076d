/**
 * Where the studio keeps its data and which engine it uses: defaults, then
 * studio.config.json in the working folder, then environment variables, then
 * command-line options, each overriding the one before.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.js';

export interface StudioConfig {
  /** The embedded store's data folder. */
  readonly dataDir: string;
}

const CONFIG_FILE = 'studio.config.json';

/** Resolves the configuration for the given command-line overrides. */
export function resolveConfig(overrides: Partial<StudioConfig> = {}, cwd = process.cwd()): StudioConfig {
  const file = path.join(cwd, CONFIG_FILE);
  let fromFile: Partial<StudioConfig> = {};
  try {
    fromFile = JSON.parse(readFileSync(file, 'utf8')) as Partial<StudioConfig>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`${file}: not valid JSON (${String(error)})`);
  }
  const dataDir = overrides.dataDir ?? process.env.STUDIO_DATA_DIR ?? fromFile.dataDir ?? 'data';
  return { dataDir: path.resolve(cwd, dataDir) };
}
