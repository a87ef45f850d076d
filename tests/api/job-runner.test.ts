/**
 * The job runner and its event streams without HTTP, over a real embedded
 * store: a kind whose run waits for the test lets each step be seen. A
 * stream that is stopped (its client went away) hears nothing more; closing
 * the runner cancels what is queued and running and waits for it.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../../src/api/jobs/job-runner.js';
import { jobEventStream } from '../../src/api/jobs/job-events.js';
import type { JobKind } from '../../src/api/jobs/job-kind.js';
import { SerialQueue } from '../../src/api/serial-queue.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import type { GraphStore } from '../../src/store/graph-store.js';

/** A kind whose run reports one step, then waits until the test opens its gate (or the job is cancelled). */
function gated(): { kind: JobKind<{ name: string }, { name: string }>; open: (name: string) => void } {
  const gates = new Map<string, () => void>();
  return {
    open: (name) => gates.get(name)!(),
    kind: {
      kind: 'gated',
      description: 'waits for the test',
      roles: ['admin'],
      params: { name: { type: 'string' } },
      required: ['name'],
      result: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      async run(params, { signal, progress }) {
        progress({ phase: 'waiting', done: 0, total: 1 });
        await new Promise<void>((resolve, reject) => {
          gates.set(params.name, resolve);
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
        return { name: params.name };
      },
    },
  };
}

/** Everything a stream holds, once it has ended. */
async function drain(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

let store: GraphStore;
beforeAll(async () => {
  store = await EmbeddedStore.open();
});
afterAll(() => store.close());

describe('job runner', () => {
  it('sends each stream the current state first, stops a stream that is stopped, and serves the others to the end', async () => {
    const { kind, open } = gated();
    const runner = new JobRunner([kind], store, new SerialQueue());
    const job = runner.submit(kind, { name: 'a' }, 'test');
    const leaving = jobEventStream(runner, job.id, 60_000)!;
    const staying = jobEventStream(runner, job.id, 60_000)!;
    leaving.stop();
    open('a');
    const [left, stayed] = await Promise.all([drain(leaving.stream), drain(staying.stream)]);
    expect(left.match(/^event: .*/gm)).toEqual(['event: state']);
    expect(stayed.match(/^event: .*/gm)).toEqual(['event: state', 'event: state']);
    expect(stayed).toContain('"state":"succeeded"');
    expect(runner.get(job.id)).toMatchObject({ state: 'succeeded', result: { name: 'a' } });
  });

  it('answers undefined for an unknown job', () => {
    const runner = new JobRunner([gated().kind], store, new SerialQueue());
    expect(jobEventStream(runner, 'AAAAAAAAAAAAAAAAAAAAAA', 1000)).toBeUndefined();
    expect(runner.cancel('AAAAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
  });

  it('on close, cancels the queued and the running jobs and waits until they have settled', async () => {
    const { kind } = gated();
    const runner = new JobRunner([kind], store, new SerialQueue(), { maxRunning: 1 });
    const running = runner.submit(kind, { name: 'r' }, 'test');
    const queued = runner.submit(kind, { name: 'q' }, 'test');
    expect([running.state, queued.state]).toEqual(['running', 'queued']);
    const events = jobEventStream(runner, running.id, 60_000)!;
    await runner.close();
    expect(runner.list().map((j) => [j.id, j.state, j.cancelRequested])).toEqual([
      [queued.id, 'cancelled', true],
      [running.id, 'cancelled', true],
    ]);
    expect(await drain(events.stream)).toContain('"state":"cancelled"');
  });

  it('refuses two kinds of one name, and limits below one', () => {
    const { kind } = gated();
    expect(() => new JobRunner([kind, kind], store, new SerialQueue())).toThrow(/same name/);
    expect(() => new JobRunner([kind], store, new SerialQueue(), { maxKept: 0 })).toThrow(/at least 1/);
  });
});
