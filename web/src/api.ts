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

/** POST to the API, with no body; the answer's JSON. */
export function postJson<T>(path: string, token = savedToken()): Promise<T> {
  return call<T>('POST', path, token);
}

async function call<T>(method: 'GET' | 'POST', path: string, token: string | null): Promise<T> {
  const response = await fetch(path, { method, headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
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
