/**
 * A version's facts (src/evolution/version-facts.ts): what they hold, that they read back as computed, that
 * bytes which do not read back whole are none, and that the embedded store's data folder keeps them in a
 * file of their own beside the version, removed with it. (That every store keeps them, for the code that
 * computed them only, is tests/store/store-spec.ts; that planning from them equals planning from the
 * versions parsed is tests/framers/generate-changed.test.ts.)
 */

import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeFacts, encodeFacts, factsCode, readVersionFacts, versionFacts } from '../../src/evolution/version-facts.js';
import { parseTurtle, readTurtle, type TurtleSource } from '../../src/rdf/turtle.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { loadPolicies } from '../../src/cli/commands/load.js';
import { tempFolder } from '../helpers/temp-dir.js';

const GIFTS = 'policies/gifts-code.ttl';
const POLICY = 'https://example.org/eastmarch/gifts#policy';

const folder = tempFolder('studio-version-facts-');

describe('version facts', () => {
  it('hold the snapshot, a digest per rule, what every item may say, the named conditions and the members; and read back as computed', async () => {
    const source = await readTurtle(GIFTS);
    const facts = versionFacts(parseTurtle(source), POLICY);
    expect(facts.snapshot.policy).toBe(POLICY);
    expect(facts.digests.size).toBe(facts.snapshot.provisions.size);
    expect([...facts.digests.values()].every((d) => /^[0-9a-f]{64}$/.test(d))).toBe(true);
    expect(facts.globals.personas).toContain('ethics help desk assistant');
    expect(facts.globals.roles.split('\n')).toContain('official superior');
    expect([...facts.conditions.values()].some((named) => named.includes('cond-award'))).toBe(true);
    expect(facts.members.size).toBeGreaterThan(0);
    expect(decodeFacts(encodeFacts(facts))).toEqual(facts);
  });

  it('are none when their bytes do not read back whole: cut short, not gzip, or JSON of another shape', async () => {
    const bytes = encodeFacts(versionFacts(parseTurtle(await readTurtle(GIFTS)), POLICY));
    expect(decodeFacts(bytes.subarray(0, bytes.length - 9))).toBeUndefined();
    expect(decodeFacts(new TextEncoder().encode('{"snapshot":{}}'))).toBeUndefined();
    expect(decodeFacts(gzipSync('{"snapshot":{"provisions":[]}}'))).toBeUndefined();
    expect(decodeFacts(gzipSync('null'))).toBeUndefined();
  });

  it("are kept by the data folder in a file of their own, removed with its version; a damaged file and the version is parsed", async () => {
    const dataDir = path.join(folder(), 'data');
    const store = await EmbeddedStore.open({ dataDir });
    const v2file = path.join(folder(), 'gifts-v2.ttl');
    const source = await readTurtle(GIFTS);
    await writeFile(v2file, source.text.replace('must not let a prohibited source give a gift', 'must not allow a prohibited source to give a gift'));
    const factsFiles = async () => (await readdir(path.join(dataDir, 'graphs'))).filter((f) => f.startsWith('facts-')).sort();
    try {
      const [v1] = await loadPolicies(store, [GIFTS], { validate: false });
      const [first] = await factsFiles();
      expect(first).toMatch(new RegExp(`^facts-${v1!.sha256.slice(0, 32)}-[0-9a-f]{16}\\.json\\.gz$`));
      const [v2] = await loadPolicies(store, [v2file], { validate: false, keepVersions: 1 });
      expect(await factsFiles()).toHaveLength(2);
      const parse = async (): Promise<TurtleSource> => (await store.readVersion(POLICY, v2!.sha256))!;
      const kept = await readVersionFacts(store, POLICY, v2!.sha256, parse);
      expect(kept.kept).toBe(true);
      // Damaged on the disk: read from the version's source instead, the same facts.
      const second = (await factsFiles()).find((f) => f !== first)!;
      await writeFile(path.join(dataDir, 'graphs', second), 'not gzip');
      const parsed = await readVersionFacts(store, POLICY, v2!.sha256, parse);
      expect(parsed.kept).toBe(false);
      expect(parsed.facts).toEqual(kept.facts);
      // The first loaded again, keeping no replaced version: the second is pruned, its facts with it.
      await loadPolicies(store, [GIFTS], { validate: false, keepVersions: 0 });
      expect(await factsFiles()).toEqual([first]);
      await store.removePolicy(POLICY);
      expect(await factsFiles()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('are computed by code the fingerprint names: another fingerprint reads none', async () => {
    const store = await EmbeddedStore.open({ dataDir: path.join(folder(), 'code') });
    try {
      const [loaded] = await loadPolicies(store, [GIFTS], { validate: false });
      expect(await store.readVersionFacts(POLICY, loaded!.sha256, factsCode())).toBeDefined();
      expect(await store.readVersionFacts(POLICY, loaded!.sha256, factsCode().replace(/^./, (c) => (c === '0' ? '1' : '0')))).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
