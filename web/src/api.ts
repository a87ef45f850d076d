/**
 * The studio's only way to the server: same-origin calls to /v1 with the token
 * the reader gave, kept for this tab (sessionStorage) and never sent elsewhere.
 */

const TOKEN_KEY = 'studio-token';

export function savedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function saveToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** An answer other than 2xx, with the problem detail the API sends (RFC 9457). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
  ) {
    super(`${title}: ${detail}`);
  }
}

/** Who is told when the server no longer knows the token (401): the app asks for another. */
let onUnauthenticated: () => void = () => {};
export function whenUnauthenticated(listener: () => void): void {
  onUnauthenticated = listener;
}

/** GET a JSON document of the API. */
export function getJson<T>(path: string, token = savedToken()): Promise<T> {
  return call<T>('GET', path, token);
}

/** POST to the API, with a JSON body or none; the answer's JSON. */
export function postJson<T>(path: string, body?: unknown, token = savedToken()): Promise<T> {
  return call<T>('POST', path, token, body === undefined ? undefined : { type: 'application/json', bytes: JSON.stringify(body) });
}

/** POST bytes of the given content type (a document, a Turtle file); the answer's JSON. */
export function postBytes<T>(path: string, bytes: Blob | string, type: string, token = savedToken()): Promise<T> {
  return call<T>('POST', path, token, { type, bytes });
}

async function call<T>(method: 'GET' | 'POST', path: string, token: string | null, body?: { type: string; bytes: Blob | string }): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': body.type }) };
  const response = await fetch(path, { method, headers, ...(body === undefined ? {} : { body: body.bytes }) });
  if (response.ok) return (await response.json()) as T;
  let title = response.statusText;
  let detail = `${response.status} from ${path}`;
  try {
    const problem = (await response.json()) as { title?: string; detail?: string };
    title = problem.title ?? title;
    detail = problem.detail ?? detail;
  } catch {
    // Not a problem document: the status says enough.
  }
  const error = new ApiError(response.status, title, detail);
  if (response.status === 401 && token === savedToken()) onUnauthenticated();
  throw error;
}

/** A path segment or query value holding an IRI. */
export const enc = encodeURIComponent;

/** A query string of the values given (empty ones left out). */
export function query(values: Record<string, string | number | undefined>): string {
  const entries = Object.entries(values).filter(([, v]) => v !== undefined && v !== '') as [string, string | number][];
  return entries.length === 0 ? '' : `?${entries.map(([k, v]) => `${k}=${enc(String(v))}`).join('&')}`;
}

/**
 * Reads a server-sent event stream of the API (EventSource cannot send the
 * token), calling `onEvent` for each event until the server ends the stream
 * or `signal` aborts. Comments (heartbeats) are skipped.
 */
export async function readEvents(path: string, onEvent: (type: string, data: string) => void, signal: AbortSignal, token = savedToken()): Promise<void> {
  const response = await fetch(path, { headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal });
  if (!response.ok || !response.body) throw new ApiError(response.status, response.statusText, `${response.status} from ${path}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const [field, ...rest] = line.split(':');
        const text = rest.join(':').replace(/^ /, '');
        if (field === 'event') type = text;
        else if (field === 'data') data.push(text);
      }
      if (data.length > 0) onEvent(type, data.join('\n'));
    }
  }
}
