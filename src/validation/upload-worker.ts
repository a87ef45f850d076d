/**
 * The worker thread of upload-thread.ts (a task thread): checks one upload at
 * a time with checkUpload. The upload comes as the bytes of the request body:
 * decoding 44 MB of Turtle into one string is work the server's thread does
 * not do.
 */

import { isUtf8 } from 'node:buffer';
import { PolicyValidator, type KeptValidation } from './validator.js';
import { checkUpload, type RecentValidations, type UploadOutcome } from './upload-check.js';
import type { TurtleSource } from '../rdf/turtle.js';
import { summariseNTriples } from '../store/oxigraph-store.js';
import { serveTasks } from '../task-worker.js';
import type { UploadTask } from './upload-thread.js';

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

async function check({ source: named, bytes, limits }: UploadTask): Promise<UploadOutcome> {
  // As fastify decoded a string body: bytes that are not UTF-8 become U+FFFD, a byte order mark stays.
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const source: TurtleSource = { ...named, text: body.toString('utf8') };
  const checked = await checkUpload(await validator, source, limits, recent);
  if (checked.kind !== 'valid') return checked;
  // The summary the embedded store keeps is a query over the whole policy: here it holds up no one.
  const summary = await summariseNTriples(checked.ntriples);
  // The Turtle the store keeps is the text its SHA-256 is of: the bytes as sent when they are UTF-8.
  const turtle = isUtf8(body) ? bytes : new TextEncoder().encode(source.text);
  // The triples go to the query threads as memory the threads share: copied into it here, not in the server's thread (130 ms for 1.2M triples).
  const ntriples = new Uint8Array(new SharedArrayBuffer(checked.ntriples.byteLength));
  ntriples.set(checked.ntriples);
  return { ...checked, ntriples, summary, turtle };
}

// The Turtle's bytes move to the server's thread rather than being copied; the triples' are shared.
serveTasks(check, (outcome) => (outcome.kind === 'valid' ? [outcome.turtle!.buffer as ArrayBuffer] : []));
