/** The response cache: keyed by endpoint, model, messages and parameters; an entry cut short reads as absent. */

import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
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

  it('gives back what was put, and treats an entry a kill cut short as absent', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'studio-cache-'));
    const cache = new ResponseCache(folder);
    const key = requestKey('http://a/v1', 'm', messages, {});
    expect(await cache.get(key)).toBeUndefined();
    await cache.put(key, { text: 'No.', servedModel: 'm-2026', finishReason: 'stop' });
    expect(await cache.get(key)).toEqual({ text: 'No.', servedModel: 'm-2026', finishReason: 'stop' });
    const [shard] = await readdir(folder);
    await writeFile(path.join(folder, shard!, `${key}.json`), '{"text":"No.","servedMo');
    expect(await cache.get(key)).toBeUndefined();
    await cache.put(key, { text: 'No, thank you.', servedModel: 'm', finishReason: 'stop' });
    expect((await cache.get(key))?.text).toBe('No, thank you.');
  });
});
