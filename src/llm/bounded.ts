/**
 * Work over many items with a bounded number in flight, for LLM calls: the
 * first failure stops the rest (their signal aborts, nothing new starts), and
 * the call settles only once every started task has, so no task writes
 * after the caller has moved on.
 */

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
  const controller = new AbortController();
  let next = 0;
  let finished = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index]!, index, controller.signal);
      } catch (error) {
        if (!failure) {
          failure = { error };
          controller.abort(error);
        }
        return;
      }
      done?.(++finished, items.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
  return results;
}
