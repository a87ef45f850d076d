import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makePdf } from '../helpers/pdf.js';
import oxigraph from 'oxigraph';
import type { Quad } from '@rdfjs/types';
import { beforeAll, describe, expect, it } from 'vitest';
import { studio, studioKilledAfter } from '../helpers/cli.js';
import { canonical, triplesOf } from '../helpers/rdf.js';
import { MINI } from '../store/store-spec.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { writeSyntheticPolicy } from '../../scripts/bench/synthetic-policy.js';

/** Every sample policy the main job validates and loads: the files in policies/. */
const POLICY_FILES = (await readdir('policies')).filter((f) => f.endsWith('.ttl')).length;

const M = 'https://example.org/mini#';
const tempDir = () => mkdtemp(path.join(tmpdir(), 'studio-cli-'));

describe('studio CLI', () => {
  const COMMANDS = ['run', 'ingest', 'validate', 'load', 'query', 'stats', 'conflicts', 'generate', 'diff', 'impact', 'versions', 'export', 'suite', 'audit', 'train', 'report', 'serve'];

  it.each(COMMANDS)('has help for %s, from the module of that command', (command) => {
    const result = studio([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: studio ${command}`);
    expect(studio(['help', command]).stdout).toBe(result.stdout);
  });

  it('lists every command in its help, and names an unknown one', () => {
    const help = studio(['--help']);
    expect(help.code).toBe(0);
    const listed = [...help.stdout.matchAll(/^  (\w+)\s/gm)].map((m) => m[1]).filter((n) => n !== 'help');
    expect(listed).toEqual(COMMANDS);
    const unknown = studio(['frobnicate']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  describe('validate', () => {
    it('passes the sample policies with exit 0', () => {
      const result = studio(['validate', 'policies']);
      expect(result.stdout).toContain(`valid: ${POLICY_FILES} files`);
      expect(result.code).toBe(0);
    });

    it('exits 1 and reports violations as JSON with file and line', async () => {
      const dir = await tempDir();
      const file = path.join(dir, 'broken.ttl');
      await writeFile(file, (await readFile(MINI, 'utf8')).replace('studio:bearer studio:Manager ;', 'studio:bearer studio:Manager, studio:Employee ;'));
      const result = studio(['validate', '--json', file]);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout);
      expect(report.conforms).toBe(false);
      expect(report.violations).toMatchObject([{ file, line: 113, focusNode: 'mini:conf-003', path: 'studio:bearer', constraint: 'MaxCount', section: '2 Confidential information' }]);
    });

    it('exits 1 and names file, line and column of a syntax error', async () => {
      const dir = await tempDir();
      const file = path.join(dir, 'broken.ttl');
      await writeFile(file, (await readFile(MINI, 'utf8')).replace('dcterms:title "Gifts" ;', 'dcterms:title "Gifts ;'));
      const result = studio(['validate', file]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(new RegExp(`^${file}:\\d+:\\d+: syntax error: `, 'm'));
    });

    it('exits 2 with a clear message for a missing file', () => {
      const result = studio(['validate', 'no/such/policy.ttl']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('no/such/policy.ttl: no such file or folder');
    });
  });

  describe('ingest', () => {
    it('writes a draft that studio validate accepts, and prints the review table', async () => {
      const dir = await tempDir();
      const out = path.join(dir, 'draft.ttl');
      const result = studio(['ingest', 'tests/ingest/fixtures/gifts-rule.md', '--out', out, '--policy', 'https://example.org/gifts#policy']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^tests\/ingest\/fixtures\/gifts-rule\.md: 11 sections, 11 candidate provisions/);
      expect(result.stdout).toMatch(/sec-12-2-a-p1 +12\.2\(a\) +Prohibition +shall not +274-358 +An employee shall not accept a gift/);
      expect(result.stdout).toContain(`wrote ${out}`);
      const validated = studio(['validate', out]);
      expect(validated.stdout).toMatch(/^valid: 1 file/);
      expect(validated.code).toBe(0);
    });

    it('prints the review as JSON', async () => {
      const out = path.join(await tempDir(), 'draft.ttl');
      const result = studio(['ingest', 'tests/ingest/fixtures/gifts-rule.md', '--out', out, '--json']);
      expect(result.code).toBe(0);
      const json = JSON.parse(result.stdout);
      expect(json.provisions).toEqual({ Definition: 2, Prohibition: 3, Exception: 3, Obligation: 1, Permission: 1, Recommendation: 1 });
      expect(json.review[2]).toEqual({ provision: 'sec-12-2-a-p1', section: '12.2(a)', kind: 'Prohibition', cues: ['shall not'], start: 274, end: 358, qualifies: [], text: 'An employee shall not accept a gift from a supplier, except a gift of nominal value.' });
    });

    it.each([
      ['an empty file', 'empty.md', '\n', /empty/],
      ['an unsupported type', 'rule.rtf', '{\\rtf1 You must ask.}', /unsupported document type '\.rtf'/],
      ['a corrupt DOCX', 'rule.docx', 'PK', /DOCX cannot be read.*corrupt/],
      ['a scanned PDF', 'scan.pdf', makePdf({ imagePages: 1 }), /no text layer.*Run OCR/],
    ])('refuses %s with exit 2 and writes nothing', async (_, name, content, message) => {
      const dir = await tempDir();
      const file = path.join(dir, name);
      await writeFile(file, content);
      const result = studio(['ingest', file, '--out', path.join(dir, 'draft.ttl')]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(await readdir(dir)).toEqual([name]);
    });

    it('refuses a document over --max-bytes', async () => {
      const dir = await tempDir();
      const file = path.join(dir, 'rule.md');
      await writeFile(file, 'You must ask. '.repeat(10));
      const result = studio(['ingest', file, '--max-bytes', '100']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/140 bytes, over the limit of 100 bytes/);
      expect(await readdir(dir)).toEqual(['rule.md']);
    });
  });

  describe('load, stats, query and export', () => {
    let dataDir: string;
    beforeAll(async () => {
      dataDir = await tempDir();
      const result = studio(['load', MINI, '--data-dir', dataDir]);
      expect(result.code, result.stderr).toBe(0);
    });

    it('counts rules by policy, kind and section', () => {
      const result = studio(['stats', '--json', '--data-dir', dataDir]);
      expect(result.code).toBe(0);
      const stats = JSON.parse(result.stdout);
      expect(stats.policies).toMatchObject([{ policy: `${M}policy`, rules: 5, source: MINI }]);
      expect(Object.fromEntries(stats.byKind.map((k: { kind: string; rules: number }) => [k.kind, k.rules]))).toEqual({ Obligation: 2, Prohibition: 2, Permission: 1 });
      expect(stats.bySection.filter((s: { number: string }) => s.number === '2').map((s: { rules: number }) => s.rules)).toEqual([1, 1, 1]);
    });

    it('answers a SPARQL query and a named query', () => {
      const sparql = studio(['query', '--json', '--data-dir', dataDir, '--sparql', 'SELECT ?rule WHERE { ?rule a <https://w3id.org/alignment-studio/ns#Obligation> } ORDER BY ?rule']);
      expect(JSON.parse(sparql.stdout)).toEqual([{ rule: `${M}conf-002` }, { rule: `${M}gifts-002` }]);
      const named = studio(['query', '--json', '--data-dir', dataDir, '--named', 'exceptions-of-rule', '--param', `rule=${M}gifts-001`]);
      expect(JSON.parse(named.stdout).map((r: { exception: string }) => r.exception)).toEqual([`${M}gifts-003`]);
    });

    it('refuses a SPARQL update and changes nothing', async () => {
      const result = studio(['query', '--data-dir', dataDir, '--sparql', 'DELETE WHERE { ?s ?p ?o }']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Refused');
      const stats = JSON.parse(studio(['stats', '--json', '--data-dir', dataDir]).stdout);
      expect(stats.policies[0].rules).toBe(5);
    });

    it.each([
      ['nt', 'application/n-triples'],
      ['ttl', 'text/turtle'],
      ['jsonld', 'application/ld+json'],
    ])('exports %s isomorphic to the source', async (format, mediaType) => {
      const result = studio(['export', '--format', format, '--data-dir', dataDir]);
      expect(result.code, result.stderr).toBe(0);
      const quads = oxigraph.parse(result.stdout, { format: mediaType }) as unknown as Quad[];
      expect(await canonical(quads)).toBe(await canonical(await triplesOf(MINI)));
    });
  });

  it('runs the main job: validates, loads and summarises the sample policies', async () => {
    const result = studio(['run', '--data-dir', await tempDir()]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`valid: ${POLICY_FILES} files`);
    expect(result.stdout).toContain('Rules by section');
  });

  it('refuses to load an invalid policy and keeps what was loaded', async () => {
    const dataDir = await tempDir();
    studio(['load', MINI, '--data-dir', dataDir]);
    const file = path.join(dataDir, '..', `${path.basename(dataDir)}-broken.ttl`);
    await writeFile(file, (await readFile(MINI, 'utf8')).replace('studio:exceptionTo mini:gifts-001', 'studio:exceptionTo mini:nothing'));
    const result = studio(['load', file, '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Nothing was loaded');
    const store = await EmbeddedStore.open({ dataDir });
    expect(await canonical(await store.exportQuads())).toBe(await canonical(await triplesOf(MINI)));
    await store.close();
  });

  it('load refuses a policy that describes a resource of another loaded policy, and still replaces a policy on reload', async () => {
    const dataDir = await tempDir();
    expect(studio(['load', MINI, '--data-dir', dataDir]).code).toBe(0);
    const file = path.join(dataDir, '..', `${path.basename(dataDir)}-intruder.ttl`);
    await writeFile(
      file,
      [
        '@prefix studio: <https://w3id.org/alignment-studio/ns#> .',
        '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .',
        '@prefix dcterms: <http://purl.org/dc/terms/> .',
        '<https://example.org/intruder#regulation> a studio:Regulation ; dcterms:title "Intruder Code" ; studio:authorityRank 1 .',
        '<https://example.org/intruder#policy> a studio:Policy ; dcterms:title "Intruder" ; studio:implements <https://example.org/intruder#regulation> .',
        `<${M}gifts-001> rdfs:label "Hijacked" .`,
        '',
      ].join('\n'),
    );
    const result = studio(['load', file, '--data-dir', dataDir]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`<${M}gifts-001> <http://www.w3.org/2000/01/rdf-schema#label> "Hijacked" . (a resource of ${M}policy)`);
    expect(result.stderr).toContain('Nothing was loaded');
    // A reload of the policy that owns the resources is no breach: it replaces the earlier load.
    expect(studio(['load', MINI, '--data-dir', dataDir]).code).toBe(0);
    const store = await EmbeddedStore.open({ dataDir });
    expect((await store.listPolicies()).map((p) => p.policy)).toEqual([`${M}policy`]);
    expect(await canonical(await store.exportQuads())).toBe(await canonical(await triplesOf(MINI)));
    await store.close();
  });

  it.each([[[]], [['--no-validate']]])('load %j of a file declaring two policies names the file and them, and a syntax error its line; nothing is stored', async (extra) => {
    const dataDir = await tempDir();
    const file = path.join(dataDir, '..', `${path.basename(dataDir)}-nopolicy.ttl`);
    await writeFile(file, `${await readFile(MINI, 'utf8')}\nmini:policy2 a studio:Policy ; dcterms:title "Second" ; studio:version "1.0" ; studio:implements mini:regulation .\n`);
    const twice = studio(['load', ...extra, file, '--data-dir', dataDir]);
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toContain(`${file}: declares 2 studio:Policy nodes (${M}policy, ${M}policy2)`);
    const broken = path.join(dataDir, '..', `${path.basename(dataDir)}-syntax.ttl`);
    await writeFile(broken, `${await readFile(MINI, 'utf8')}\nmini:x mini:y .\n`);
    const syntax = studio(['load', ...extra, broken, '--data-dir', dataDir]);
    expect(syntax.code).not.toBe(0);
    expect(syntax.stderr).toMatch(new RegExp(`${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+`));
    const store = await EmbeddedStore.open({ dataDir });
    expect(await store.listPolicies()).toEqual([]);
    await store.close();
  });

  it('survives kill -9 in the middle of a reload: the old version or the new one, never a mix', async () => {
    const dir = await tempDir();
    const dataDir = path.join(dir, 'data');
    const small = path.join(dir, 'small.ttl');
    const large = path.join(dir, 'large.ttl');
    await writeSyntheticPolicy(100, small);
    await writeSyntheticPolicy(3000, large);
    expect(studio(['load', '--no-validate', small, '--data-dir', dataDir]).code).toBe(0);
    const smallTriples = (await triplesOf(small)).length;
    const largeTriples = (await triplesOf(large)).length;
    const seen = new Set<number>();
    for (const delay of [150, 400, 700, 1000, 1300, 1600, 2500]) {
      await studioKilledAfter(['load', '--no-validate', large, '--data-dir', dataDir], delay);
      const store = await EmbeddedStore.open({ dataDir });
      const policies = await store.listPolicies();
      expect(policies).toHaveLength(1);
      const triples = (await store.exportQuads()).length;
      expect([smallTriples, largeTriples]).toContain(triples);
      expect(policies[0]!.triples).toBe(triples);
      seen.add(triples);
      await store.close();
      if (triples === largeTriples) studio(['load', '--no-validate', small, '--data-dir', dataDir]);
    }
    // Not asserted: which states the kills landed in depends on the machine's speed.
    console.info(`kill -9 states seen: ${[...seen].join(', ')}`);
  });
});
