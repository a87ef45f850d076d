/** Grouped appends: every line lands whole and in order, lines that arrive during a write share the next one, and a failed write fails its lines only. */

import { mkdtemp, open, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineAppender } from '../../src/auditors/line-appender.js';

async function tempFile(): Promise<string> {
  return path.join(await mkdtemp(path.join(tmpdir(), 'studio-appender-')), 'lines.jsonl');
}

describe('line appender', () => {
  it('writes every line whole and in the order appended, in fewer writes than lines', async () => {
    const file = await tempFile();
    const handle = await open(file, 'a');
    let writes = 0;
    const write = handle.write.bind(handle);
    handle.write = ((...args: Parameters<typeof write>) => {
      writes++;
      return write(...args);
    }) as typeof handle.write;
    const appender = new LineAppender(handle);
    const lines = Array.from({ length: 200 }, (_, i) => `{"n":${i},"text":"${'x'.repeat(i % 7)}"}\n`);
    // Appended in one turn, as workers finishing together would: they go out in one write.
    await Promise.all(lines.map((line) => appender.append(Buffer.from(line))));
    expect(await readFile(file, 'utf8')).toBe(lines.join(''));
    expect(writes).toBe(1);
    // Lines appended while a write is under way wait for the next write, together.
    const first = appender.append(Buffer.from('{"n":200}\n'));
    await Promise.resolve();
    expect(writes).toBe(2);
    const during = [appender.append(Buffer.from('{"n":201}\n')), appender.append(Buffer.from('{"n":202}\n'))];
    await Promise.all([first, ...during]);
    expect(writes).toBe(3);
    await handle.close();
    expect(await readFile(file, 'utf8')).toBe(`${lines.join('')}{"n":200}\n{"n":201}\n{"n":202}\n`);
  });

  it('resolves each append once its own line is on disk', async () => {
    const file = await tempFile();
    const handle = await open(file, 'a');
    const appender = new LineAppender(handle);
    await appender.append(Buffer.from('first\n'));
    expect(await readFile(file, 'utf8')).toBe('first\n');
    const second = appender.append(Buffer.from('second\n'));
    const third = appender.append(Buffer.from('third\n'));
    await second;
    expect(await readFile(file, 'utf8')).toBe('first\nsecond\nthird\n');
    await third;
    await handle.close();
  });

  it('rejects the lines of a failed write, and writes the lines appended after it', async () => {
    const file = await tempFile();
    await writeFile(file, '');
    const handle = await open(file, 'a');
    const write = handle.write.bind(handle);
    let fail = true;
    handle.write = ((...args: Parameters<typeof write>) => {
      if (fail) {
        fail = false;
        return Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
      }
      return write(...args);
    }) as typeof handle.write;
    const appender = new LineAppender(handle);
    await expect(appender.append(Buffer.from('lost\n'))).rejects.toThrow(/ENOSPC/);
    await appender.append(Buffer.from('kept\n'));
    await appender.settled();
    await handle.close();
    expect(await readFile(file, 'utf8')).toBe('kept\n');
  });
});
