/**
 * The upload worker's memory while it checks new versions of one policy file
 * again and again, as a server does when a policy is replaced (PUT) many
 * times: it keeps the last validation of each file name and revalidates only
 * what changed. Prints, every 60 uploads, the process's WebAssembly memories
 * (oxigraph's; the worker's is the only one of any size) and RSS, and at the
 * end the CPU time. The versions differ in one literal, like the soak's.
 *
 *   npx tsx scripts/bench/upload-revalidation-memory.ts [uploads] [uploads-per-worker]   (default 600 50; 0: never replaced)
 */

import { readFileSync } from 'node:fs';
import { UploadThread } from '../../src/validation/upload-thread.js';
import { DEFAULT_UPLOAD_LIMITS } from '../../src/validation/upload-check.js';
import { writeSyntheticPolicy } from './synthetic-policy.js';
import { wasmMemories } from './wasm-memories.js';

const uploads = Number(process.argv[2] ?? 600);
const perWorker = Number(process.argv[3] ?? 50);
const RULES = 300;

const file = `bench-out/synthetic-${RULES}.ttl`;
await writeSyntheticPolicy(RULES, file);
const base = readFileSync(file, 'utf8');

const thread = new UploadThread(perWorker > 0 ? perWorker : Infinity);
const cpu = process.cpuUsage();
const started = performance.now();
for (let version = 2; version <= uploads + 1; version++) {
  const text = base.replace('studio:version "1"', `studio:version "${version}"`);
  const outcome = await thread.check({ file: 'synthetic.ttl', baseIri: 'file:///synthetic.ttl' }, new Uint8Array(Buffer.from(text)), DEFAULT_UPLOAD_LIMITS);
  if (outcome.kind !== 'valid') throw new Error(`version ${version}: ${outcome.kind}`);
  if ((version - 1) % 60 === 0) console.log(`${version - 1} uploads: WebAssembly ${wasmMemories('self').filter((mb) => mb >= 1).map(Math.round).join(' + ') || 0} MB, RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`);
}
const used = process.cpuUsage(cpu);
console.log(`${uploads} uploads, a new worker every ${perWorker > 0 ? perWorker : 'never'}: ${((used.user + used.system) / 1e6).toFixed(1)} s CPU, ${((performance.now() - started) / 1000).toFixed(1)} s wall (workers replaced: ${thread.recycled})`);
await thread.close();
