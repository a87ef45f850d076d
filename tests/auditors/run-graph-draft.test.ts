/**
 * A fresh run's graph drafted while it runs (src/auditors/run-graph-draft.ts)
 * is the graph writeRunGraph writes from the run's journal, byte for byte:
 * the run is written again from its journal and the file compared. A result
 * the store cannot keep stops the draft; the graph is then written from the
 * journal, which reports the triple, and nothing drafted is left behind.
 */

import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiTestServer } from '../helpers/openai-server.js';
import { compliant, freshAudit, makeSuite, openFixtureStore, type SuiteFixture } from './suite-fixture.js';
import { auditsDir, writeRunGraph } from '../../src/auditors/audit-run.js';
import { RunFolder } from '../../src/auditors/run-folder.js';
import { InvalidTripleError } from '../../src/errors.js';

let fixture: SuiteFixture;
let server: OpenAiTestServer;
beforeAll(async () => {
  fixture = await makeSuite();
  server = await OpenAiTestServer.start({ script: compliant });
});
afterAll(async () => {
  await server.close();
  await rm(fixture.dataDir, { recursive: true, force: true });
});

interface Entry { graph: string; derivedKind?: string; file: string; sha256: string; triples: number }
async function auditEntries(): Promise<Entry[]> {
  const manifest = JSON.parse(await readFile(path.join(fixture.dataDir, 'manifest.json'), 'utf8')) as { graphs: Entry[] };
  return manifest.graphs.filter((g) => g.derivedKind === 'audit');
}

describe('a run graph drafted while the run goes', () => {
  it('is the graph written from the journal, byte for byte', async () => {
    const store = await openFixtureStore(fixture);
    try {
      // Drafted in batches of 7 results, so that several are rendered and appended in order (and the last is short).
      const outcome = await freshAudit(store, fixture.dataDir, fixture.suite, server.baseUrl, { concurrency: 8, draftBatch: 7 });
      expect(outcome.suite.cases).toBeGreaterThan(30);
      const [drafted] = (await auditEntries()).filter((e) => e.graph === outcome.graph.graph);
      const draftedText = await readFile(path.join(fixture.dataDir, 'graphs', drafted!.file), 'utf8');
      const run = await RunFolder.open(auditsDir(fixture.dataDir), outcome.run.id);
      const rewritten = await writeRunGraph(store, run);
      const [again] = (await auditEntries()).filter((e) => e.graph === outcome.graph.graph);
      expect(again!.file).not.toBe(drafted!.file);
      expect(rewritten.triples).toBe(outcome.graph.triples);
      expect(again!.sha256).toBe(drafted!.sha256);
      expect(await readFile(path.join(fixture.dataDir, 'graphs', again!.file), 'utf8')).toBe(draftedText);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('gives way to the journal when a result cannot be kept, which reports it, and leaves nothing drafted', async () => {
    // A scenario IRI with a space: a suite line may name it, no store can keep it.
    const bad = path.join(fixture.dataDir, 'bad-iri.jsonl');
    const records = fixture.records.map((r, i) => (i === 20 ? { ...r, id: `${r.id} with a space` } : r));
    await writeFile(bad, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const before = await auditEntries();
    const store = await openFixtureStore(fixture);
    try {
      const error = await freshAudit(store, fixture.dataDir, bad, server.baseUrl, { draftBatch: 7 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidTripleError);
      expect((error as Error).message).toContain('with a space');
    } finally {
      await store.close();
    }
    expect(await auditEntries()).toEqual(before);
    expect((await readdir(path.join(fixture.dataDir, 'graphs'))).filter((f) => f.endsWith('.partial'))).toEqual([]);
  }, 120_000);
});
