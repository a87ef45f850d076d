/**
 * The generic task thread (src/task-thread.ts): a task's deadline counts its
 * own run, not the wait behind another task; a task past it takes the worker,
 * and the tasks that were waiting run in a new one.
 */

import { describe, expect, it } from 'vitest';
import { TaskThread } from '../src/task-thread.js';
import { StudioError } from '../src/errors.js';

class Late extends StudioError {}

const thread = (deadlineMs?: number, recycleAfter?: number) =>
  new TaskThread<{ ms: number; answer: string }, string>({
    from: import.meta.url,
    module: './helpers/busy-worker.js',
    work: 'a test task',
    closing: () => new StudioError('closed'),
    ...(deadlineMs !== undefined ? { deadline: { ms: deadlineMs, error: () => new Late('late') } } : {}),
    ...(recycleAfter !== undefined ? { recycleAfter } : {}),
  });

describe('task thread', () => {
  it('runs tasks in order in one worker, without a deadline as long as they take', async () => {
    const tasks = thread();
    try {
      expect(await Promise.all([tasks.run({ ms: 300, answer: 'a' }), tasks.run({ ms: 0, answer: 'b' })])).toEqual(['a', 'b']);
    } finally {
      await tasks.close();
    }
    await expect(tasks.run({ ms: 0, answer: 'c' })).rejects.toThrow('closed');
  });

  it('stops a task past its deadline; the task waiting behind it runs in a new worker, its deadline not counting the wait', async () => {
    const tasks = thread(2000);
    try {
      // The first would hold its worker a minute; the second waits behind it for the 2 s of the first's deadline.
      const long = tasks.run({ ms: 60_000, answer: 'never' });
      const short = tasks.run({ ms: 10, answer: 'short' });
      await expect(long).rejects.toBeInstanceOf(Late);
      await expect(short).resolves.toBe('short');
    } finally {
      await tasks.close();
    }
  });

  it('replaces a worker once it has served recycleAfter tasks and is idle, never under a task waiting', async () => {
    const tasks = thread(undefined, 2);
    try {
      // Two tasks queued together: the worker answers both, then goes.
      const [a, b] = await Promise.all([tasks.run({ ms: 0, answer: 'thread' }), tasks.run({ ms: 0, answer: 'thread' })]);
      expect(a).toBe(b);
      expect(tasks.recycled).toBe(1);
      // Three queued at once: the third waits when the second is answered, so the worker stays for it.
      const [c, d, e] = await Promise.all([1, 2, 3].map(() => tasks.run({ ms: 50, answer: 'thread' })));
      expect(c).not.toBe(a);
      expect(new Set([c, d, e]).size).toBe(1);
      expect(tasks.recycled).toBe(2);
      expect(await tasks.run({ ms: 0, answer: 'after' })).toBe('after');
    } finally {
      await tasks.close();
    }
  });
});
