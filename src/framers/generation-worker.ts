/**
 * The worker thread of generation-thread.ts: reads one policy's context from
 * its queries' answers (context-transfer.ts), fills the templates and hands
 * the items back as N-Triples, a batch at a time, waiting for each batch to
 * be written before it sends the next (so that memory holds about two
 * batches, however fast generation runs). A worker runs one generation at a
 * time and is kept for the next.
 */

import { parentPort } from 'node:worker_threads';
import { nTriples } from '../rdf/serialize.js';
import { Framer } from './generate.js';
import { GenerationTriples, inBatches } from './generation-run.js';
import { TemplateLibrary } from './templates.js';
import type { GenerationWork, WorkerMessage } from './generation-thread.js';
import { ContextAssembler, type ContextPart } from './context-transfer.js';

const port = parentPort!;
const send = (message: WorkerMessage) => port.postMessage(message);

/** Resolvers of the batches sent and not yet written, oldest first. */
let unwritten: (() => void)[] = [];
/** The answers of the next run's context, as their parts arrive. */
let arriving = new ContextAssembler();
port.on('message', (message: { type: 'written' } | { type: 'context'; part: ContextPart } | { type: 'run'; work: GenerationWork }) => {
  if (message.type === 'written') unwritten.shift()?.();
  else if (message.type === 'context') arriving.add(message.part);
  else {
    const assembled = arriving;
    arriving = new ContextAssembler();
    void run(assembled, message.work);
  }
});

/** One run; the worker is kept for the next one, which comes only after this one ended. */
async function run(assembled: ContextAssembler, work: GenerationWork): Promise<void> {
  unwritten = [];
  try {
    const context = assembled.context();
    const library = await TemplateLibrary.load(work.templates);
    const framer = new Framer(context, library, {
      seed: work.seed,
      ...(work.families ? { families: work.families } : {}),
      progress: (done, total) => send({ type: 'progress', done, total }),
    });
    const triples = new GenerationTriples(work.seed, context);
    // The batch sent last: the next is made while it is written, and sent once it is.
    let written: Promise<void> = Promise.resolve();
    const summary = await inBatches(framer.generate(), work.batchSize, async (batch) => {
      const quads = triples.of(batch);
      const text = nTriples(quads);
      await written;
      written = new Promise((resolve) => unwritten.push(resolve));
      send({ type: 'batch', text, triples: quads.length });
    });
    await written;
    send({ type: 'done', summary });
  } catch (error) {
    send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}
