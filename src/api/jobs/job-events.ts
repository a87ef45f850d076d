/**
 * A job's events as a server-sent event stream (text/event-stream): first
 * `state` with the job as it is now (so a client that connects late, even
 * after the end, knows where it stands), then `progress` events and a
 * `state` event at each change of state; the stream ends after the final
 * one. A comment line every `heartbeatMs` keeps proxies from closing an idle
 * stream.
 */

import { PassThrough } from 'node:stream';
import { FINISHED, type JobView } from './job.js';
import type { JobEvent, JobRunner } from './job-runner.js';

/** Time between heartbeat comments, unless the server is told otherwise. */
export const DEFAULT_HEARTBEAT_MS = 15_000;

/** One event in the stream's wire format. */
export function formatEvent(event: JobEvent): string {
  const data = event.type === 'state' ? event.job : event.progress;
  return `event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The stream of a job's events, and `stop` to end it early (the client went away); undefined for an unknown id. */
export function jobEventStream(runner: JobRunner, id: string, heartbeatMs: number): { stream: PassThrough; stop: () => void } | undefined {
  const stream = new PassThrough();
  let heartbeat: NodeJS.Timeout | undefined;
  const stop = () => {
    clearInterval(heartbeat);
    subscription?.unsubscribe();
    if (!stream.writableEnded) stream.end();
  };
  const subscription = runner.subscribe(id, (event) => {
    stream.write(formatEvent(event));
    if (event.type === 'state' && FINISHED.has(event.job.state)) stop();
  });
  if (!subscription) return undefined;
  const now: JobView = subscription.job;
  stream.write(formatEvent({ type: 'state', job: now }));
  if (FINISHED.has(now.state)) stop();
  else heartbeat = setInterval(() => stream.write(': heartbeat\n\n'), heartbeatMs);
  return { stream, stop };
}
