/**
 * Hash routes: every view is a link (#/policy/<iri>/rules?kind=Obligation),
 * so the back button, bookmarks and a reload all land on the same view and
 * filters. The server only ever serves index.html at /.
 */

import { useEffect, useState } from 'preact/hooks';
import { enc, query } from './api.js';

export type Route =
  | { view: 'policies' }
  | { view: 'jobs' }
  | { view: 'ingest' }
  | { view: 'playground'; params: URLSearchParams }
  | { view: 'graph'; params: URLSearchParams }
  | { view: 'rules'; policy: string; params: URLSearchParams }
  | { view: 'rule'; rule: string }
  | { view: 'coverage'; policy: string; params: URLSearchParams }
  | { view: 'conflicts'; policy: string; params: URLSearchParams }
  | { view: 'audits'; policy: string }
  | { view: 'run'; run: string; params: URLSearchParams }
  | { view: 'compare'; params: URLSearchParams }
  | { view: 'review'; run: string; params: URLSearchParams }
  | { view: 'missing'; hash: string };

const POLICY_VIEWS = ['rules', 'coverage', 'conflicts', 'audits'] as const;

/** The route a hash names. */
export function parseRoute(hash: string): Route {
  const [pathPart = '', search = ''] = hash.replace(/^#/, '').split('?', 2);
  const params = new URLSearchParams(search);
  const parts = pathPart.split('/').filter((p) => p !== '');
  if (parts.length === 0) return { view: 'policies' };
  const [first, second, third] = parts.map((p) => decodeURIComponent(p));
  if (first === 'policy' && second && (POLICY_VIEWS as readonly string[]).includes(third ?? '')) {
    const view = third as (typeof POLICY_VIEWS)[number];
    return view === 'audits' ? { view, policy: second } : { view, policy: second, params };
  }
  if (first === 'rule' && second) return { view: 'rule', rule: second };
  if (first === 'run' && second) return { view: 'run', run: second, params };
  if (first === 'jobs') return { view: 'jobs' };
  if (first === 'ingest') return { view: 'ingest' };
  if (first === 'playground') return { view: 'playground', params };
  if (first === 'graph') return { view: 'graph', params };
  if (first === 'compare') return { view: 'compare', params };
  if (first === 'review' && second) return { view: 'review', run: second, params };
  return { view: 'missing', hash };
}

/** Links to the views. */
export const href = {
  policies: () => '#/',
  jobs: () => '#/jobs',
  ingest: () => '#/ingest',
  playground: (policy?: string) => `#/playground${query({ policy })}`,
  rules: (policy: string, filters: Record<string, string | undefined> = {}) => `#/policy/${enc(policy)}/rules${query(filters)}`,
  rule: (rule: string) => `#/rule/${enc(rule)}`,
  coverage: (policy: string, filters: Record<string, string | undefined> = {}) => `#/policy/${enc(policy)}/coverage${query(filters)}`,
  conflicts: (policy: string, filters: Record<string, string | undefined> = {}) => `#/policy/${enc(policy)}/conflicts${query(filters)}`,
  audits: (policy: string) => `#/policy/${enc(policy)}/audits`,
  graph: (policy: string) => `#/graph${query({ policy })}`,
  ruleGraph: (rule: string) => `#/graph${query({ rule })}`,
  termGraph: (term: string, policy?: string) => `#/graph${query({ term, policy })}`,
  run: (run: string, filters: Record<string, string | undefined> = {}) => `#/run/${enc(run)}${query(filters)}`,
  review: (run: string, filters: { policy?: string | undefined; at?: string | undefined } = {}) => `#/review/${enc(run)}${query(filters)}`,
  compare: (filters: { policy?: string | undefined; first?: string | undefined; second?: string | undefined; bucket?: string | undefined }) => `#/compare${query(filters)}`,
};

/** The current route, following the hash. */
export function useRoute(): Route {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const follow = () => setHash(location.hash);
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  return parseRoute(hash);
}

/** Goes to a link as a click would (filters change the hash, so they are links too). */
export function go(link: string): void {
  location.hash = link.replace(/^#/, '');
}
