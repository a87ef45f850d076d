/**
 * A local server speaking the OpenAI chat-completions protocol, for tests of
 * everything that calls an LLM (augmentation, audits, judges). Each test
 * starts its own on a free port and scripts it: a function from the request
 * to the reply, where a reply is an answer or a fault on demand (429 with
 * Retry-After, a 5xx, a request never answered, a body cut off mid-JSON, a
 * stream or body that stalls, a dropped connection). Every request is
 * recorded with its arrival time, so tests can check what was sent and when.
 *
 *   POST /v1/chat/completions   (stream: true answers as server-sent events)
 *   GET  /v1/models
 *
 * node:http only, so the tests depend on nothing the studio does not.
 */

import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the server saw it. */
export interface RecordedRequest {
  readonly method: string;
  /** The path, e.g. /v1/chat/completions. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The JSON body, parsed (undefined for none or non-JSON). */
  readonly body: any;
  readonly raw: string;
  /** Position among the chat-completion requests (0 for the first), or -1 for other paths. */
  readonly chatIndex: number;
  /** Milliseconds since the server started, when the request's body had arrived. */
  readonly at: number;
}

/** What the server does with one chat-completion request. */
export type Reply =
  | { readonly kind: 'chat'; readonly content: string; readonly model?: string; readonly finishReason?: string; readonly delayMs?: number }
  | { readonly kind: 'status'; readonly status: number; readonly body: unknown; readonly headers?: Readonly<Record<string, string>> }
  | { readonly kind: 'hang' }
  | { readonly kind: 'truncated'; readonly content: string }
  | { readonly kind: 'stall'; readonly content: string; readonly afterChunks: number }
  | { readonly kind: 'drop' };

/** A test's script: the reply to each chat-completion request. */
export type Script = (request: RecordedRequest) => Reply | Promise<Reply>;

/** Replies and faults, one line each in a test. */
export const reply = {
  /** A completion whose first choice says `content`. */
  chat: (content: string, extra: { model?: string; finishReason?: string; delayMs?: number } = {}): Reply => ({ kind: 'chat', content, ...extra }),
  /** Any status with an OpenAI-style error body. */
  error: (status: number, message: string, extra: { type?: string; code?: string; headers?: Record<string, string> } = {}): Reply => ({
    kind: 'status',
    status,
    body: { error: { message, type: extra.type ?? 'invalid_request_error', param: null, code: extra.code ?? null } },
    ...(extra.headers ? { headers: extra.headers } : {}),
  }),
  /** 429 with Retry-After (seconds, or an HTTP date as a string). */
  rateLimited: (retryAfter: number | string): Reply =>
    reply.error(429, 'Rate limit reached for requests', { type: 'requests', code: 'rate_limit_exceeded', headers: { 'retry-after': String(retryAfter) } }),
  /** A 5xx. */
  serverError: (status = 500): Reply => reply.error(status, 'The server had an error while processing your request.', { type: 'server_error' }),
  /** Headers never sent: the client's timeout has to end it. */
  hang: (): Reply => ({ kind: 'hang' }),
  /** 200 and a body that ends in the middle of its JSON. */
  truncated: (content = 'cut short'): Reply => ({ kind: 'truncated', content }),
  /** Headers and `afterChunks` pieces of the answer, then silence (a stream's events, or a plain body's bytes). */
  stall: (content: string, afterChunks = 1): Reply => ({ kind: 'stall', content, afterChunks }),
  /** The connection closed before any answer. */
  drop: (): Reply => ({ kind: 'drop' }),
};

/** A script giving the n-th chat request the n-th step (a reply or a script); the last step repeats. */
export function sequence(...steps: readonly (Reply | Script)[]): Script {
  if (steps.length === 0) throw new Error('sequence() needs at least one step');
  return (request) => {
    const step = steps[Math.min(request.chatIndex, steps.length - 1)]!;
    return typeof step === 'function' ? step(request) : step;
  };
}

export interface OpenAiServerOptions {
  /** The reply to each chat request (default: "ok"). */
  readonly script?: Script;
  /** The models GET /v1/models lists; a chat request for another is a 404 model_not_found, as OpenAI answers. */
  readonly models?: readonly string[];
  /** When set, requests without `Authorization: Bearer <apiKey>` get a 401. */
  readonly apiKey?: string;
  /** Keep every request in `requests` (default true; a benchmark sending a million turns it off). */
  readonly record?: boolean;
}

