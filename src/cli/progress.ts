/** A progress bar on stderr for long operations, shown only on a terminal. */

import type { Progress } from '../store/graph-store.js';

/** Runs work with a bar labelled `label`; the work reports (done, total). */
export async function withProgress<T>(label: string, work: (progress: Progress) => Promise<T>): Promise<T> {
  if (!process.stderr.isTTY) return work(() => undefined);
  // Loaded only for a terminal: elsewhere (a script, a pipe) a short command need not pay for it.
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { format: `${label.padEnd(28)} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  try {
    return await work((done, total) => {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done);
      }
    });
  } finally {
    if (started) bar.stop();
  }
}
