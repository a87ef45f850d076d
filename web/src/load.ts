/** Reading API answers into a view: loading, the answer, or the error to show. */

import { useEffect, useState } from 'preact/hooks';

export type Loaded<T> = { state: 'loading' } | { state: 'done'; value: T } | { state: 'failed'; error: Error };

/** Runs `load` whenever `key` changes; an answer that arrives after the key changed is dropped. */
export function useLoad<T>(key: string, load: () => Promise<T>): Loaded<T> {
  const [loaded, setLoaded] = useState<{ key: string; value: Loaded<T> }>({ key, value: { state: 'loading' } });
  useEffect(() => {
    let current = true;
    setLoaded({ key, value: { state: 'loading' } });
    load().then(
      (value) => current && setLoaded({ key, value: { state: 'done', value } }),
      (error: unknown) => current && setLoaded({ key, value: { state: 'failed', error: error instanceof Error ? error : new Error(String(error)) } }),
    );
    return () => {
      current = false;
    };
  }, [key]);
  return loaded.key === key ? loaded.value : { state: 'loading' };
}
