/** The worker thread of upload-thread.ts: checks one upload at a time with checkUpload. */

import { parentPort } from 'node:worker_threads';
import { PolicyValidator } from './validator.js';
import { checkUpload, type RecentValidations, type UploadLimits } from './upload-check.js';
import type { KeptValidation } from './validator.js';
import type { TurtleSource } from '../rdf/turtle.js';
import { summariseNTriples } from '../store/oxigraph-store.js';

const validator = PolicyValidator.create();

/** Uploads of at most this many triples (about 30k rules) are kept for revalidation; a kept one holds its data. */
const KEPT_TRIPLES = 300_000;
/** File names whose last validation is kept; the oldest is let go first. */
const KEPT_FILES = 2;

const kept = new Map<string, KeptValidation>();
const recent: RecentValidations = {
  recall: (file) => kept.get(file),
  remember(file, validation, triples) {
    kept.delete(file);
    if (triples > KEPT_TRIPLES) return;
    kept.set(file, validation);
    for (const name of kept.keys()) if (kept.size > KEPT_FILES) kept.delete(name);
  },
};

parentPort!.on('message', async (message: { id: number; source: TurtleSource; limits: UploadLimits }) => {
  try {
    const checked = await checkUpload(await validator, message.source, message.limits, recent);
    // The summary the embedded store keeps is a query over the whole policy: here it holds up no one.
    const summary = checked.kind === 'valid' ? await summariseNTriples(checked.ntriples) : undefined;
    const outcome = summary && checked.kind === 'valid' ? { ...checked, summary } : checked;
    // The triples' bytes move to the server's thread rather than being copied.
    parentPort!.postMessage({ id: message.id, outcome }, outcome.kind === 'valid' ? [outcome.ntriples.buffer as ArrayBuffer] : []);
  } catch (error) {
    parentPort!.postMessage({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
