/** Writes records as JSON Lines through a stream, so a million records never become one string. */

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** Writes one JSON object per line; resolves with the number written. */
export async function writeJsonl(file: string, records: Iterable<unknown>): Promise<number> {
  const out = createWriteStream(file);
  let count = 0;
  for (const record of records) {
    if (!out.write(JSON.stringify(record) + '\n')) await once(out, 'drain');
    count++;
  }
  out.end();
  await once(out, 'finish');
  return count;
}
