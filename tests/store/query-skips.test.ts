/**
 * Named queries that declare "@skips <kind>" (src/store/named-queries.ts):
 * the embedded store leaves those derived graphs out when it reads graphs for
 * them. Each such query must answer the same with them in the store and
 * without: checked on a folder whose policies have conflicts detected, items
 * generated and an audit run of their suites. And the graphs really are left
 * out: with the graphs of one kind damaged, the queries that skip that kind
 * still answer, while a query that needs such a graph fails to read it. Read
 * aside (ReadOptions.aside), they answer the same from a worker that reads
 * the folder's files, the store's own thread reading nothing.
 */

import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { loadNamedQuery, namedQueryNames, type QueryParams } from '../../src/store/named-queries.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { detectConflicts } from '../../src/conflicts/detect.js';
import { writeConflicts } from '../../src/conflicts/conflict-graph.js';
import { runGeneration } from '../../src/cli/commands/generate.js';
import { DataFolderError } from '../../src/errors.js';
import { OpenAiTestServer } from '../helpers/openai-server.js';
import { compliant, freshAudit } from '../auditors/suite-fixture.js';

let dir: string;
let policies: string[];
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'studio-query-skips-'));
  const store = await EmbeddedStore.open({ dataDir: path.join(dir, 'data') });
  try {
    policies = [];
    for (const file of ['policies/gifts-code.ttl', 'policies/retail-bank-assistant.ttl']) {
      const loaded = await store.loadPolicy(await readTurtle(file));
      await writeConflicts(store, await detectConflicts(store, { policy: loaded.policy }));
      policies.push(loaded.policy);
    }
    const summaries = await runGeneration(store, { seed: 1, out: path.join(dir, 'out') });
    // An audit run of each policy's suite (a few scenarios), so that the folder holds audit graphs too.
    const server = await OpenAiTestServer.start({ script: compliant });
    try {
      for (const summary of summaries) await freshAudit(store, path.join(dir, 'data'), path.join(summary.exports!.folder, 'eval.jsonl'), server.baseUrl, { filter: { limit: 12 } });
    } finally {
      await server.close();
    }
  } finally {
    await store.close();
  }
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function skipping(): Promise<string[]> {
  const names: string[] = [];
  for (const name of await namedQueryNames('sparql')) if ((await loadNamedQuery(name, 'sparql')).skips.size > 0) names.push(name);
  return names;
}

/** A skipping query's parameters: the policy, and for the `-of` queries every provision of it, as a table. */
async function paramsOf(store: EmbeddedStore, name: string, policy: string): Promise<QueryParams> {
  const names = [...(await loadNamedQuery(name, 'sparql')).params.keys()];
  if (!names.includes('provisions')) return { policy };
  const provisions = [...new Set((await store.namedQuery('generation-provisions', { policy })).map((r) => String(r.provision)))];
  return { policy, provisions: provisions.map((provision) => ({ provision })) };
}

const rows = async (store: EmbeddedStore, name: string, policy: string) => (await store.namedQuery(name, await paramsOf(store, name, policy))).map((r) => JSON.stringify(r)).sort();

