/** The results journal: one line per key, torn last lines cut, and a chain that shows an altered or removed line. */

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHAIN_START, Journal, journalRecords, readJournal, verifyChain, writtenRecords, type Chained } from '../../src/auditors/journal.js';

interface Entry {
  readonly case: string;
  readonly outcome: string;
}

async function journalWith(n: number): Promise<string> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'studio-journal-')), 'results.jsonl');
  const { journal } = await Journal.open<Entry>(file, (e) => e.case);
  await Promise.all(Array.from({ length: n }, (_, i) => journal.append({ case: `c${i}`, outcome: i % 2 ? 'passed' : 'failed' })));
  await journal.close();
  return file;
}

describe('journal', () => {
  it('writes one line per record, refuses a second record for a key, and carries on after reopening', async () => {
    const file = await journalWith(5);
    const { journal, records } = await Journal.open<Entry>(file, (e) => e.case);
    expect(records.map((r) => r.case)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    await expect(journal.append({ case: 'c2', outcome: 'passed' })).rejects.toThrow(/a result for c2 is written already/);
    await journal.append({ case: 'c5', outcome: 'passed' });
    await journal.close();
    const all = (await readJournal<Chained<Entry>>(file)).records;
    expect(all).toHaveLength(6);
    expect(verifyChain(all)).toEqual({ head: all[5]!.chain });
  });

  it('writes each line as JSON.stringify writes the record with its chain last, unicode and escapes included', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'studio-journal-')), 'results.jsonl');
    const { journal } = await Journal.open<Entry & { note?: string; gone?: undefined }>(file, (e) => e.case);
    const records = [{ case: 'a"b\\c', outcome: 'passed', note: 'é \u2028 \n 😀' }, { case: 'd', outcome: 'failed', gone: undefined }];
    for (const r of records) await journal.append(r);
    await journal.close();
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    const chained = (await readJournal<Chained<Entry>>(file)).records;
    expect(lines).toEqual(records.map((r, i) => JSON.stringify({ ...r, chain: chained[i]!.chain })));
    expect(verifyChain(chained)).toEqual({ head: chained[1]!.chain });
  });

  it('chains lines so that an altered, removed or reordered line shows where', async () => {
    const file = await journalWith(6);
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    const read = async () => (await readJournal<Chained<Entry>>(file)).records;
    expect(verifyChain([])).toEqual({ head: CHAIN_START });

    await writeFile(file, lines.map((l, i) => (i === 3 ? l.replace(/"outcome":"(passed|failed)"/, '"outcome":"cantTell"') : l)).join('\n') + '\n');
    expect(verifyChain(await read()).brokenAt).toBe(4);
    await writeFile(file, lines.filter((_, i) => i !== 2).join('\n') + '\n');
    expect(verifyChain(await read()).brokenAt).toBe(3);
    await writeFile(file, [lines[1], lines[0], ...lines.slice(2)].join('\n') + '\n');
    expect(verifyChain(await read()).brokenAt).toBe(1);
  });

  it('cuts a torn last line on reopening and keeps the chain whole', async () => {
    const file = await journalWith(3);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text + '{"case":"c3","outc');
    const { journal, records, repairedBytes } = await Journal.open<Entry>(file, (e) => e.case);
    expect(repairedBytes).toBe(18);
    expect(records).toHaveLength(3);
    await journal.append({ case: 'c3', outcome: 'passed' });
    await journal.close();
    const all = (await readJournal<Chained<Entry>>(file)).records;
    expect(all.map((r) => r.case)).toEqual(['c0', 'c1', 'c2', 'c3']);
    expect(verifyChain(all).brokenAt).toBeUndefined();
  });

  it('reads a journal as a stream: the same records as a whole read, without a torn last line, and a bad line named', async () => {
    const all = async (file: string) => {
      const out: Entry[] = [];
      for await (const r of journalRecords<Entry>(file)) out.push(r);
      return out;
    };
    // Lines longer than one read of the stream, so that lines straddle chunks.
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'studio-journal-')), 'results.jsonl');
    const { journal } = await Journal.open<Entry & { padding: string }>(file, (e) => e.case);
    await Promise.all(Array.from({ length: 40 }, (_, i) => journal.append({ case: `c${i}`, outcome: 'passed', padding: 'x'.repeat(5_000 + i) })));
    await journal.close();
    expect(await all(file)).toEqual((await readJournal<Entry>(file)).records);
    expect((await all(file)).map((r) => r.case)).toEqual(Array.from({ length: 40 }, (_, i) => `c${i}`));

    const text = await readFile(file, 'utf8');
    await writeFile(file, `${text}{"case":"c40","outc`);
    expect(await all(file)).toHaveLength(40);
    await writeFile(file, `${text.split('\n').slice(0, 2).join('\n')}\nnot json\n${text.split('\n').slice(2).join('\n')}`);
    await expect(all(file)).rejects.toThrow(/results\.jsonl:3: not a whole result/);
    expect(await all(path.join(path.dirname(file), 'none.jsonl'))).toEqual([]);
  });

  it('copies records as their bytes: writtenRecords gives each line as JSON.stringify wrote the record, and appendJson writes what append writes', async () => {
    const records: Record<string, string>[] = [{ case: 'a"b\\c', outcome: 'passed', note: 'é \u2028 \n 😀 \ud800' }, { case: 'd', outcome: 'failed', padding: 'x'.repeat(70_000) }, { case: 'e', outcome: 'cantTell' }];
    const dir = await mkdtemp(path.join(tmpdir(), 'studio-journal-'));
    const source = path.join(dir, 'a.jsonl');
    const { journal } = await Journal.open<Record<string, string>>(source, (e) => e.case!);
    for (const r of records) await journal.append(r);
    await journal.close();
    const read: { line: number; json: Buffer }[] = [];
    for await (const r of writtenRecords(source)) read.push({ line: r.line, json: Buffer.concat([r.open, Buffer.from('}')]) });
    expect(read.map((r) => [r.line, r.json.toString('utf8')])).toEqual(records.map((r, i) => [i + 1, JSON.stringify(r)]));

    // Copied in another order, with a key added at the end: the same bytes as append gives, and a chain that holds.
    const copy = path.join(dir, 'b.jsonl');
    const appended = path.join(dir, 'c.jsonl');
    const b = (await Journal.open<Record<string, string>>(copy, (e) => e.case!)).journal;
    const c = (await Journal.open<Record<string, string>>(appended, (e) => e.case!)).journal;
    const withFrom = (i: number) => ({ key: records[i]!.case!, json: Buffer.concat([read[i]!.json.subarray(0, -1), Buffer.from(',"from":"x"}')]) });
    // Two in one write, then one alone.
    await b.appendJsons([withFrom(2), withFrom(0)]);
    await b.appendJson(withFrom(1).key, withFrom(1).json);
    for (const i of [2, 0, 1]) await c.append({ ...records[i]!, from: 'x' });
    await expect(b.appendJson('e', read[2]!.json)).rejects.toThrow(/a result for e is written already/);
    await expect(b.appendJson('f', Buffer.from('[]'))).rejects.toThrow(/not a JSON object/);
    // A batch with one record refused writes none of them.
    await expect(b.appendJsons([{ key: 'g', json: Buffer.from('{"case":"g"}') }, { key: 'g', json: Buffer.from('{"case":"g"}') }])).rejects.toThrow(/a result for g is written already/);
    expect(b.has('g')).toBe(false);
    await b.close();
    await c.close();
    expect(await readFile(copy, 'utf8')).toBe(await readFile(appended, 'utf8'));
    expect(verifyChain((await readJournal<Chained<object>>(copy)).records).brokenAt).toBeUndefined();
  });

  it('refuses, in writtenRecords, a line whose chain does not hold on its bytes, naming the line', async () => {
    const file = await journalWith(4);
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    const all = async () => {
      let n = 0;
      for await (const _ of writtenRecords(file)) n++;
      return n;
    };
    expect(await all()).toBe(4);
    // Same record, written otherwise (a space): what was hashed is no longer what is there.
    await writeFile(file, lines.map((l, i) => (i === 2 ? l.replace('"outcome":', '"outcome": ') : l)).join('\n') + '\n');
    await expect(all()).rejects.toThrow(/results\.jsonl:3: this line no longer follows the journal's hash chain/);
    await writeFile(file, lines.filter((_, i) => i !== 1).join('\n') + '\n');
    await expect(all()).rejects.toThrow(/results\.jsonl:2: /);
    await writeFile(file, [...lines.slice(0, 3), '{"case":"c9","outcome":"passed"}'].join('\n') + '\n');
    await expect(all()).rejects.toThrow(/results\.jsonl:4: /);
    await writeFile(file, `${lines.join('\n')}\n{"case":"c4","outc`);
    expect(await all()).toBe(4);
  });
});
