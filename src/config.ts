/**
 * Which engine the studio uses and where: defaults, then studio.config.json
 * in the working folder, then environment variables, then command-line
 * options, each overriding the one before.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.js';
import { DEFAULT_KEEP_VERSIONS, type StoreEngine } from './store/graph-store.js';
import type { Neo4jConnection } from './store/neo4j-store.js';
import { DEFAULT_PRECEDENCE, parsePrecedence, type Principle } from './conflicts/precedence.js';
import { DEFAULT_UPLOAD_LIMITS, type UploadLimits } from './validation/upload-check.js';
import { BASELINE_SETTING, resolveLlmConfig, TARGET_SETTING, TRAIN_SETTING, type LlmConfig } from './llm/llm-config.js';

export interface StudioConfig {
  readonly store: StoreEngine;
  /** The embedded store's data folder. */
  readonly dataDir: string;
  readonly neo4j: Neo4jConnection;
  /** The order of precedence principles conflict resolution applies. */
  readonly precedence: readonly Principle[];
  /**
   * How long the API lets queries run, and wait for their turn, in milliseconds: "deadlines" {"adhocMs", "namedMs", "queueMs"},
   * STUDIO_ADHOC_DEADLINE_MS, STUDIO_NAMED_DEADLINE_MS, STUDIO_QUERY_QUEUE_MS.
   */
  readonly deadlines: { readonly adhocMs: number; readonly namedMs: number; readonly queueMs: number };
  /** What one policy upload through the API may hold: "uploads" {"maxTriples", "maxLiteralLength", "maxNestingDepth"}, STUDIO_MAX_UPLOAD_TRIPLES, STUDIO_MAX_LITERAL_LENGTH, STUDIO_MAX_NESTING_DEPTH. */
  readonly uploads: UploadLimits;
  /** How many replaced versions of each policy the store keeps: "versions" {"keep"}, STUDIO_KEEP_VERSIONS (default 10; 0 keeps none). */
  readonly versions: { readonly keep: number };
  /** The OpenAI-compatible endpoint for LLM work (augmentation, judges); see src/llm/llm-config.ts. */
  readonly llm: LlmConfig;
  /** The model under audit: the "target" section and STUDIO_TARGET_*, same keys as "llm". */
  readonly target: LlmConfig;
  /** The model set beside the one under audit in the playground: the "baseline" section and STUDIO_BASELINE_*, same keys as "llm". */
  readonly baseline: LlmConfig;
  /** Where fine-tuning jobs run: the "train" section and STUDIO_TRAIN_*, same keys as "llm"; its model is the base model. */
  readonly train: LlmConfig;
}

export interface ConfigOverrides {
  store?: string;
  dataDir?: string;
  /** Comma-separated principles, e.g. "lexSuperior,explicitOverride". */
  precedence?: string;
}

interface ConfigFile {
  store?: string;
  dataDir?: string;
  neo4j?: Partial<Neo4jConnection>;
  precedence?: string[];
  deadlines?: { adhocMs?: unknown; namedMs?: unknown; queueMs?: unknown };
  uploads?: { maxTriples?: unknown; maxLiteralLength?: unknown; maxNestingDepth?: unknown };
  versions?: { keep?: unknown };
  llm?: unknown;
  target?: unknown;
  baseline?: unknown;
  train?: unknown;
}

const CONFIG_FILE = 'studio.config.json';
/** Defaults of the API's query deadlines (see src/api/deadlines.ts). */
export const DEFAULT_ADHOC_DEADLINE_MS = 10_000;
export const DEFAULT_NAMED_DEADLINE_MS = 30_000;
/** How long a query of the API may wait for its turn before it is refused as busy (503): a minute, as long as a proxy in front usually waits for an answer. */
export const DEFAULT_QUERY_QUEUE_MS = 60_000;

/** A deadline in milliseconds from the environment or the config file: a positive integer. */
function deadline(variable: string, fromEnv: string | undefined, fromFile: unknown, file: string, key: string, fallback: number): number {
  return positiveSetting(variable, fromEnv, fromFile, file, `deadlines.${key}`, fallback, 'milliseconds');
}

/** A positive whole number (or, with `least` 0, a whole number) from the environment, else from the config file, else the default. */
function positiveSetting(variable: string, fromEnv: string | undefined, fromFile: unknown, file: string, key: string, fallback: number, unit: string, least = 1): number {
  const what = least === 0 ? 'whole number' : 'positive whole number';
  if (fromEnv !== undefined && fromEnv !== '') {
    const value = Number(fromEnv);
    if (!Number.isInteger(value) || value < least) throw new ConfigError(`${variable}=${fromEnv}: give a ${what} of ${unit}`);
    return value;
  }
  if (fromFile === undefined) return fallback;
  if (typeof fromFile !== 'number' || !Number.isInteger(fromFile) || fromFile < least) throw new ConfigError(`${file}: "${key}" must be a ${what} of ${unit}`);
  return fromFile;
}
const ENGINES: readonly StoreEngine[] = ['embedded', 'neo4j'];

/**
 * The baseline is optional, but half of one is a mistake: a base URL without
 * a model (or the reverse) would only show up when someone asks a question.
 */
