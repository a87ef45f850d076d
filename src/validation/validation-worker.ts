/** The worker of validation-thread.ts: validates the sources it is given and sends back the report. */

import { parentPort, workerData } from 'node:worker_threads';
import type { TurtleSource } from '../rdf/turtle.js';
import { PolicyValidator } from './validator.js';
import type { ThreadMessage, ThreadOptions } from './validation-thread.js';

const send = (message: ThreadMessage) => parentPort!.postMessage(message);
try {
  const { sources, options } = workerData as { sources: TurtleSource[]; options: ThreadOptions };
  const validator = await PolicyValidator.create(options);
  const report = await validator.validateHere(sources, (done, total) => send({ progress: [done, total] }));
  send({ report: { ...report, syntaxErrors: report.syntaxErrors.map(({ file, line, column, detail }) => ({ file, line, column, detail })) } });
} catch (error) {
  send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
