/** studio serve: the HTTP API over the configured store, until SIGINT or SIGTERM. */

import { InvalidOptionError } from '../../errors.js';
import { Option, type Command } from 'commander';
import { buildServer, DEFAULT_TURTLE_BODY_LIMIT } from '../../api/server.js';
import { resolveConfig } from '../../config.js';
import { DEFAULT_CACHE_BYTES, DEFAULT_CACHE_ENTRIES } from '../../api/answer-cache.js';
import { DEFAULT_MAX_KEPT, DEFAULT_MAX_RUNNING } from '../../api/jobs/job-runner.js';
import { ROLES, TokenTable, hashToken, newToken } from '../../api/auth.js';
import { openStore, storeOptions, type StoreOptions } from '../store-options.js';
import { printJson } from '../output.js';
import { commaList, positiveInteger } from '../option-values.js';

interface ServeOptions extends StoreOptions {
  port: string;
  host: string;
  tokens?: string;
  turtleLimit: string;
  logLevel: string;
  newToken?: string;
  cache: boolean;
  cacheEntries: string;
  cacheMb: string;
  jobsKept: string;
  jobsRunning: string;
}

export function registerServe(program: Command): void {
  storeOptions(
    program
      .command('serve')
      .description('serve the HTTP API (/v1 routes need a bearer token; /health, /openapi.json and /docs are public)')
      .option('--port <port>', 'TCP port (0 picks a free one)', '8080')
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--tokens <file>', 'JSON file of token SHA-256 hashes and roles (default: STUDIO_API_TOKENS)')
      .option('--turtle-limit <MB>', 'largest policy upload, in MB', String(DEFAULT_TURTLE_BODY_LIMIT / 1024 / 1024))
      .addOption(new Option('--log-level <level>', 'request log level (on stderr)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'))
      .option('--no-cache', "do not remember named-query answers between policy writes (embedded store)")
      .option('--cache-entries <n>', 'most named-query answers remembered', String(DEFAULT_CACHE_ENTRIES))
      .option('--cache-mb <MB>', 'most MB of named-query answers remembered (as JSON)', String(DEFAULT_CACHE_BYTES / 1024 / 1024))
      .option('--jobs-kept <n>', 'most jobs kept, finished or not (the oldest finished ones are forgotten first)', String(DEFAULT_MAX_KEPT))
      .option('--jobs-running <n>', 'most jobs running at once; the others wait, queued', String(DEFAULT_MAX_RUNNING))
      .option('--new-token <roles>', `print a new random token and its tokens-file entry for comma-separated roles (${ROLES.join(', ')}), then exit`),
  ).action(async (options: ServeOptions) => {
    if (options.newToken !== undefined) return printNewToken(options.newToken);
    const port = Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidOptionError(`--port ${options.port}: give a port number from 0 to 65535`);
    const turtleLimit = Number(options.turtleLimit);
    if (!(turtleLimit > 0)) throw new InvalidOptionError(`--turtle-limit ${options.turtleLimit}: give a positive number of MB`);
    const cacheEntries = positiveInteger('--cache-entries', options.cacheEntries);
    const cacheMb = Number(options.cacheMb);
    if (!(cacheMb > 0)) throw new InvalidOptionError(`--cache-mb ${options.cacheMb}: give a positive number of MB`);
    const jobsKept = positiveInteger('--jobs-kept', options.jobsKept);
    const jobsRunning = positiveInteger('--jobs-running', options.jobsRunning);
    const tokens = await TokenTable.load(options.tokens);
    const config = resolveConfig({ ...(options.store ? { store: options.store } : {}), ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
    // The server's thread keeps no copy of the graphs: its query threads start reading them now, so that
    // its first request seldom waits for them, and every upload and generated graph goes to them.
    const store = await openStore(options, { serving: true });
    const app = await buildServer({
      store,
      tokens,
      turtleBodyLimit: Math.round(turtleLimit * 1024 * 1024),
      cache: options.cache && { entries: cacheEntries, bytes: Math.round(cacheMb * 1024 * 1024) },
      jobs: { maxKept: jobsKept, maxRunning: jobsRunning },
      audit: { dataDir: config.dataDir, target: config.target, judge: config.llm },
      playground: { target: config.target, baseline: config.baseline },
      deadlines: config.deadlines,
      uploadLimits: config.uploads,
      keepVersions: config.versions.keep,
      warmIngest: true,
      warmBodyChecks: true,
      llm: config.llm,
      logger: { level: options.logLevel, stream: process.stderr },
    }).catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
    const address = await app.listen({ host: options.host, port });
    process.stdout.write(`studio: serving the ${store.engine} store on ${address} (docs at ${address}/docs)\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    // Running queries are abandoned on close; should anything else hold it up, the process still ends within 5 s.
    const deadline = setTimeout(() => {
      process.stderr.write(`studio: did not close within ${CLOSE_DEADLINE_MS / 1000} s; exiting anyway\n`);
      process.exit(1);
    }, CLOSE_DEADLINE_MS);
    deadline.unref();
    await app.close();
    await store.close();
    clearTimeout(deadline);
  });
}

/** How long a stop signal waits for the server to close before the process exits regardless. */
const CLOSE_DEADLINE_MS = 4500;

function printNewToken(roles: string): void {
  const list = commaList(roles);
  const unknown = list.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (list.length === 0 || unknown.length > 0) throw new InvalidOptionError(`--new-token ${roles}: roles are ${ROLES.join(', ')}`);
  const token = newToken();
  process.stderr.write('Give the token to its user once; keep only the entry below in the tokens file.\n');
  printJson({ token, entry: { name: `${list.join('+')} token`, sha256: hashToken(token), roles: list } });
}