function completeOrNone(config: LlmConfig, file: string): LlmConfig {
  if (Boolean(config.baseUrl) === Boolean(config.model)) return config;
  const missing = config.baseUrl ? 'model' : 'baseUrl';
  const variable = config.baseUrl ? 'STUDIO_BASELINE_MODEL' : 'STUDIO_BASELINE_BASE_URL';
  throw new ConfigError(`${file}: the baseline model has ${config.baseUrl ? `a base URL (${config.baseUrl}) but no model` : `a model (${config.model}) but no base URL`}: set "baseline": {"${missing}": ...} or ${variable}, or remove the other half`);
}

/** Resolves the configuration for the given command-line overrides. */
export function resolveConfig(overrides: ConfigOverrides = {}, cwd = process.cwd(), env = process.env): StudioConfig {
  const file = path.join(cwd, CONFIG_FILE);
  let fromFile: ConfigFile = {};
  try {
    fromFile = JSON.parse(readFileSync(file, 'utf8')) as ConfigFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`${file}: not valid JSON (${String(error)})`);
  }
  const store = overrides.store ?? env.STUDIO_STORE ?? fromFile.store ?? 'embedded';
  if (!ENGINES.includes(store as StoreEngine)) throw new ConfigError(`store '${store}' is not one of ${ENGINES.join(', ')}`);
  let precedence: readonly Principle[] = DEFAULT_PRECEDENCE;
  try {
    if (overrides.precedence !== undefined) precedence = parsePrecedence(overrides.precedence);
    else if (env.STUDIO_PRECEDENCE) precedence = parsePrecedence(env.STUDIO_PRECEDENCE);
    else if (fromFile.precedence !== undefined) {
      if (!Array.isArray(fromFile.precedence)) throw new ConfigError(`${file}: "precedence" must be a list such as ["explicitOverride", "lexSuperior"]`);
      precedence = parsePrecedence(fromFile.precedence.join(','));
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError((error as Error).message);
  }
  const dataDir = overrides.dataDir ?? env.STUDIO_DATA_DIR ?? fromFile.dataDir ?? 'data';
  return {
    store: store as StoreEngine,
    dataDir: path.resolve(cwd, dataDir),
    precedence,
    deadlines: {
      adhocMs: deadline('STUDIO_ADHOC_DEADLINE_MS', env.STUDIO_ADHOC_DEADLINE_MS, fromFile.deadlines?.adhocMs, file, 'adhocMs', DEFAULT_ADHOC_DEADLINE_MS),
      namedMs: deadline('STUDIO_NAMED_DEADLINE_MS', env.STUDIO_NAMED_DEADLINE_MS, fromFile.deadlines?.namedMs, file, 'namedMs', DEFAULT_NAMED_DEADLINE_MS),
      queueMs: deadline('STUDIO_QUERY_QUEUE_MS', env.STUDIO_QUERY_QUEUE_MS, fromFile.deadlines?.queueMs, file, 'queueMs', DEFAULT_QUERY_QUEUE_MS),
    },
    uploads: {
      maxTriples: positiveSetting('STUDIO_MAX_UPLOAD_TRIPLES', env.STUDIO_MAX_UPLOAD_TRIPLES, fromFile.uploads?.maxTriples, file, 'uploads.maxTriples', DEFAULT_UPLOAD_LIMITS.maxTriples, 'triples'),
      maxLiteralLength: positiveSetting('STUDIO_MAX_LITERAL_LENGTH', env.STUDIO_MAX_LITERAL_LENGTH, fromFile.uploads?.maxLiteralLength, file, 'uploads.maxLiteralLength', DEFAULT_UPLOAD_LIMITS.maxLiteralLength, 'characters'),
      maxNestingDepth: positiveSetting('STUDIO_MAX_NESTING_DEPTH', env.STUDIO_MAX_NESTING_DEPTH, fromFile.uploads?.maxNestingDepth, file, 'uploads.maxNestingDepth', DEFAULT_UPLOAD_LIMITS.maxNestingDepth, 'levels'),
    },
    versions: { keep: positiveSetting('STUDIO_KEEP_VERSIONS', env.STUDIO_KEEP_VERSIONS, fromFile.versions?.keep, file, 'versions.keep', DEFAULT_KEEP_VERSIONS, 'versions', 0) },
    llm: resolveLlmConfig(fromFile.llm, file, env),
    target: resolveLlmConfig(fromFile.target, file, env, TARGET_SETTING),
    baseline: completeOrNone(resolveLlmConfig(fromFile.baseline, file, env, BASELINE_SETTING), file),
    train: resolveLlmConfig(fromFile.train, file, env, TRAIN_SETTING),
    neo4j: {
      uri: env.NEO4J_URI ?? fromFile.neo4j?.uri ?? 'bolt://127.0.0.1:7687',
      user: env.NEO4J_USER ?? fromFile.neo4j?.user ?? 'neo4j',
      // The default is the password scripts/neo4j/start.sh gives the project's local server.
      password: env.NEO4J_PASSWORD ?? fromFile.neo4j?.password ?? 'studio-test-password',
      ...((env.NEO4J_DATABASE ?? fromFile.neo4j?.database) ? { database: env.NEO4J_DATABASE ?? fromFile.neo4j?.database } : {}),
    },
  };
}
