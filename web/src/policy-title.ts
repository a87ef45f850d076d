/** A policy's title, from the list of policies, read once per tab. */

import { enc, getJson } from './api.js';
import type { PolicySummary } from './types.js';

const titles = new Map<string, Promise<string | null>>();

export function policyTitle(policy: string): Promise<string | null> {
  let title = titles.get(policy);
  if (!title) {
    title = getJson<PolicySummary>(`/v1/policies/${enc(policy)}`).then((p) => p.title ?? null);
    title.catch(() => titles.delete(policy));
    titles.set(policy, title);
  }
  return title;
}
