/**
 * The fetch under the LLM client answers with a plain object of the
 * Response's shape (complete-body-fetch.ts): what the openai package reads
 * of it must answer as the platform's Response and Headers would for the
 * same status, headers and body.
 */

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeBodyFetch } from '../../src/llm/complete-body-fetch.js';

const RAW: [string, string][] = [
  ['Content-Type', 'application/json'],
  ['X-Request-Id', 'req-1'],
  ['Set-Cookie', 'a=1'],
  ['set-cookie', 'b=2'],
  ['X-Multi', 'one'],
  ['x-multi', 'two'],
  ['Retry-After', '0'],
];

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.url === '/text') {
        response.writeHead(503, 'Busy', { 'content-type': 'text/plain' });
        response.end('try later');
        return;
      }
      response.writeHead(200, RAW.flat());
      response.end(JSON.stringify({ echo: request.method }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the buffered answer of completeBodyFetch', () => {
  it('has the headers the platform would give for the same raw headers', async () => {
    const answer = await completeBodyFetch(60_000)(`${base}/json`, { method: 'POST', body: '{}' });
    const platform = new Headers(RAW);
    const ours = answer.headers;
    // The server adds its own (date, connection...): compare the names it was asked to send, and the order of all.
    for (const name of ['content-type', 'CONTENT-TYPE', 'x-request-id', 'x-multi', 'retry-after', 'absent']) {
      expect(ours.get(name)).toBe(platform.get(name));
      expect(ours.has(name)).toBe(platform.has(name));
    }
    expect(ours.getSetCookie()).toEqual(platform.getSetCookie());
    const names = [...ours.keys()];
    expect(names).toEqual([...names].sort());
    expect([...ours.entries()]).toEqual([...ours]);
    const seen: string[] = [];
    ours.forEach((value, name) => seen.push(`${name}=${value}`));
    expect(seen).toEqual([...ours].map(([name, value]) => `${name}=${value}`));
  });

  it('answers status, ok, url and its body once, as a Response does', async () => {
    const url = `${base}/json`;
    const answer = await completeBodyFetch(60_000)(url, { method: 'POST', body: '{}' });
    expect([answer.status, answer.ok, answer.url, answer.bodyUsed]).toEqual([200, true, url, false]);
    expect(await answer.json()).toEqual({ echo: 'POST' });
    expect(answer.bodyUsed).toBe(true);
    await expect(answer.text()).rejects.toThrow(/already read/);
    // A clone still has its body, and the stream gives the same bytes.
    const clone = answer.clone();
    expect(await new Response(clone.body).text()).toBe(JSON.stringify({ echo: 'POST' }));
  });

  it('gives a failed status with its text', async () => {
    const answer = await completeBodyFetch(60_000)(`${base}/text`, { method: 'POST', body: '{}' });
    expect([answer.status, answer.ok, answer.statusText]).toEqual([503, false, 'Busy']);
    expect(await answer.text()).toBe('try later');
  });
});
