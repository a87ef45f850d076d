/** The response cache: keyed by endpoint, model, messages and parameters; an entry cut short reads as absent. */

import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requestKey, ResponseCache } from '../../src/auditors/response-cache.js';

const messages = [{ role: 'user' as const, content: 'May I accept a gift?' }];

describe('response cache', () => {
  it('keys by endpoint, model, messages and parameters, whatever the parameters’ order', () => {
    const key = requestKey('http://a/v1', 'm', messages, { temperature: 0, max_tokens: 10 });
    expect(requestKey('http://a/v1', 'm', messages, { max_tokens: 10, temperature: 0 })).toBe(key);
    expect(requestKey('http://b/v1', 'm', messages, { temperature: 0, max_tokens: 10 })).not.toBe(key);
    expect(requestKey('http://a/v1', 'n', messages, { temperature: 0, max_tokens: 10 })).not.toBe(key);
    expect(requestKey('http://a/v1', 'm', [{ role: 'user', content: 'May I accept a gift? ' }], { temperature: 0, max_tokens: 10 })).not.toBe(key);
    expect(requestKey('http://a/v1', 'm', messages, { temperature: 0.2, max_tokens: 10 })).not.toBe(key);
  });

  it('gives back what was put, across instances, and treats a line a kill cut short as absent', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'studio-cache-'));
    const cache = new ResponseCache(folder);
    const key = requestKey('http://a/v1', 'm', messages, {});
    const other = requestKey('http://a/v1', 'm', messages, { seed: 1 });
    expect(await cache.get(key)).toBeUndefined();
    await cache.put(key, { text: 'No.', servedModel: 'm-2026', finishReason: 'stop' });
    await cache.put(other, { text: 'No, sorry.', servedModel: 'm', finishReason: 'length' });
    expect(await cache.get(key)).toEqual({ text: 'No.', servedModel: 'm-2026', finishReason: 'stop' });
    await cache.close();

    // A third answer, cut short by a kill, after the two whole ones.
    const third = requestKey('http://a/v1', 'm', messages, { seed: 2 });
    await appendFile(cache.file, `{"key":"${third}","text":"Certainly, here is`);
    const reopened = new ResponseCache(folder);
    expect(await reopened.get(other)).toEqual({ text: 'No, sorry.', servedModel: 'm', finishReason: 'length' });
    expect(await reopened.get(third)).toBeUndefined();
    await reopened.put(third, { text: 'No, thank you.', servedModel: 'm', finishReason: 'stop' });
    expect((await reopened.get(third))?.text).toBe('No, thank you.');
    await reopened.close();
    const again = new ResponseCache(folder);
    expect((await again.get(third))?.text).toBe('No, thank you.');
    expect((await again.get(key))?.text).toBe('No.');
    await again.close();
    expect((await readFile(cache.file, 'utf8')).split('\n').filter(Boolean)).toHaveLength(4);
  });

  it('does not trust a line another process appended where this one expected its own', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'studio-cache-'));
    const [a, b] = [new ResponseCache(folder), new ResponseCache(folder)];
    const [ka, kb] = [requestKey('x', 'm', messages, { n: 1 }), requestKey('x', 'm', messages, { n: 2 })];
    await a.get(ka);
    await b.get(kb);
    await a.put(ka, { text: 'from a', servedModel: 'm', finishReason: 'stop' });
    await b.put(kb, { text: 'from b, a longer answer', servedModel: 'm', finishReason: 'stop' });
    // b thinks its line starts where a's does: what it reads there names another key, so it is absent, never a's answer.
    expect(await b.get(kb)).toBeUndefined();
    expect((await a.get(ka))?.text).toBe('from a');
    await Promise.all([a.close(), b.close()]);
    const fresh = new ResponseCache(folder);
    expect((await fresh.get(kb))?.text).toBe('from b, a longer answer');
    await fresh.close();
  });
});
