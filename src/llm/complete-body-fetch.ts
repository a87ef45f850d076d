/**
 * The fetch the openai package calls: node:http(s) on keep-alive
 * connections, resolving only with complete answers.
 *
 * Why not the global fetch: its WHATWG request and stream machinery cost
 * about a quarter of an audit's CPU per request (scripts/bench/audit.ts), and
 * an audit at concurrency 32 is bound by the client's CPU. Here a request is
 * one node:http call, the body is read whole into one buffer, and the
 * Response handed back serves that buffer (and the JSON already parsed to
 * check it) without a stream.
 *
 * Why whole: the package's timeout is cleared once the response headers
 * arrive, so a server that sends headers and then stalls the body would hang
 * a run forever; and a body that breaks off mid-JSON surfaces as a
 * SyntaxError that the package does not retry. Reading the whole body here,
 * before the package sees the response, keeps its timeout armed until the
 * last byte and turns a broken body into a fetch failure, which it retries
 * like any broken connection.
 *
 * It also caps Retry-After: the package honours any wait a 429 asks for, so a
 * server asking for an hour would stall the run silently; past the cap the
 * response is marked `x-should-retry: false` and the client fails at once
 * with a message saying so.
 */

import http from 'node:http';
import https from 'node:https';
import { urlToHttpOptions } from 'node:url';

/** A body that ended before its JSON did (or never was JSON). Its name keeps it clear of the package's "timed out" test. */
export class IncompleteBodyError extends Error {
  constructor(readonly url: string, detail: string, options?: { cause?: unknown }) {
    super(`incomplete answer from ${url}: ${detail}`, options);
    this.name = 'IncompleteBodyError';
  }
}

/** Statuses whose Response may not carry a body. */
const NULL_BODY = new Set([101, 204, 205, 304]);

/** The wait a response asks for, in ms: retry-after-ms, then Retry-After in seconds or as an HTTP date. */
export function retryAfterMs(headers: { get(name: string): string | null }, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms)) return Math.max(0, ms);
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A fetch that resolves with the whole body read and checked; `maxRetryAfterMs` caps the waits worth retrying after. */
export function completeBodyFetch(maxRetryAfterMs: number): typeof fetch {
  // The last address asked and its parts as node:http takes them: an audit asks one address thousands of times.
  let last: { readonly href: string; readonly url: URL; readonly target: http.RequestOptions } | undefined;
  return async (input, init = {}) => {
    const href = input instanceof Request ? input.url : String(input);
    if (last?.href !== href) {
      const url = new URL(href);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`${url.href}: only http and https endpoints are supported`);
      last = { href, url, target: urlToHttpOptions(url) };
    }
    const { url, target } = last;
    const { headers, body } = await outgoing(input, init);
    const answer = await exchange(url, target, init.method ?? 'GET', headers, body, init.signal ?? undefined);
    const type = answer.headers.get('content-type') ?? '';
    let json: unknown;
    if (answer.status >= 200 && answer.status < 300 && type.includes('json')) {
      try {
        json = JSON.parse(answer.body.toString('utf8'));
      } catch (error) {
        throw new IncompleteBodyError(url.href, `the body is not complete JSON (${answer.body.length} bytes: ${(error as Error).message})`, { cause: error });
      }
    }
    const wait = retryAfterMs(answer.headers);
    if (wait !== undefined && wait > maxRetryAfterMs) answer.rawHeaders.push(['x-should-retry', 'false']);
    return bufferedResponse(NULL_BODY.has(answer.status) ? Buffer.alloc(0) : answer.body, json, url.href, answer.status, answer.statusText, answer.rawHeaders);
  };
}

/**
 * A Response whose body is already in memory: json(), text() and
 * arrayBuffer() answer from the buffer, and `body` makes a stream of it only
 * when something asks. The platform's Response would wrap the buffer in a
 * stream and read it back, and building one with its Headers cost an audit
 * about 0.02 ms of its thread per request: what the package reads of a
 * response (status, ok, url, headers, the body once) is served by a plain
 * object of the Response's shape, with headers that answer as Headers do.
 */
function bufferedResponse(bytes: Buffer, json: unknown, url: string, status: number, statusText: string, rawHeaders: readonly [string, string][]): Response {
  // The parse made to check the body is handed over once; a second call parses again.
  let parsed = json;
  let used = false;
  const use = () => {
    if (used) throw new TypeError(`the body of the answer from ${url} was already read`);
    used = true;
  };
  const response = {
    url,
    status,
    statusText,
    ok: status >= 200 && status < 300,
    redirected: false,
    type: 'basic',
    headers: answerHeaders(rawHeaders),
    get bodyUsed() {
      return used;
    },
    get body() {
      if (bytes.length === 0) return null;
      return new ReadableStream({
        start(controller) {
          controller.enqueue(new Uint8Array(bytes));
          controller.close();
        },
      });
    },
    json: async () => {
      use();
      const value = parsed ?? JSON.parse(bytes.toString('utf8'));
      parsed = undefined;
      return value;
    },
    text: async () => {
      use();
      return bytes.toString('utf8');
    },
    arrayBuffer: async () => {
      use();
      return new Uint8Array(bytes).buffer;
    },
    clone: () => bufferedResponse(bytes, undefined, url, status, statusText, rawHeaders),
  };
  return response as unknown as Response;
}