describe('named queries that skip derived graphs', () => {
  it('answer the same with every graph read as with the graphs they skip left out', async () => {
    const names = await skipping();
    expect(names).toContain('generation-provisions');
    const every = await EmbeddedStore.open({ dataDir: path.join(dir, 'data') });
    const some = await EmbeddedStore.open({ dataDir: path.join(dir, 'data') });
    try {
      // An ad-hoc query reads every graph.
      await every.query('ASK { ?s ?p ?o }');
      for (const name of names) {
        expect([['policy'], ['policy', 'provisions']], name).toContainEqual([...(await loadNamedQuery(name, 'sparql')).params.keys()]);
        for (const policy of policies) {
          const all = await rows(every, name, policy);
          expect(await rows(some, name, policy), `${name} on ${policy}`).toEqual(all);
        }
      }
    } finally {
      await every.close();
      await some.close();
    }
  }, 120_000);

  it('answer the same read aside (in a worker that reads the folder), which reads nothing into the store\'s thread and follows its writes', async () => {
    const copy = path.join(dir, 'aside');
    await cp(path.join(dir, 'data'), copy, { recursive: true });
    const every = await EmbeddedStore.open({ dataDir: path.join(dir, 'data') });
    const store = await EmbeddedStore.open({ dataDir: copy });
    try {
      await every.query('ASK { ?s ?p ?o }');
      for (const name of await skipping()) {
        for (const policy of policies) {
          const aside = (await store.namedQuery(name, await paramsOf(every, name, policy), { aside: true })).map((r) => JSON.stringify(r)).sort();
          expect(aside, `${name} on ${policy}`).toEqual(await rows(every, name, policy));
        }
      }
      // Nothing was read into the store's own thread: a policy graph damaged now fails the first query that reads there.
      const manifest = JSON.parse(await readFile(path.join(copy, 'manifest.json'), 'utf8')) as { graphs: { kind: string; policy?: string; file: string }[] };
      const file = path.join(copy, 'graphs', manifest.graphs.find((g) => g.kind === 'policy' && g.policy === policies[0])!.file);
      const bytes = await readFile(file);
      bytes.fill(0x78, 0, bytes.indexOf(0x0a));
      await writeFile(file, bytes);
      await expect(store.namedQuery('generation-provisions', { policy: policies[0]! })).rejects.toBeInstanceOf(DataFolderError);
      // A worker started now cannot read that file either: the read aside fails as the thread's does, naming it.
      const fresh = await EmbeddedStore.open({ dataDir: copy });
      try {
        const error = await fresh.namedQuery('generation-provisions', { policy: policies[0]! }, { aside: true }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DataFolderError);
        expect((error as Error).message).toContain(file);
      } finally {
        await fresh.close();
      }
      // The worker follows the store's writes: a policy removed is gone from its answers too.
      expect((await store.namedQuery('generation-provisions', { policy: policies[1]! }, { aside: true })).length).toBeGreaterThan(0);
      await store.removePolicy(policies[1]!);
      expect(await store.namedQuery('generation-provisions', { policy: policies[1]! }, { aside: true })).toEqual([]);
    } finally {
      await every.close();
      await store.close();
    }
  }, 120_000);

  // Each kind some query skips, with a query that needs a graph of that kind.
  const needing: Record<string, string> = { generated: 'coverage-rules-without-instructions', audit: 'audit-runs' };

  it.each(Object.keys(needing))('never read the %s graphs they skip: with those damaged, they answer, and a query that needs them fails', async (kind) => {
    const copy = path.join(dir, `damaged-${kind}`);
    await cp(path.join(dir, 'data'), copy, { recursive: true });
    const manifest = JSON.parse(await readFile(path.join(copy, 'manifest.json'), 'utf8')) as { graphs: { kind: string; derivedKind?: string; file: string }[] };
    const damaged = manifest.graphs.filter((g) => g.kind === 'derived' && g.derivedKind === kind);
    expect(damaged.length).toBe(policies.length);
    // Its first line made garbage of the same length (the store checks each file's size when it opens).
    for (const g of damaged) {
      const file = path.join(copy, 'graphs', g.file);
      const bytes = await readFile(file);
      bytes.fill(0x78, 0, bytes.indexOf(0x0a));
      await writeFile(file, bytes);
    }
    const store = await EmbeddedStore.open({ dataDir: copy });
    try {
      const names = [];
      for (const name of await skipping()) if ((await loadNamedQuery(name, 'sparql')).skips.has(kind)) names.push(name);
      expect(names).toContain('generation-provisions');
      for (const name of names) for (const policy of policies) await store.namedQuery(name, await paramsOf(store, name, policy));
      expect((await store.exportQuads(policies[0])).length).toBeGreaterThan(0);
      await expect(store.namedQuery(needing[kind]!, { policy: policies[0]! })).rejects.toBeInstanceOf(DataFolderError);
    } finally {
      await store.close();
    }
  }, 120_000);
});
