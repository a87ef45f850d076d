/** The worker of validation-thread.ts: validates the sources it is given and sends back the report. */

import { parentPort, workerData } from 'node:worker_threads';
import type { TurtleSource } from '../rdf/turtle.js';
import { PolicyValidator } from './validator.js';
import type { ThreadMessage } from './validation-thread.js';

const send = (message: ThreadMessage) => parentPort!.postMessage(message);
try {
  const validator = await PolicyValidator.create();
  const report = await validator.validateHere((workerData as { sources: TurtleSource[] }).sources, (done, total) => send({ progress: [done, total] }));
  send({ report: { ...report, syntaxErrors: report.syntaxErrors.map(({ file, line, column, detail }) => ({ file, line, column, detail })) } });
} catch (error) {
  send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
