/** The worker thread of upload-thread.ts: checks one upload at a time with checkUpload. */

import { parentPort } from 'node:worker_threads';
import { PolicyValidator } from './validator.js';
import { checkUpload, type UploadLimits } from './upload-check.js';
import type { TurtleSource } from '../rdf/turtle.js';

const validator = PolicyValidator.create();

parentPort!.on('message', async (message: { id: number; source: TurtleSource; limits: UploadLimits }) => {
  try {
    const outcome = await checkUpload(await validator, message.source, message.limits);
    // The triples' bytes move to the server's thread rather than being copied.
    parentPort!.postMessage({ id: message.id, outcome }, outcome.kind === 'valid' ? [outcome.ntriples.buffer as ArrayBuffer] : []);
  } catch (error) {
    parentPort!.postMessage({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
