/**
 * Work over many items with a bounded number in flight, for LLM calls: the
 * first failure stops the rest (their signal aborts, nothing new starts), and
 * the call settles only once every started task has, so no task writes
 * after the caller has moved on.
 */

import { setMaxListeners } from 'node:events';

/**
 * Runs `work` on each item an async source yields, with at most `limit`
 * running at once and no more read ahead than that, so a source of any
 * length costs `limit` items of memory. Stops at the first failure (or when
 * `signal` aborts): nothing new starts, the signal passed to running tasks
 * aborts, and the call settles once every started task has.
 */
export async function forEachBounded<T>(
  source: AsyncIterable<T>,
  limit: number,
  work: (item: T, signal: AbortSignal) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const controller = new AbortController();
  // Each running task listens on it.
  setMaxListeners(limit + 8, controller.signal);
  const stop = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', stop, { once: true });
  const iterator = source[Symbol.asyncIterator]();
  let failure: { error: unknown } | undefined;
  let exhausted = false;
  // One reader at a time: async generators queue next() calls anyway, but a failure must stop the others.
  let reading: Promise<unknown> = Promise.resolve();
  const nextItem = (): Promise<IteratorResult<T>> => {
    const result = reading.then(() => (exhausted || failure || controller.signal.aborted ? ({ done: true, value: undefined } as IteratorResult<T>) : iterator.next()));
    reading = result.catch(() => undefined);
    return result;
  };
  const worker = async () => {
    while (!failure && !controller.signal.aborted) {
      let next: IteratorResult<T>;
      try {
        next = await nextItem();
      } catch (error) {
        failure ??= { error };
        controller.abort(error);
        return;
      }
      if (next.done) {
        exhausted = true;
        return;
      }
      // A signal per task, so that what a task hangs on it (the HTTP client's listeners) goes with the task.
      const task = new AbortController();
      const forward = () => task.abort(controller.signal.reason);
      controller.signal.addEventListener('abort', forward, { once: true });
      try {
        await work(next.value, task.signal);
      } catch (error) {
        failure ??= { error };
        controller.abort(error);
        return;
      } finally {
        controller.signal.removeEventListener('abort', forward);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  } finally {
    signal?.removeEventListener('abort', stop);
    if (!exhausted) await iterator.return?.(undefined);
  }
  if (failure) throw failure.error;
  if (signal?.aborted) throw signal.reason;
}

/**
 * Runs `work` on each item with at most `limit` running at once; resolves
 * with the results in input order, or rejects with the first failure.
 * `done` reports progress as tasks finish.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number, signal: AbortSignal) => Promise<R>,
  done?: (finished: number, total: number) => void,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let finished = 0;
  async function* indices() {
    for (let i = 0; i < items.length; i++) yield i;
  }
  await forEachBounded(indices(), limit, async (index, signal) => {
    results[index] = await work(items[index]!, index, signal);
    done?.(++finished, items.length);
  });
  return results;
}
