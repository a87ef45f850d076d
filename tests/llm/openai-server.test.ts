/**
 * The test server itself, where no client covers it yet: streamed answers
 * as server-sent events, and a stream that stalls after its first events.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { OpenAiTestServer, reply } from '../helpers/openai-server.js';

let server: OpenAiTestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function post(base: string, body: object, signal?: AbortSignal): Promise<Response> {
  return fetch(`${base}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
}

describe('the OpenAI-compatible test server', () => {
  it('streams an answer as chat.completion.chunk events ending in [DONE]', async () => {
    server = await OpenAiTestServer.start({ script: () => reply.chat('one two three') });
    const response = await post(server.baseUrl, { model: 'studio-test-model', messages: [], stream: true });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = (await response.text()).trim().split('\n\n').map((e) => e.replace(/^data: /, ''));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe('one two three');
    expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');
  });

  it('stalls a stream after the events asked for, until the client gives up', async () => {
    server = await OpenAiTestServer.start({ script: () => reply.stall('one two three', 2) });
    const controller = new AbortController();
    const response = await post(server.baseUrl, { model: 'studio-test-model', messages: [], stream: true }, controller.signal);
    const reader = response.body!.getReader();
    let text = '';
    const timer = setTimeout(() => controller.abort(), 300);
    await expect(
      (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          text += new TextDecoder().decode(value);
        }
      })(),
    ).rejects.toThrow();
    clearTimeout(timer);
    expect(text.match(/^data: /gm)).toHaveLength(2);
    expect(text).not.toContain('[DONE]');
  });
});