/** Read-only Headers over the answer's raw headers: names compared in lower case, a repeated header's values joined with ", ". */
function answerHeaders(raw: readonly [string, string][]): Headers {
  const joined = new Map<string, string>();
  for (const [name, value] of raw) {
    const key = name.toLowerCase();
    const before = joined.get(key);
    joined.set(key, before === undefined ? value : `${before}, ${value}`);
  }
  const sorted = () => [...joined].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const headers = {
    get: (name: string) => joined.get(name.toLowerCase()) ?? null,
    has: (name: string) => joined.has(name.toLowerCase()),
    getSetCookie: () => raw.filter(([name]) => name.toLowerCase() === 'set-cookie').map(([, value]) => value),
    forEach: (each: (value: string, name: string, parent: Headers) => void) => {
      for (const [name, value] of sorted()) each(value, name, headers as unknown as Headers);
    },
    entries: () => sorted()[Symbol.iterator](),
    keys: () => sorted().map(([name]) => name)[Symbol.iterator](),
    values: () => sorted().map(([, value]) => value)[Symbol.iterator](),
    [Symbol.iterator]: () => sorted()[Symbol.iterator](),
    [Symbol.toStringTag]: 'Headers',
  };
  return headers as unknown as Headers;
}

/** The request's headers as node:http takes them, and its body as bytes (a form or a stream, as for file uploads, is encoded by the platform's Request). */
async function outgoing(input: string | URL | Request, init: RequestInit): Promise<{ headers: Record<string, string>; body: string | Uint8Array | undefined }> {
  const given = init.body ?? undefined;
  if (input instanceof Request || (given !== undefined && typeof given !== 'string' && !(given instanceof Uint8Array) && !(given instanceof ArrayBuffer))) {
    const request = new Request(input, { ...init, ...(given !== undefined ? { duplex: 'half' } : {}) } as RequestInit);
    const bytes = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
    return { headers: Object.fromEntries(request.headers), body: bytes };
  }
  const headers: Record<string, string> = {};
  (init.headers instanceof Headers ? init.headers : new Headers(init.headers)).forEach((value, name) => {
    headers[name] = value;
  });
  return { headers, body: given instanceof ArrayBuffer ? new Uint8Array(given) : given };
}

interface Answer {
  readonly status: number;
  readonly statusText: string;
  /** The headers by lower-case name, as node:http reads them. */
  readonly headers: { get(name: string): string | null };
  /** The headers as received, name and value, for the Response. */
  readonly rawHeaders: [string, string][];
  readonly body: Buffer;
}

/** One request on the default keep-alive agent; resolves once the whole body is in, rejects when it breaks off or `signal` aborts. */
function exchange(url: URL, target: http.RequestOptions, method: string, headers: Record<string, string>, body: string | Uint8Array | undefined, signal: AbortSignal | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    let settled = false;
    const settle = (error: unknown, answer?: Answer) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (answer) resolve(answer);
      else reject(error);
    };
    const onAbort = () => {
      settle(abortError(signal!));
      request.destroy();
    };
    const request = (url.protocol === 'https:' ? https : http).request({ ...target, method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const byName = response.headers;
        const rawHeaders: [string, string][] = [];
        for (let i = 0; i + 1 < response.rawHeaders.length; i += 2) rawHeaders.push([response.rawHeaders[i]!, response.rawHeaders[i + 1]!]);
        settle(undefined, {
          status: response.statusCode ?? 0,
          statusText: response.statusMessage ?? '',
          headers: { get: (name) => (Array.isArray(byName[name]) ? (byName[name] as string[]).join(', ') : ((byName[name] as string | undefined) ?? null)) },
          rawHeaders,
          body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
        });
      });
      response.on('error', (error) => settle(new IncompleteBodyError(url.href, `the body broke off (${error.message})`, { cause: error })));
      response.on('close', () => {
        if (!response.complete) settle(new IncompleteBodyError(url.href, 'the body broke off (the connection closed)'));
      });
    });
    request.on('error', (error) => settle(error));
    signal?.addEventListener('abort', onAbort, { once: true });
    request.end(body);
  });
}

/** What an aborted fetch rejects with: an AbortError, as the package expects. */
function abortError(signal: AbortSignal): Error {
  return new DOMException(signal.reason instanceof Error ? signal.reason.message : 'This operation was aborted', 'AbortError');
}
