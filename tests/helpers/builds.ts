/**
 * What the test run builds once, in the global setup, rather than each test
 * file on its own: the CLI its child processes run, and the studio page.
 * Each is rebuilt only when its sources changed since the last build (a
 * SHA-256 of them is kept beside the output), so a run of one file costs a
 * hash, and two files never rebuild the same output under each other.
 */

import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { bundleCli } from '../../scripts/bundle-cli.js';

const STAMP = '.source-sha256';

async function filesUnder(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(full)));
    else files.push(full);
  }
  return files.sort();
}

async function digestOf(files: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update('\0').update(await readFile(file)).update('\0');
  return hash.digest('hex');
}

function built(out: string, digest: string): boolean {
  const stamp = path.join(out, STAMP);
  return existsSync(stamp) && readFileSync(stamp, 'utf8') === digest;
}

/**
 * The CLI for the tests' child processes: src/ transpiled file for file to
 * JavaScript by esbuild (no type check) into .test-cli/, laid out as tsc lays
 * out dist/, then its entry bundled as npm run build bundles dist/
 * (scripts/bundle-cli.ts). Node starts it without tsx's loader, several times
 * faster for a short command, which the hundreds of CLI runs in the suite
 * add up; and it is always the current src/, unlike a dist/ left from an
 * earlier build. .test-cli/ sits one level below the project root, like
 * dist/, so the paths src/ derives from its own location (PROJECT_ROOT,
 * dist/web, worker modules) resolve the same. Returns the entry to run.
 */
export function buildCli(root = process.cwd()): Promise<string> {
  return once(`cli ${root}`, () => transpileSources(root));
}

/** Each build at most once per process, so that two projects' setups never build the same output at once. */
const builds = new Map<string, Promise<unknown>>();
function once<T>(key: string, make: () => Promise<T>): Promise<T> {
  if (!builds.has(key)) builds.set(key, make());
  return builds.get(key) as Promise<T>;
}

async function transpileSources(root: string): Promise<string> {
  const src = path.join(root, 'src');
  const files = (await filesUnder(src)).filter((f) => f.endsWith('.ts'));
  const digest = await digestOf([...files, path.join(root, 'scripts', 'bundle-cli.ts')]);
  const out = path.join(root, '.test-cli');
  const entry = path.join(out, 'cli', 'main.js');
  if (built(out, digest)) return entry;
  // Built beside, then moved into place, so that a run never starts half a build.
  const fresh = `${out}-${process.pid}-${randomBytes(4).toString('hex')}`;
  await rm(fresh, { recursive: true, force: true });
  await build({ entryPoints: files, outdir: fresh, outbase: src, format: 'esm', platform: 'node', target: 'node20', bundle: false, logLevel: 'warning' });
  // Then bundled as npm run build bundles dist/, so that the tests run the command users run.
  await bundleCli(fresh);
  await writeFile(path.join(fresh, STAMP), digest);
  await rm(out, { recursive: true, force: true });
  await rename(fresh, out);
  return entry;
}

/** The studio page in dist/web, as `npm run build` makes it (web/build.mjs), from the current web/ sources. */
export function buildWeb(root = process.cwd()): Promise<void> {
  return once(`web ${root}`, () => bundlePage(root));
}

async function bundlePage(root: string): Promise<void> {
  const web = path.join(root, 'web');
  const digest = await digestOf((await filesUnder(web)).filter((f) => !f.includes(`${path.sep}node_modules${path.sep}`)));
  const out = path.join(root, 'dist', 'web');
  if (built(out, digest)) return;
  execFileSync(process.execPath, [path.join(web, 'build.mjs')], { stdio: 'inherit', cwd: root });
  await writeFile(path.join(out, STAMP), digest);
}