/** The server; `baseUrl` is what a client's base URL should be. */
export class OpenAiTestServer {
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  /** The current script; tests may replace it between calls. */
  script: Script;
  readonly models: readonly string[];
  private readonly started = Date.now();
  private readonly timers = new Set<NodeJS.Timeout>();
  private chats = 0;
  private readonly record: boolean;

  private constructor(private readonly server: http.Server, options: OpenAiServerOptions) {
    this.script = options.script ?? (() => reply.chat('ok'));
    this.models = options.models ?? ['studio-test-model'];
    this.record = options.record ?? true;
  }

  /** Starts a server on a free port of 127.0.0.1. */
  static async start(options: OpenAiServerOptions = {}): Promise<OpenAiTestServer> {
    const server = http.createServer();
    const instance = new OpenAiTestServer(server, options);
    server.on('request', (req, res) => {
      instance.handle(req, res, options.apiKey).catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, { error: { message: `test server: ${(error as Error).message}`, type: 'server_error' } });
        else res.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return instance;
  }

  /** The API root, e.g. http://127.0.0.1:40123/v1. */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** The chat-completion requests, in arrival order. */
  chatRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.chatIndex >= 0);
  }

  /** Stops listening and cuts every open connection, hung ones included. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, apiKey: string | undefined): Promise<void> {
    const raw = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const isChat = req.method === 'POST' && path === '/v1/chat/completions';
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const request: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, body, raw, chatIndex: isChat ? this.chats++ : -1, at: Date.now() - this.started };
    if (this.record) this.requests.push(request);
    if (apiKey !== undefined && req.headers.authorization !== `Bearer ${apiKey}`) {
      return send(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
    }
    if (req.method === 'GET' && path === '/v1/models') {
      return send(res, 200, { object: 'list', data: this.models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'studio-tests' })) });
    }
    if (!isChat) return send(res, 404, { error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } });
    const model = (body as { model?: unknown } | undefined)?.model;
    if (typeof model !== 'string' || !this.models.includes(model)) {
      return send(res, 404, { error: { message: `The model \`${String(model)}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', param: null, code: 'model_not_found' } });
    }
    const answer = await this.script(request);
    const stream = (body as { stream?: unknown }).stream === true;
    switch (answer.kind) {
      case 'status':
        return send(res, answer.status, answer.body, answer.headers);
      case 'hang':
        return; // the response stays open until the client gives up or the server closes
      case 'drop':
        req.socket.destroy();
        return;
      case 'chat':
        if (answer.delayMs) await this.sleep(answer.delayMs);
        if (stream) return this.streamChat(res, request, answer.content, answer.model ?? model, answer.finishReason ?? 'stop', Infinity);
        return send(res, 200, completion(request, answer.content, answer.model ?? model, answer.finishReason ?? 'stop'));
      case 'truncated': {
        const text = JSON.stringify(completion(request, answer.content, model, 'stop'));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(text.slice(0, Math.floor(text.length / 2)));
        return;
      }
      case 'stall':
        if (stream) return this.streamChat(res, request, answer.content, model, 'stop', answer.afterChunks);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(JSON.stringify(completion(request, answer.content, model, 'stop')).slice(0, 10 * Math.max(1, answer.afterChunks)));
        return; // headers and a few bytes, then nothing
    }
  }

  /** Server-sent events: a role chunk, the content word by word, the finish chunk, [DONE]; stops after `limit` events when stalling. */
  private streamChat(res: http.ServerResponse, request: RecordedRequest, content: string, model: string, finishReason: string, limit: number): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const id = `chatcmpl-test-${request.chatIndex}`;
    const chunk = (delta: object, finish: string | null) => ({ id, object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }] });
    const events = [chunk({ role: 'assistant', content: '' }, null), ...(content.match(/\S+\s*/g) ?? []).map((piece) => chunk({ content: piece }, null)), chunk({}, finishReason)];
    for (const [i, event] of events.entries()) {
      if (i >= limit) return; // stalled: the stream stays open with no more events
      res.write(`data: ${JSON.stringify(event)}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

/** A chat.completion object as OpenAI returns it; token counts are words, which is all tests need. */
function completion(request: RecordedRequest, content: string, model: string, finishReason: string): object {
  const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
  const prompt = ((request.body as { messages?: { content?: unknown }[] }).messages ?? []).reduce((n, m) => n + (typeof m.content === 'string' ? words(m.content) : 0), 0);
  return {
    id: `chatcmpl-test-${request.chatIndex}`,
    object: 'chat.completion',
    created: 0,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: finishReason }],
    usage: { prompt_tokens: prompt, completion_tokens: words(content), total_tokens: prompt + words(content) },
  };
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
