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
 *   POST /v1/files, GET /v1/files/{id}             (multipart uploads, kept in `files`)
 *   POST /v1/fine_tuning/jobs, GET /v1/fine_tuning/jobs/{id}, GET .../{id}/events
 *        (each retrieve moves a job one step along its scripted statuses)
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

/** One status a fine-tuning job passes through; the last repeats. A failed step carries its error. */
export type JobStep = 'validating_files' | 'queued' | 'running' | 'succeeded' | 'cancelled' | { readonly status: 'failed'; readonly code: string; readonly message: string };

/** The statuses of a job that trains: queued, running, then succeeded with a fine_tuned_model. */
export const SUCCEEDING_JOB: readonly JobStep[] = ['queued', 'running', 'succeeded'];

/** A file uploaded to the server. */
export interface UploadedFile {
  readonly id: string;
  readonly filename: string;
  readonly purpose: string;
  readonly content: string;
}

/** A fine-tuning job the server holds. */
export interface ServerJob {
  readonly id: string;
  readonly body: any;
  /** Retrieves answered so far. */
  retrieves: number;
}

export interface OpenAiServerOptions {
  /** The statuses each fine-tuning job walks through, one per retrieve (default SUCCEEDING_JOB). */
  readonly jobSteps?: readonly JobStep[];
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
  /** Uploaded files by id. */
  readonly files = new Map<string, UploadedFile>();
  /** Fine-tuning jobs by id. */
  readonly jobs = new Map<string, ServerJob>();
  /** The statuses jobs created from now on walk through; tests may replace it. */
  jobSteps: readonly JobStep[];

  private constructor(private readonly server: http.Server, options: OpenAiServerOptions) {
    this.script = options.script ?? (() => reply.chat('ok'));
    this.models = options.models ?? ['studio-test-model'];
    this.record = options.record ?? true;
    this.jobSteps = options.jobSteps ?? SUCCEEDING_JOB;
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
    if (path.startsWith('/v1/files') || path.startsWith('/v1/fine_tuning/')) return this.fineTuning(req, res, path, raw, body);
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

  /** Files and fine-tuning jobs, as OpenAI answers them. */
  private fineTuning(req: http.IncomingMessage, res: http.ServerResponse, path: string, raw: string, body: any): void {
    const notFound = (what: string) => send(res, 404, { error: { message: `No such ${what}`, type: 'invalid_request_error', param: null, code: null } });
    if (req.method === 'POST' && path === '/v1/files') {
      const parts = multipart(String(req.headers['content-type'] ?? ''), raw);
      const file = parts.find((p) => p.name === 'file');
      const purpose = parts.find((p) => p.name === 'purpose')?.content ?? '';
      if (!file) return send(res, 400, { error: { message: "Missing required parameter: 'file'.", type: 'invalid_request_error', param: 'file', code: null } });
      const id = `file-test-${this.files.size}`;
      this.files.set(id, { id, filename: file.filename ?? 'upload', purpose, content: file.content });
      return send(res, 200, fileObject(this.files.get(id)!));
    }
    const fileMatch = /^\/v1\/files\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && fileMatch) {
      const file = this.files.get(fileMatch[1]!);
      return file ? send(res, 200, fileObject(file)) : notFound('file');
    }
    if (req.method === 'POST' && path === '/v1/fine_tuning/jobs') {
      if (!body || typeof body.training_file !== 'string' || !this.files.has(body.training_file)) {
        return send(res, 400, { error: { message: `invalid training_file: ${String(body?.training_file)}`, type: 'invalid_request_error', param: 'training_file', code: 'invalid_file' } });
      }
      if (typeof body.model !== 'string' || !this.models.includes(body.model)) {
        return send(res, 404, { error: { message: `The model \`${String(body?.model)}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', param: null, code: 'model_not_found' } });
      }
      const id = `ftjob-test-${this.jobs.size}`;
      const job: ServerJob & { steps: readonly JobStep[] } = { id, body, retrieves: 0, steps: this.jobSteps };
      this.jobs.set(id, job);
      return send(res, 200, jobObject(job, 'validating_files'));
    }
    const jobMatch = /^\/v1\/fine_tuning\/jobs\/([^/]+)(\/events)?$/.exec(path);
    if (req.method === 'GET' && jobMatch) {
      const job = this.jobs.get(jobMatch[1]!) as (ServerJob & { steps: readonly JobStep[] }) | undefined;
      if (!job) return notFound('job');
      if (jobMatch[2]) {
        const seen = job.steps.slice(0, Math.max(1, Math.min(job.retrieves, job.steps.length)));
        const data = seen.map((step, i) => ({ id: `ftevent-${job.id}-${i}`, object: 'fine_tuning.job.event', created_at: i, level: typeof step === 'string' ? 'info' : 'error', message: typeof step === 'string' ? `Job ${step}` : step.message, type: 'message' })).reverse();
        return send(res, 200, { object: 'list', data, has_more: false });
      }
      const step = job.steps[Math.min(job.retrieves, job.steps.length - 1)]!;
      job.retrieves++;
      return send(res, 200, jobObject(job, step));
    }
    return send(res, 404, { error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } });
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

function fileObject(file: UploadedFile): object {
  return { id: file.id, object: 'file', bytes: Buffer.byteLength(file.content), created_at: 0, filename: file.filename, purpose: file.purpose, status: 'processed' };
}

/** A fine_tuning.job object at one step; a succeeded job names its model ft:<base>:studio-test:<job id>. */
function jobObject(job: ServerJob, step: JobStep): object {
  const status = typeof step === 'string' ? step : step.status;
  const failed = typeof step === 'string' ? null : { code: step.code, message: step.message, param: null };
  return {
    id: job.id,
    object: 'fine_tuning.job',
    created_at: 0,
    finished_at: status === 'succeeded' || status === 'failed' || status === 'cancelled' ? 1 : null,
    model: job.body.model,
    fine_tuned_model: status === 'succeeded' ? `ft:${job.body.model}:studio-test:${job.id}` : null,
    organization_id: 'org-test',
    status,
    training_file: job.body.training_file,
    validation_file: job.body.validation_file ?? null,
    result_files: [],
    hyperparameters: { n_epochs: 'auto', batch_size: 'auto', learning_rate_multiplier: 'auto' },
    method: job.body.method ?? { type: 'supervised' },
    seed: job.body.seed ?? 0,
    trained_tokens: status === 'succeeded' ? 1000 : null,
    error: failed,
    metadata: job.body.metadata ?? null,
  };
}

/** The parts of a multipart/form-data body: name, filename and content of each. */
function multipart(contentType: string, raw: string): { name: string; filename?: string; content: string }[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return [];
  const marker = `--${boundary[1] ?? boundary[2]}`;
  return raw
    .split(marker)
    .slice(1, -1)
    .map((part) => {
      const at = part.indexOf('\r\n\r\n');
      const head = part.slice(0, at);
      const name = /name="([^"]*)"/.exec(head)?.[1] ?? '';
      const filename = /filename="([^"]*)"/.exec(head)?.[1];
      return { name, ...(filename !== undefined ? { filename } : {}), content: part.slice(at + 4, part.length - 2) };
    });
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
