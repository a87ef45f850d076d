/**
 * One measured step of the load/validate benchmark, in a process of its own
 * so that its peak memory is its own. Prints {step, ms, peakRssMb, ...} as JSON.
 */

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import oxigraph from 'oxigraph';
import { readTurtle, parseTurtle } from '../../src/rdf/turtle.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { PolicyValidator } from '../../src/validation/validator.js';

const [step, file] = process.argv.slice(2) as [string, string];
const extra: Record<string, unknown> = {};
let ms = 0;

if (step === 'store-alone') {
  // The baseline: the store library loading the file by itself.
  // Warm the WebAssembly module first, as the studio's store is warm (it loaded the vocabulary).
  new oxigraph.Store().load('<urn:a> <urn:b> <urn:c> .', { format: 'text/turtle' });
  const started = performance.now();
  const text = await readFile(file, 'utf8');
  const store = new oxigraph.Store();
  store.load(text, { format: 'text/turtle', to_graph_name: oxigraph.namedNode('urn:bench') });
  ms = performance.now() - started;
  extra.triples = store.size;
} else if (step === 'parse') {
  const started = performance.now();
  const quads = parseTurtle(await readTurtle(file));
  ms = performance.now() - started;
  extra.triples = quads.length;
} else if (step === 'studio-load') {
  // What 'studio load --no-validate' does: into the embedded store and its data folder.
  const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-bench-'));
  const store = await EmbeddedStore.open({ dataDir });
  const started = performance.now();
  const loaded = await store.loadPolicy(await readTurtle(file));
  ms = performance.now() - started;
  extra.triples = loaded.triples;
  await store.close();
  await rm(dataDir, { recursive: true });
} else if (step === 'validate') {
  const validator = await PolicyValidator.create();
  const started = performance.now();
  const cpu = process.cpuUsage();
  const report = await validator.validateFiles([file]);
  ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  // User + system time: the steadier figure on a shared machine (it counts the collector's threads too).
  extra.cpuMs = Math.round((used.user + used.system) / 1000);
  extra.triples = report.triples;
  extra.violations = report.violations.length;
} else {
  throw new Error(`unknown step ${step}`);
}

process.stdout.write(JSON.stringify({ step, ms: Math.round(ms), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), ...extra }) + '\n');
