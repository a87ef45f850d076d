/**
 * Starts a worker thread from one of the studio's own modules. From dist the
 * module is JavaScript; from src (tsx, vitest) it is TypeScript, which the
 * worker is taught to load first with tsx's loader.
 */

import { Worker, type WorkerOptions } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** A worker running `module` (a path relative to `from`, written with .js), with `options` (workerData, say). */
export function startModuleWorker(from: string, module: string, options: WorkerOptions = {}): Worker {
  if (!from.endsWith('.ts')) return new Worker(new URL(module, from), options);
  // tsx's ESM entry, from its package's exports (require.resolve would give its CommonJS one).
  const manifest = createRequire(from).resolve('tsx/package.json');
  const exports = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
  const tsx = pathToFileURL(path.join(path.dirname(manifest), exports['./esm/api']!.import.default)).href;
  const entry = new URL(module.replace(/\.js$/, '.ts'), from).href;
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
