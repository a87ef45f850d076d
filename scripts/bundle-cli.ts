/**
 * Bundles the studio command, once tsc (or the tests' transpile) has laid
 * src/ out as JavaScript in a folder such as dist/: <out>/cli/main.js and
 * the modules it imports become one entry and one chunk per command, all in
 * <out>/cli/. A new process then reads a few files instead of some 200
 * small modules (n3 and its streams, shacl-engine, grapoi, sparqljs,
 * commander): `studio validate` of the sample policy loads in about 0.1 s
 * less.
 *
 * Only the packages the common commands load are bundled, with everything
 * they import; any other package stays external and loads from node_modules
 * as before (oxigraph finds its WebAssembly beside itself, a server's
 * packages their own files). The unbundled modules stay in <out>, for the
 * worker threads and for anything that imports them: each bundled module's
 * `import.meta.url` is rewritten to its own file's, so the paths it derives
 * from its location (the project root, worker modules) are unchanged.
 *
 *   tsx scripts/bundle-cli.ts dist       (npm run build runs it after tsc)
 */

import { build, type Plugin } from 'esbuild';
import { mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The packages bundled when the studio's own modules import them; the packages they import come along. */
const BUNDLED = new Set(['n3', 'shacl-engine', 'sparqljs', 'commander']);

/** The first line of a bundled entry: a second bundling of it is refused. */
const MARK = '// Bundled by scripts/bundle-cli.ts.';

/** Chunks are named with this prefix, so that the next bundling removes the last one's. */
const CHUNK = 'bundle-';

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function studioModules(out: string, cli: string): Plugin {
  const inNodeModules = (file: string) => file.split(path.sep).includes('node_modules');
  return {
    name: 'studio-modules',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        // Builtins, and what the bundled packages import, esbuild resolves itself.
        if (args.path.startsWith('node:') || inNodeModules(args.importer) || BUNDLED.has(packageOf(args.path))) return undefined;
        return { path: args.path, external: true };
      });
      build.onLoad({ filter: /\.js$/ }, async (args) => {
        if (inNodeModules(args.path) || !args.path.startsWith(out + path.sep)) return undefined;
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        // Every output file sits in cli/, so a module's own URL is its path relative to that folder.
        const own = path.relative(cli, args.path).split(path.sep).join('/');
        return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(own)}, import.meta.url).href`), loader: 'js', resolveDir: path.dirname(args.path) };
      });
    },
  };
}

/** Bundles <out>/cli/main.js in place. */
export async function bundleCli(out: string): Promise<void> {
  out = path.resolve(out);
  const cli = path.join(out, 'cli');
  const entry = path.join(cli, 'main.js');
  if ((await readFile(entry, 'utf8')).includes(MARK)) throw new Error(`${entry} is bundled already: build it anew (npm run build) first`);
  const fresh = await mkdtemp(path.join(out, '.cli-bundle-'));
  try {
    await build({
      entryPoints: [entry],
      outdir: fresh,
      chunkNames: `${CHUNK}[hash]`,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked',
      // The CommonJS packages bundled into an ES module still call require() for Node's own modules.
      banner: { js: `${MARK}\nimport { createRequire as studioRequire } from 'node:module';\nconst require = studioRequire(import.meta.url);` },
      plugins: [studioModules(out, cli)],
      logLevel: 'warning',
    });
    for (const name of await readdir(cli)) if (name.startsWith(CHUNK)) await rm(path.join(cli, name));
    for (const name of await readdir(fresh)) await rename(path.join(fresh, name), path.join(cli, name));
  } finally {
    await rm(fresh, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = process.argv[2];
  if (!out) throw new Error('usage: tsx scripts/bundle-cli.ts <folder tsc wrote, e.g. dist>');
  await bundleCli(out);
}
