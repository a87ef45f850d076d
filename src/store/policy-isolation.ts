/**
 * Policy isolation: a policy may only describe its own resources. Before a
 * policy is loaded (API upload or `studio load`), its triples are checked
 * against the resources every other loaded policy describes (named query
 * policy-resources); a triple whose subject is one of those refuses the
 * whole upload. Replacing a policy by its own new version is not a breach.
 */

import type { GraphStore } from './graph-store.js';
import { PolicyIsolationError, type ForeignTriple } from '../errors.js';
import type { CheckedPolicy } from '../validation/upload-check.js';

/** How many offending triples an error names. */
export const FOREIGN_TRIPLES_SHOWN = 10;

/**
 * Refuses (PolicyIsolationError) a checked policy (src/validation/upload-check.ts)
 * that asserts triples about resources of another loaded policy: its subjects
 * are looked up, and only when one is foreign are its N-Triples read for the
 * triples to name.
 */
export async function checkIsolation(store: GraphStore, file: string, upload: CheckedPolicy): Promise<void> {
  const owners = await otherOwners(store, upload.policy);
  if (owners.size === 0 || !upload.subjects.some((subject) => owners.has(subject))) return;
  const foreign: ForeignTriple[] = [];
  let total = 0;
  for (const line of new TextDecoder().decode(upload.ntriples).split('\n')) {
    if (!line.startsWith('<')) continue;
    const owner = owners.get(line.slice(1, line.indexOf('>')));
    if (owner === undefined) continue;
    total += 1;
    if (foreign.length < FOREIGN_TRIPLES_SHOWN) foreign.push({ triple: line, owner });
  }
  if (total > 0) throw new PolicyIsolationError(file, upload.policy, foreign, total);
}

/** The resources other loaded policies describe, with the policy of each. */
async function otherOwners(store: GraphStore, policy: string): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  for (const row of await store.namedQuery('policy-resources', { policy })) {
    owners.set(String(row.resource), String(row.owner));
  }
  return owners;
}
