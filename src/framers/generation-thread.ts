/**
 * A generation run with the templates filled in a worker thread: what
 * generateForPolicy does, but the server's thread only asks the context's
 * queries (they run in the store's query threads) and hands their answers
 * on unread (context-transfer.ts), appends the batches the worker writes as
 * N-Triples, and commits. The worker reads the answers into the context and
 * fills the templates: for 10k rules, building the context took the
 * server's thread 160–215 ms at a stretch, and filling templates seconds of
 * CPU, which in the server's thread held up every request. Same policy,
 * templates and seed give the same graph as generateForPolicy.
 */

import type { Worker } from 'node:worker_threads';
import type { GraphStore } from '../store/graph-store.js';
import { StudioError } from '../errors.js';
import { startModuleWorker } from '../worker-module.js';
import { generatedGraphIri } from './item.js';
import { GENERATED_KIND, checkGenerationSettings, type GenerationResult, type GenerationSettings, type GenerationSummary } from './generation-run.js';
import { loadedPolicy } from './policy-context.js';
import { askContext, sendContext, type ContextAnswers } from './context-transfer.js';

/** What the worker is given, after the answers it reads the policy's context from (sent in parts, context-transfer.ts). */
export interface GenerationWork {
  /** The template folder (default: the package's). */
  readonly templates?: string;
  readonly seed: number;
  readonly families?: readonly string[];
  readonly batchSize: number;
}

/** What the worker sends: progress, batches of triples (each acknowledged with `written`), and its end. */
export type WorkerMessage =
  | { readonly type: 'progress'; readonly done: number; readonly total: number }
  | { readonly type: 'batch'; readonly text: string; readonly triples: number }
  | { readonly type: 'done'; readonly summary: GenerationSummary }
  | { readonly type: 'failed'; readonly message: string };

/** Idle workers kept for the next run (the job runner runs two at a time): starting one, which loads the framers' modules, can cost more than a small run. */
const idle: Worker[] = [];
const KEPT_IDLE = 2;

function takeWorker(): Worker {
  const worker = idle.pop() ?? startModuleWorker(import.meta.url, './generation-worker.js');
  worker.removeAllListeners();
  worker.ref();
  return worker;
}

/** Keeps a worker whose run ended, without letting it keep the process alive; one that exits meanwhile is forgotten. */
function keepWorker(worker: Worker): void {
  worker.removeAllListeners();
  if (idle.length >= KEPT_IDLE) {
    void worker.terminate();
    return;
  }
  worker.unref();
  worker.on('error', () => undefined);
  worker.once('exit', () => {
    const at = idle.indexOf(worker);
    if (at >= 0) idle.splice(at, 1);
  });
  idle.push(worker);
}

/** Items per batch in the worker: its batches cost the server's thread only a file write each. */
export const THREAD_BATCH = 2_000;

/**
 * Generates a policy's items in a worker thread and stores them. Settings as
 * generateForPolicy's, but without onItems (the items stay in the worker,
 * and so does the context: the result has none); an abort stops the worker
 * at once.
 */
export async function generateInThread(store: GraphStore, policy: string, settings: Omit<GenerationSettings, 'onItems'> & { readonly templates?: string }): Promise<Omit<GenerationResult, 'context'>> {
  checkGenerationSettings(settings);
  const signal = settings.signal;
  signal?.throwIfAborted();
  let answers: ContextAnswers | undefined = await askContext(store, await loadedPolicy(store, policy));
  signal?.throwIfAborted();
  const writer = await store.beginDerivedGraph({ graph: generatedGraphIri(policy), kind: GENERATED_KIND, policy, policySha256: answers.policy.sha256 });
  try {
    const work: GenerationWork = {
      seed: settings.seed,
      batchSize: settings.batchSize ?? THREAD_BATCH,
      ...(settings.templates ? { templates: settings.templates } : {}),
      ...(settings.families ? { families: settings.families } : {}),
    };
    const worker = takeWorker();
    const summary = await new Promise<GenerationSummary>((resolve, reject) => {
      let writing = Promise.resolve();
      let ended = false;
      const end = (error: unknown, summary?: GenerationSummary) => {
        if (ended) return;
        ended = true;
        signal?.removeEventListener('abort', onAbort);
        // A worker that finished its run is kept for the next; one stopped halfway is not.
        if (summary) {
          keepWorker(worker);
          resolve(summary);
        } else {
          worker.removeAllListeners();
          void worker.terminate();
          reject(error);
        }
      };
      const onAbort = () => end(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'progress') settings.progress?.(message.done, message.total);
        else if (message.type === 'batch') {
          // Batches are written in the order they come; the worker waits for each before it sends the next.
          writing = writing
            .then(() => writer.appendNTriples(message.text, message.triples))
            .then(() => worker.postMessage({ type: 'written' }), (error) => end(error));
        } else if (message.type === 'done') void writing.then(() => end(undefined, message.summary));
        else end(new StudioError(`generation failed in its worker: ${message.message}`));
      });
      worker.on('error', (error) => end(new StudioError(`generation failed in its worker: ${error.stack ?? error.message}`)));
      worker.on('exit', (code) => end(new StudioError(`the generation worker stopped (exit code ${code})`)));
      // The answers go in parts (a run stopped meanwhile sends no more of them).
      sendContext(answers!, (part) => ended || worker.postMessage({ type: 'context', part })).then(
        () => ended || worker.postMessage({ type: 'run', work }),
        (error) => end(error),
      );
      // Only the sending keeps the answers now: their text goes once it is sent, not at the end of the run.
      answers = undefined;
    });
    signal?.throwIfAborted();
    const graph = await writer.commit();
    return { summary, graph };
  } finally {
    await writer.abort();
  }
}
