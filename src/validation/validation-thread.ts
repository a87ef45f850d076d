/**
 * A large validation in a worker thread of its own (validation-worker.ts),
 * started with a young generation of VALIDATION_YOUNG_MB: see THREAD_FROM in
 * validator.ts. The sources go over as text and the report comes back as
 * plain data; the calling thread holds none of the parsed data meanwhile.
 */

import { startModuleWorker } from '../worker-module.js';
import type { TurtleSource } from '../rdf/turtle.js';
import type { Progress } from '../store/graph-store.js';
import type { ValidationReport } from './validator.js';

/** The young generation of a thread that validates (this one, and the API's upload checker): three semi-spaces of 64 MB. */
export const VALIDATION_YOUNG_MB = 192;

/** A report as it crosses threads: its syntax errors as plain data. */
export type PlainReport = Omit<ValidationReport, 'syntaxErrors'> & { syntaxErrors: { file: string; line: number; column: number; detail: string }[] };

/** What the worker sends: progress, then its report or its failure. */
export type ThreadMessage = { readonly progress: [number, number] } | { readonly report: PlainReport } | { readonly error: string };

/** What the thread's validator is created with (PolicyValidator.create). */
export interface ThreadOptions {
  readonly precheck: boolean;
}

/** Validates the sources (validateHere) in a new worker thread, which ends with the validation. */
export async function validateInThread(sources: readonly TurtleSource[], progress?: Progress, options: ThreadOptions = { precheck: true }): Promise<PlainReport> {
  const worker = startModuleWorker(import.meta.url, './validation-worker.js', {
    workerData: { sources: sources.map(({ file, text, baseIri }) => ({ file, text, baseIri })), options },
    resourceLimits: { maxYoungGenerationSizeMb: VALIDATION_YOUNG_MB },
  });
  try {
    return await new Promise<PlainReport>((resolve, reject) => {
      worker.on('message', (message: ThreadMessage) => {
        if ('progress' in message) progress?.(...message.progress);
        else if ('report' in message) resolve(message.report);
        else reject(new Error(`the validation thread failed: ${message.error}`));
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the validation thread stopped (exit code ${code})`)));
    });
  } finally {
    await worker.terminate();
  }
}
