/** Bounded concurrency over an async source: never more than the limit in flight or read ahead, and a failure stops the rest. */

import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { forEachBounded } from '../../src/llm/bounded.js';

/** A source that counts how far it has been read. */
function counted(n: number) {
  const state = { read: 0 };
  async function* source() {
    for (let i = 0; i < n; i++) {
      state.read++;
      yield i;
    }
  }
  return { state, source: source() };
}

describe('forEachBounded', () => {
  it('keeps at most the limit running, reads no further ahead, and does every item once', async () => {
    const { state, source } = counted(50);
    let running = 0;
    let most = 0;
    let aheadMost = 0;
    const done: number[] = [];
    await forEachBounded(source, 4, async (i) => {
      running++;
      most = Math.max(most, running);
      aheadMost = Math.max(aheadMost, state.read - done.length);
      await sleep(1 + (i % 3));
      done.push(i);
      running--;
    });
    expect(most).toBe(4);
    expect(aheadMost).toBeLessThanOrEqual(4);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('stops at the first failure: nothing new starts, running tasks see the abort, and the call settles after them', async () => {
    const { state, source } = counted(100);
    const finished: number[] = [];
    const aborted: number[] = [];
    const error = await forEachBounded(source, 3, async (i, signal) => {
      if (i === 5) throw new Error('boom');
      await sleep(20);
      if (signal.aborted) aborted.push(i);
      finished.push(i);
    }).catch((e) => e);
    expect(error.message).toBe('boom');
    expect(state.read).toBeLessThan(12);
    expect(aborted.length).toBeGreaterThan(0);
    const settled = finished.length;
    await sleep(50);
    expect(finished.length).toBe(settled);
  });

  it('stops when the caller aborts, rejecting with its reason', async () => {
    const { source } = counted(1000);
    const controller = new AbortController();
    const seen: number[] = [];
    const run = forEachBounded(source, 2, async (i) => {
      seen.push(i);
      if (i === 10) controller.abort(new Error('stop'));
      await sleep(1);
    }, controller.signal);
    await expect(run).rejects.toThrow('stop');
    expect(seen.length).toBeLessThan(20);
  });
});
