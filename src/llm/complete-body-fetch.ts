/**
 * The fetch the openai package calls, made to return only complete answers.
 *
 * The package's timeout is cleared once the response headers arrive, so a
 * server that sends headers and then stalls the body would hang a run
 * forever; and a body that breaks off mid-JSON surfaces as a SyntaxError that
 * the package does not retry. Reading the whole body here, before the
 * package sees the response, keeps its timeout armed until the last byte and
 * turns a broken body into a fetch failure, which it retries like any broken
 * connection. Streams (text/event-stream) pass through untouched.
 *
 * It also caps Retry-After: the package honours any wait a 429 asks for, so a
 * server asking for an hour would stall the run silently; past the cap the
 * response is marked `x-should-retry: false` and the client fails at once
 * with a message saying so.
 */

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
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
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
export function completeBodyFetch(maxRetryAfterMs: number, inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const url = response.url || String(input);
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('text/event-stream')) return response;
    let body: ArrayBuffer;
    try {
      // Read under the same signal as the request, so the package's timeout covers the body too.
      body = await response.arrayBuffer();
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new IncompleteBodyError(url, `the body broke off (${(error as Error).message})`, { cause: error });
    }
    if (response.ok && type.includes('json')) {
      try {
        JSON.parse(new TextDecoder().decode(body));
      } catch (error) {
        throw new IncompleteBodyError(url, `the body is not complete JSON (${body.byteLength} bytes: ${(error as Error).message})`, { cause: error });
      }
    }
    const headers = new Headers(response.headers);
    const wait = retryAfterMs(headers);
    if (wait !== undefined && wait > maxRetryAfterMs) headers.set('x-should-retry', 'false');
    return new Response(NULL_BODY.has(response.status) ? null : body, { status: response.status, statusText: response.statusText, headers });
  };
}
