/** Reading API answers into a view: loading, the answer, or the error to show. */

import { useEffect, useState } from 'preact/hooks';

/**
 * `stale` marks the previous key's answer, still shown while the new one loads: a filter that changes keeps
 * its view (and the keyboard focus in it) in place instead of blanking it.
 */
export type Loaded<T> = { state: 'loading' } | { state: 'done'; value: T; stale?: boolean } | { state: 'failed'; error: Error };

/** Runs `load` whenever `key` changes; an answer that arrives after the key changed is dropped. */
export function useLoad<T>(key: string, load: () => Promise<T>): Loaded<T> {
  const [loaded, setLoaded] = useState<{ key: string; value: Loaded<T> }>({ key, value: { state: 'loading' } });
  useEffect(() => {
    let current = true;
    load().then(
      (value) => current && setLoaded({ key, value: { state: 'done', value } }),
      (error: unknown) => current && setLoaded({ key, value: { state: 'failed', error: error instanceof Error ? error : new Error(String(error)) } }),
    );
    return () => {
      current = false;
    };
  }, [key]);
  if (loaded.key === key) return loaded.value;
  return loaded.value.state === 'done' ? { state: 'done', value: loaded.value.value, stale: true } : { state: 'loading' };
}
