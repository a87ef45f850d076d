/**
 * The LLM client against the local OpenAI-compatible server: answers, the
 * faults it rides out (429 with Retry-After, 5xx, broken and cut-off bodies),
 * and the ones it reports as an error kind that says what to check.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { LlmClient } from '../../src/llm/client.js';
import { LLM_DEFAULTS, resolveLlmConfig, type LlmConfig } from '../../src/llm/llm-config.js';
import {
  ConfigError,
  LlmAuthError,
  LlmConnectionError,
  LlmModelError,
  LlmRateLimitError,
  LlmResponseError,
  LlmServerError,
  LlmTimeoutError,
} from '../../src/errors.js';
import { OpenAiTestServer, reply, sequence, type OpenAiServerOptions } from '../helpers/openai-server.js';

const MODEL = 'studio-test-model';
const ASK = { messages: [{ role: 'user' as const, content: 'Say ok.' }] };
let server: OpenAiTestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(options: OpenAiServerOptions = {}): Promise<OpenAiTestServer> {
  server = await OpenAiTestServer.start(options);
  return server;
}

function client(base: string, config: Partial<LlmConfig> = {}): LlmClient {
  return new LlmClient({ ...LLM_DEFAULTS, parameters: {}, baseUrl: base, model: MODEL, timeoutMs: 1000, maxRetries: 2, ...config });
}

/** The error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('LlmClient', () => {
  it('sends the model, messages and parameters, and returns the answer with the served model', async () => {
    const s = await serve({ script: () => reply.chat('ok then', { model: `${MODEL}-2024-05-01` }) });
    const answer = await client(s.baseUrl, { parameters: { temperature: 0.3, max_tokens: 50 } }).chat({ ...ASK, parameters: { temperature: 0.9, seed: 4 } });
    expect(answer).toMatchObject({ text: 'ok then', model: MODEL, servedModel: `${MODEL}-2024-05-01`, finishReason: 'stop', parameters: { temperature: 0.9, max_tokens: 50, seed: 4 } });
    const [request] = s.chatRequests();
    expect(request!.body).toMatchObject({ model: MODEL, messages: ASK.messages, temperature: 0.9, max_tokens: 50, seed: 4 });
    // No key configured: no Authorization header at all, and never the OPENAI_* variables of the environment.
    expect(request!.headers.authorization).toBeUndefined();
  });

  it('sends the configured key as a bearer token, and nothing from OPENAI_API_KEY', async () => {
    const s = await serve({ apiKey: 'sk-studio' });
    const saved = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = 'sk-from-the-environment';
    try {
      await client(s.baseUrl, { apiKey: 'sk-studio' }).chat(ASK);
      expect(s.chatRequests()[0]!.headers.authorization).toBe('Bearer sk-studio');
      expect(await failure(client(s.baseUrl).chat(ASK))).toBeInstanceOf(LlmAuthError);
      expect(s.chatRequests().at(-1)!.headers.authorization).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved;
    }
  });

  it('honours Retry-After on a 429: the retry comes no sooner than asked', async () => {
    const s = await serve({ script: sequence(reply.rateLimited(1), reply.chat('after the wait')) });
    expect((await client(s.baseUrl, { timeoutMs: 5000 }).chat(ASK)).text).toBe('after the wait');
    const [first, second] = s.chatRequests();
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    const s = await serve({ script: sequence(() => reply.rateLimited(new Date(Date.now() + 2000).toUTCString()), reply.chat('later')) });
    expect((await client(s.baseUrl, { timeoutMs: 5000 }).chat(ASK)).text).toBe('later');
    const [first, second] = s.chatRequests();
    // HTTP dates have whole seconds: the wait is at least one second.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it('fails at once when a 429 asks to wait longer than llm.maxRetryAfterMs', async () => {
    const s = await serve({ script: () => reply.rateLimited(3600) });
    const error = await failure(client(s.baseUrl, { maxRetryAfterMs: 10_000 }).chat(ASK));
    expect(error).toBeInstanceOf(LlmRateLimitError);
    expect(error.message).toMatch(/asks to wait 3600 s.*maxRetryAfterMs/);
    expect(s.chatRequests()).toHaveLength(1);
  });

  it('gives up on a 429 that lasts, after every retry', async () => {
    const s = await serve({ script: () => reply.rateLimited(0) });
    expect(await failure(client(s.baseUrl, { maxRetries: 2 }).chat(ASK))).toBeInstanceOf(LlmRateLimitError);
    expect(s.chatRequests()).toHaveLength(3);
  });

  it.each([
    ['a 500', reply.serverError(500)],
    ['a 503', reply.serverError(503)],
    ['a body cut off mid-JSON', reply.truncated()],
    ['a dropped connection', reply.drop()],
  ])('retries %s with backoff, then returns the answer', async (_label, fault) => {
    const s = await serve({ script: sequence(fault, reply.chat('second time')) });
    expect((await client(s.baseUrl).chat(ASK)).text).toBe('second time');
    const [first, second] = s.chatRequests();
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(300); // the package's first backoff: 0.5 s less up to 25% jitter
  });

  it.each([
    ['a 500 on every attempt', reply.serverError(), LlmServerError, /failed on 3 attempt\(s\).*server's log/],
    ['a body cut off on every attempt', reply.truncated(), LlmResponseError, /not complete JSON.*3 attempt\(s\)/],
    ['no answer at all', reply.hang(), LlmTimeoutError, /no complete answer within 300 ms on 3 attempt\(s\).*llm\.timeoutMs/],
    ['headers, then a body that stalls', reply.stall('never finished'), LlmTimeoutError, /no complete answer within 300 ms/],
  ])('reports %s as an error that says what to check', async (_label, fault, kind, message) => {
    const s = await serve({ script: () => fault });
    const started = Date.now();
    const error = await failure(client(s.baseUrl, { timeoutMs: 300 }).chat(ASK));
    expect(error).toBeInstanceOf(kind);
    expect(error.message).toMatch(message);
    expect(s.chatRequests()).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it.each([
    ['a refused key', { apiKey: 'sk-right' }, { apiKey: 'sk-wrong' }, LlmAuthError, /refused the API key.*STUDIO_LLM_API_KEY/],
    ['an unknown model', { models: ['llama3.1', 'qwen2.5'] }, {}, LlmModelError, /does not serve model 'studio-test-model'.*it serves: llama3\.1, qwen2\.5.*STUDIO_LLM_MODEL/],
    ['a request the server rejects', { script: () => reply.error(400, "Unsupported parameter: 'top_k'") }, {}, LlmResponseError, /rejected the request \(400: Unsupported parameter.*llm\.parameters/],
  ])('reports %s without retrying', async (_label, serverOptions, config, kind, message) => {
    const s = await serve(serverOptions as OpenAiServerOptions);
    const error = await failure(client(s.baseUrl, config as Partial<LlmConfig>).chat(ASK));
    expect(error).toBeInstanceOf(kind);
    expect(error.message).toMatch(message);
    expect(s.chatRequests()).toHaveLength(1);
  });

  it('reports a dead endpoint and a base URL without /v1 as connection errors that say what to check', async () => {
    const s = await serve();
    const wrongPath = await failure(client(s.baseUrl.replace(/\/v1$/, '')).chat(ASK));
    expect(wrongPath).toBeInstanceOf(LlmConnectionError);
    expect(wrongPath.message).toMatch(/not found.*ending in \/v1/);
    const base = s.baseUrl;
    await s.close();
    server = undefined;
    const dead = await failure(client(base, { maxRetries: 1 }).chat(ASK));
    expect(dead).toBeInstanceOf(LlmConnectionError);
    expect(dead.message).toMatch(/cannot reach .*ECONNREFUSED.*is the server running.*STUDIO_LLM_BASE_URL/);
  });

  it('reports a redirect, which it does not follow, as a connection error naming where it points', async () => {
    const s = await serve({ script: () => reply.error(308, 'moved', { headers: { location: 'https://models.example.org/v1/chat/completions' } }) });
    const moved = await failure(client(s.baseUrl).chat(ASK));
    expect(moved).toBeInstanceOf(LlmConnectionError);
    expect(moved.message).toMatch(/answered with a redirect \(308 to https:\/\/models\.example\.org\/v1\/chat\/completions\).*STUDIO_LLM_BASE_URL/);
    expect(s.chatRequests()).toHaveLength(1);
  });

  it('stops a call when its signal aborts, with the abort reason', async () => {
    const s = await serve({ script: () => reply.hang() });
    const controller = new AbortController();
    const call = client(s.baseUrl, { timeoutMs: 30_000 }).chat({ ...ASK, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('run stopped')), 100);
    expect((await failure(call)).message).toBe('run stopped');
  });

  it('lists the models the endpoint serves', async () => {
    const s = await serve({ models: ['b-model', 'a-model'] });
    expect(await client(s.baseUrl).models()).toEqual(['a-model', 'b-model']);
  });
});

describe('LLM configuration', () => {
  it('reads studio.config.json\'s "llm" section, the environment overriding it', () => {
    const config = resolveLlmConfig({ baseUrl: 'http://file/v1/', model: 'from-file', parameters: { temperature: 0.2 }, concurrency: 8 }, 'studio.config.json', {
      STUDIO_LLM_MODEL: 'from-env',
      STUDIO_LLM_API_KEY: 'sk-env',
    });
    expect(config).toEqual({ ...LLM_DEFAULTS, baseUrl: 'http://file/v1', model: 'from-env', apiKey: 'sk-env', parameters: { temperature: 0.2 }, concurrency: 8 });
    expect(resolveLlmConfig(undefined, 'f', {})).toEqual({ ...LLM_DEFAULTS, parameters: {} });
  });

  it.each([
    ['a section that is not an object', 'http://x'],
    ['an unknown key', { baseURL: 'http://x/v1' }],
    ['a base URL that is not http(s)', { baseUrl: 'ftp://x/v1' }],
    ['a timeout below 1 ms', { timeoutMs: 0 }],
    ['negative retries', { maxRetries: -1 }],
    ['parameters that are not an object', { parameters: [1] }],
  ])('refuses %s', (_label, section) => {
    expect(() => resolveLlmConfig(section, 'studio.config.json', {})).toThrow(ConfigError);
  });

  it('says where to set a missing endpoint or model, and refuses parameters the client sets itself', () => {
    expect(() => new LlmClient({ ...LLM_DEFAULTS, parameters: {}, model: 'm' })).toThrow(/STUDIO_LLM_BASE_URL/);
    expect(() => new LlmClient({ ...LLM_DEFAULTS, parameters: {}, baseUrl: 'http://x/v1' })).toThrow(/STUDIO_LLM_MODEL/);
    expect(() => new LlmClient({ ...LLM_DEFAULTS, parameters: { stream: true }, baseUrl: 'http://x/v1', model: 'm' })).toThrow(ConfigError);
  });
});
