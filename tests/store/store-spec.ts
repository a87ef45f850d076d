/**
 * The suite every GraphStore implementation must pass, with the same
 * answers. An implementation's test file calls describeGraphStore with a way
 * to open an empty store and a write its query language must refuse.
 */

import { readFile } from 'node:fs/promises';
import N3 from 'n3';
import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import type { GraphStore, Row } from '../../src/store/graph-store.js';
import { readPortableRows } from '../../src/store/portable-rows.js';
import { decodeFacts, factsCode, versionFacts } from '../../src/evolution/version-facts.js';
import { preparePolicy } from '../../src/validation/upload-check.js';
import { toChecked } from '../../src/cli/commands/load.js';
import { parseTurtle, readTurtle, type TurtleSource } from '../../src/rdf/turtle.js';
import {
  PolicyDeclarationError,
  PolicyNotLoadedError,
  InvalidTripleError,
  QueryError,
  ReadOnlyQueryError,
  StudioError,
  TurtleSyntaxError,
  UnknownQueryError,
} from '../../src/errors.js';
import { canonical, triplesOf } from '../helpers/rdf.js';
import { bearerPairs } from '../../src/conflicts/bearer-pairs.js';

export const MINI = 'tests/fixtures/mini-policy.ttl';
export const SAMPLE_POLICIES = ['policies/business-conduct.ttl', 'policies/retail-bank-assistant.ttl'];
const M = 'https://example.org/mini#';
const S = 'https://w3id.org/alignment-studio/ns#';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';

export interface StoreFactory {
  /** Opens an empty store. */
  open(): Promise<GraphStore>;
  /** A write in the engine's own query language, which query() must refuse. */
  writeQuery: string;
  /** A read in the engine's own language whose rows' `rule` column lists the prohibitions. */
  prohibitionsQuery: string;
  /** A read whose rows' `says` column lists the studio:says values (of the derived-graph test). */
  derivedQuery: string;
  /** A read whose rows' `says` column lists the studio:says values of resources typed studio:Note. */
  derivedTypedQuery: string;
}

/** A source made from text in memory, as if read from `file`. */
export function sourceOf(file: string, text: string): TurtleSource {
  return { file, text, baseIri: `file:///${file}` };
}

function sorted(rows: readonly Row[]): Row[] {
  return [...rows].map((r) => ({ ...r })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

export function describeGraphStore(name: string, factory: StoreFactory): void {
  describe(`GraphStore spec: ${name}`, () => {
    let store: GraphStore;
    beforeEach(async () => {
      store = await factory.open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('loads a policy and lists it with its triple count', async () => {
      const loaded = await store.loadPolicy(await readTurtle(MINI));
      expect(loaded.policy).toBe(`${M}policy`);
      expect(loaded.title).toBe('Mini Code policy');
      expect(loaded.triples).toBe((await triplesOf(MINI)).length);
      expect((await store.listPolicies()).map((p) => p.policy)).toEqual([`${M}policy`]);
    });

    it('answers rule-context with every relation of the rule', async () => {
      await store.loadPolicy(await readTurtle(MINI));
      const rows = await store.namedQuery('rule-context', { rule: `${M}gifts-001` });
      const pairs = rows.map((r) => `${r.relation} ${r.value}`).sort();
      expect(pairs).toEqual(
        [
          `action ${M}acceptGift`,
          `bearer ${S}Employee`,
          `behaviour ${S}CiteSection`,
          `behaviour ${S}Refuse`,
          `counterparty ${M}vendor`,
          `exception ${M}gifts-003`,
          `section ${M}s1`,
          `target ${M}gift`,
        ].sort(),
      );
      expect(rows.find((r) => r.relation === 'section')?.label).toBe('Gifts');
    });

    it('answers rule-context with the definitions of the terms a rule uses', async () => {
      await store.loadPolicy(await readTurtle(MINI));
      const rows = await store.namedQuery('rule-context', { rule: `${M}conf-001` });
      expect(rows.filter((r) => r.relation === 'definition').map((r) => r.value)).toEqual([`${M}def-secret`]);
      expect(rows.filter((r) => r.relation === 'condition').map((r) => r.value)).toEqual([`${M}cond-external`]);
    });

    it('answers a named query for another thread with the rows namedQuery gives, in a query thread or not', async () => {
      await store.loadPolicy(await readTurtle(MINI));
      const params = { rule: `${M}gifts-001` };
      const rows = sorted(await store.namedQuery('rule-context', params));
      expect(rows.length).toBeGreaterThan(0);
      // With a deadline the embedded store asks its query thread, whose SPARQL JSON travels unread.
      for (const options of [{}, { deadlineMs: 30_000 }]) {
        const portable = structuredClone(await store.namedQueryPortable('rule-context', params, options));
        expect(sorted(readPortableRows('rule-context', portable))).toEqual(rows);
      }
      await expect(store.namedQueryPortable('no-such-query')).rejects.toBeInstanceOf(UnknownQueryError);
    });

    it('binds a table parameter: conflicts keeps the bearer pairs of its table and no others; a malformed table is refused', async () => {
      await store.loadPolicy(await readTurtle(MINI));
      const bearers = await bearerPairs(store);
      const all = sorted(await store.namedQuery('conflicts', { byPolicy: '', bearers }));
      expect(all.length).toBeGreaterThan(0);
      expect(await store.namedQuery('conflicts', { byPolicy: '', bearers: [] })).toEqual([]);
      // One pair at a time: each conflict is found under the pair of its rules' bearers only.
      const found: Row[] = [];
      for (const pair of bearers) found.push(...(await store.namedQuery('conflicts', { byPolicy: '', bearers: [pair] })));
      expect(sorted(found)).toEqual(all);
      const pair = { prohibitionBearer: `${M}nobody`, permissiveBearer: `${M}nobody` };
      for (const bad of ['text', [{ prohibitionBearer: `${M}nobody` }], [{ ...pair, extra: 'x' }], [{ ...pair, permissiveBearer: 'not an iri' }], [{ ...pair, permissiveBearer: 3 }], [null], [pair, pair]]) {
        await expect(store.namedQuery('conflicts', { byPolicy: '', bearers: bad as never })).rejects.toBeInstanceOf(QueryError);
      }
    });

    it('binds a table of provisions: generation-provisions-of and generation-relations-of give the whole queries\' rows of the provisions listed, and no others', async () => {
      await store.loadPolicy(await readTurtle(MINI));
      const policy = `${M}policy`;
      for (const [whole, of] of [['generation-provisions', 'generation-provisions-of'], ['generation-relations', 'generation-relations-of']] as const) {
        const all = sorted(await store.namedQuery(whole, { policy }));
        const provisions = [...new Set(all.map((r) => String(r.provision)))];
        expect(provisions.length, whole).toBeGreaterThan(3);
        expect(sorted(await store.namedQuery(of, { policy, provisions: provisions.map((provision) => ({ provision })) })), of).toEqual(all);
        expect(await store.namedQuery(of, { policy, provisions: [] }), of).toEqual([]);
        // A few listed, and one the policy does not hold: those few's rows, and only theirs.
        const few = provisions.filter((_, i) => i % 3 === 0);
        const listed = [...few, `${M}no-such-provision`].map((provision) => ({ provision }));
        expect(sorted(await store.namedQuery(of, { policy, provisions: listed })), of).toEqual(all.filter((r) => few.includes(String(r.provision))));
        expect(await store.namedQuery(of, { policy: `${M}no-such-policy`, provisions: listed }), of).toEqual([]);
      }
    });

    it('answers rules-by-section including subsections', async () => {
      await store.loadPolicy(await readTurtle(MINI));
      const all = await store.namedQuery('rules-by-section', { section: `${M}regulation` });
      expect(all.map((r) => r.rule)).toEqual([`${M}conf-001`, `${M}conf-002`, `${M}conf-003`, `${M}gifts-001`, `${M}gifts-002`]);
      const gifts = await store.namedQuery('rules-by-section', { section: `${M}s1` });
      expect(gifts.map((r) => [r.rule, r.kind])).toEqual([
        [`${M}gifts-001`, 'Prohibition'],
        [`${M}gifts-002`, 'Obligation'],
      ]);
    });

    it('answers rules and rules-count with optional filters and a cursor', async () => {
      await store.loadPolicy(await readTurtle(MINI));
      const any = { byKind: '', bySection: '', byBearer: '', byPolicy: '' };
      const page = (filter: Record<string, string>, after = '') => store.namedQuery('rules', { ...any, ...filter, after }).then((rows) => rows.map((r) => r.rule));
      const count = async (filter: Record<string, string>) => (await store.namedQuery('rules-count', { ...any, ...filter }))[0]?.rules;
      expect(await page({})).toEqual([`${M}conf-001`, `${M}conf-002`, `${M}conf-003`, `${M}gifts-001`, `${M}gifts-002`]);
      expect(await page({}, `${M}conf-003`)).toEqual([`${M}gifts-001`, `${M}gifts-002`]);
      expect(await page({ byKind: 'Prohibition' })).toEqual([`${M}conf-001`, `${M}gifts-001`]);
      expect(await page({ bySection: `${M}s1` })).toEqual([`${M}gifts-001`, `${M}gifts-002`]);
      expect(await page({ byBearer: `${S}Manager`, byPolicy: `${M}policy` })).toEqual([`${M}conf-003`]);
      expect(await page({ byBearer: `${M}x' OR 1=1 //` })).toEqual([]);
      expect([await count({}), await count({ bySection: `${M}regulation`, byKind: 'Obligation' }), await count({ byPolicy: `${M}other` })]).toEqual([5, 2, 0]);
      const [row] = await store.namedQuery('rules', { ...any, byKind: 'Permission', after: '' });
      expect(row).toEqual({ rule: `${M}conf-003`, kind: 'Permission', label: 'Managers may share confidential information internally', policy: `${M}policy`, section: `${M}s2`, bearer: `${S}Manager` });
      expect(await store.namedQuery('rule', { rule: `${M}gifts-003` })).toEqual([]);
    });

    it('answers exceptions-of-rule, exceptions to exceptions at depth 2', async () => {
      const text = (await readFile(MINI, 'utf8')) + `
mini:gifts-004 a studio:Exception ;
    rdfs:label "No nominal gifts during a tender" ;
    studio:inPolicy mini:policy ; studio:section mini:s1 ;
    studio:text "The nominal-value exception does not apply during a tender." ;
    studio:exceptionTo mini:gifts-003 ;
    studio:condition mini:cond-external ;
    studio:expectedBehaviour studio:Refuse .
`;
      await store.loadPolicy(sourceOf(MINI, text));
      const rows = await store.namedQuery('exceptions-of-rule', { rule: `${M}gifts-001` });
      expect(rows.map((r) => [r.exception, r.exceptionTo, r.depth, r.condition])).toEqual([
        [`${M}gifts-003`, `${M}gifts-001`, 1, `${M}cond-nominal`],
        [`${M}gifts-004`, `${M}gifts-003`, 2, `${M}cond-external`],
      ]);
    });

    it('counts rules by policy, section and kind in rule-summary', async () => {
      await store.loadPolicy(await readTurtle(MINI));
      const rows = await store.namedQuery('rule-summary');
      expect(sorted(rows).map((r) => [r.section, r.kind, r.rules])).toEqual([
        [`${M}s1`, 'Obligation', 1],
        [`${M}s1`, 'Prohibition', 1],
        [`${M}s2`, 'Obligation', 1],
        [`${M}s2`, 'Permission', 1],
        [`${M}s2`, 'Prohibition', 1],
      ]);
    });

    it('replaces a reloaded policy: changes applied, deletions gone, no duplicates', async () => {
      await store.loadPolicy(await readTurtle(MINI));
      const original = await readFile(MINI, 'utf8');
      const changed = original
        .replace('rdfs:label "No gifts from suppliers"', 'rdfs:label "No gifts from vendors"')
        .replace(/mini:conf-003 a studio:Permission ;[\s\S]*?studio:authorityRank 2 \.\n/, '');
      await store.loadPolicy(sourceOf(MINI, changed));
      expect(await store.listPolicies()).toHaveLength(1);
      const rules = await store.namedQuery('rules-by-section', { section: `${M}regulation` });
      expect(rules.map((r) => r.rule)).toEqual([`${M}conf-001`, `${M}conf-002`, `${M}gifts-001`, `${M}gifts-002`]);
      expect(rules.find((r) => r.rule === `${M}gifts-001`)?.label).toBe('No gifts from vendors');
      expect(await canonical(await store.exportQuads())).toBe(await canonical(parseTurtle(sourceOf(MINI, changed))));
    });

    // Numbers are written in the lexical form oxigraph keeps: it stores them by value ("0050"^^xsd:integer reads back as "50").
    it('reloads blank nodes, language tags, datatypes and repeated values faithfully', async () => {
      const base = await readFile(MINI, 'utf8');
      const version = (label: string) =>
        base +
        `
mini:cond-window a studio:TimeWindowCondition ;
    rdfs:label "${label}"@en, "${label} (fr)"@fr, "${label}" ;
    rdfs:comment "x"^^<https://example.org/custom#type>, "50"^^xsd:integer, "2.5"^^xsd:decimal, "1500"^^xsd:double, "true"^^xsd:boolean ;
    studio:startDate "2025-01-01"^^xsd:date ;
    dcterms:source [ rdfs:label "${label} source" ; dcterms:source [ rdfs:label "nested" ] ] .
`;
      for (const label of ['first window', 'second window']) {
        const text = version(label);
        await store.loadPolicy(sourceOf(MINI, text));
        expect(await canonical(await store.exportQuads()), label).toBe(await canonical(parseTurtle(sourceOf(MINI, text))));
      }
      expect(await store.listPolicies()).toHaveLength(1);
    });

    it('keeps what it had when a load fails on a syntax error', async () => {
      await store.loadPolicy(await readTurtle(MINI));
      const broken = (await readFile(MINI, 'utf8')).replace('studio:text "Employees must protect confidential information." ;', 'studio:text "unterminated ;');
      await expect(store.loadPolicy(sourceOf(MINI, broken))).rejects.toBeInstanceOf(TurtleSyntaxError);
      expect(await canonical(await store.exportQuads())).toBe(await canonical(await triplesOf(MINI)));
    });

    it('refuses a file that declares no policy, and stores nothing of it', async () => {
      const text = (await readFile(MINI, 'utf8')).replace('mini:policy a studio:Policy ;', 'mini:policy a studio:Regulation ;');
      await expect(store.loadPolicy(sourceOf('nopolicy.ttl', text))).rejects.toBeInstanceOf(PolicyDeclarationError);
      expect(await store.listPolicies()).toEqual([]);
      expect(await store.exportQuads()).toEqual([]);
    });

    it('removes a policy', async () => {
      await store.loadPolicy(await readTurtle(MINI));
      expect(await store.removePolicy(`${M}policy`)).toBe(true);
      expect(await store.removePolicy(`${M}policy`)).toBe(false);
      expect(await store.namedQuery('rules-by-section', { section: `${M}regulation` })).toEqual([]);
    });

    it('keeps the version a changed load replaces, out of every read, and none for an identical load', async () => {
      const first = await readTurtle(MINI);
      const v1 = await store.loadPolicy(first, undefined, undefined, { loadedBy: 'alice' });
      expect(v1.loadedBy).toBe('alice');
      expect(v1.revisionOf).toBeUndefined();
      expect((await store.loadPolicy(first, undefined, undefined, { loadedBy: 'alice' })).sha256).toBe(v1.sha256);
      expect(await store.listVersions()).toEqual([]);
      const second = sourceOf('mini-v2.ttl', first.text.replace('Employees must not accept gifts from suppliers."', 'Staff must not accept gifts from suppliers."'));
      await new Promise((resolve) => setTimeout(resolve, 5));
      const v2 = await store.loadPolicy(second, undefined, undefined, { loadedBy: 'bob' });
      expect(v2).toMatchObject({ loadedBy: 'bob', revisionOf: v1.sha256, source: 'mini-v2.ttl' });
      expect((await store.listPolicies())[0]).toMatchObject({ sha256: v2.sha256, revisionOf: v1.sha256 });
      const versions = await store.listVersions(`${M}policy`);
      expect(versions.map((v) => [v.sha256, v.loadedBy ?? null, v.triples])).toEqual([[v1.sha256, 'alice', v1.triples]]);
      expect(await store.listVersions('https://example.org/other#policy')).toEqual([]);
      // History, not data: the old text is in no query, no export, no count.
      const texts = (await store.namedQuery('rule', { rule: `${M}gifts-001` })).map((r) => r.text);
      expect(texts).toEqual(['Staff must not accept gifts from suppliers.']);
      expect((await store.exportQuads()).length).toBe(v2.triples);
      expect((await store.namedQuery('rules-count', { byKind: '', bySection: '', byBearer: '', byPolicy: '' }))[0]?.rules).toBe(
        (await store.namedQuery('rules-count', { byKind: '', bySection: '', byBearer: '', byPolicy: `${M}policy` }))[0]?.rules,
      );
      // Both versions read back as they were loaded, byte for byte.
      expect((await store.readVersion(`${M}policy`, v1.sha256))?.text).toBe(first.text);
      expect((await store.readVersion(`${M}policy`, v2.sha256))?.text).toBe(second.text);
      expect(await store.readVersion(`${M}policy`, '0'.repeat(64))).toBeUndefined();
      expect(await store.readVersion('https://example.org/other#policy', v1.sha256)).toBeUndefined();
    });

    it('keeps the newest replaced versions up to keepVersions, and a version loaded again is current, not kept', async () => {
      const first = await readTurtle(MINI);
      const edition = (n: number) => sourceOf(`mini-${n}.ttl`, first.text.replace('dcterms:title "Mini Code policy"', `dcterms:title "Mini Code policy, edition ${n}"`));
      const shas: string[] = [];
      for (const n of [1, 2, 3, 4]) {
        shas.push((await store.loadPolicy(edition(n), undefined, undefined, { keepVersions: 2 })).sha256);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const listed = await store.listVersions(`${M}policy`);
      expect(listed.map((v) => v.sha256)).toEqual([shas[2], shas[1]]);
      expect(listed.map((v) => v.revisionOf)).toEqual([shas[1], shas[0]]);
      expect(await store.readVersion(`${M}policy`, shas[0]!)).toBeUndefined();
      const restored = await store.loadPolicy(await store.readVersion(`${M}policy`, shas[1]!).then((v) => v!), undefined, undefined, { keepVersions: 2 });
      expect(restored).toMatchObject({ sha256: shas[1], revisionOf: shas[3] });
      expect((await store.listVersions(`${M}policy`)).map((v) => v.sha256)).toEqual([shas[3], shas[2]]);
      expect((await store.listPolicies()).map((p) => p.title)).toEqual(['Mini Code policy, edition 2']);
      expect(await store.removePolicy(`${M}policy`)).toBe(true);
      expect(await store.listVersions()).toEqual([]);
      expect(await store.readVersion(`${M}policy`, shas[2]!)).toBeUndefined();
    });

    it("keeps a version's facts when loaded with them, for the code that computed them, through its replacement and no longer than the version", async () => {
      const first = await readTurtle(MINI);
      const second = sourceOf('mini-v2.ttl', first.text.replace('Employees must not accept gifts from suppliers."', 'Staff must not accept gifts from suppliers."'));
      // As `studio load` and an upload prepare a file: parsed once, its facts with it.
      const load = (source: TurtleSource, keepVersions?: number) => store.loadPolicy(source, undefined, toChecked(preparePolicy(source, parseTurtle(source))), keepVersions === undefined ? {} : { keepVersions });
      const expected = (source: TurtleSource) => versionFacts(parseTurtle(source), `${M}policy`);
      const v1 = await load(first);
      const read = async (sha256: string, code = factsCode()) => {
        const bytes = await store.readVersionFacts(`${M}policy`, sha256, code);
        return bytes && decodeFacts(bytes);
      };
      expect(await read(v1.sha256)).toEqual(expected(first));
      expect(await store.readVersionFacts(`${M}policy`, v1.sha256, 'other code')).toBeUndefined();
      expect(await store.readVersionFacts('https://example.org/other#policy', v1.sha256, factsCode())).toBeUndefined();
      const v2 = await load(second);
      expect(await read(v2.sha256)).toEqual(expected(second));
      expect(await read(v1.sha256)).toEqual(expected(first));
      // A load without them (the triples parsed by the store): none, for that version.
      const third = sourceOf('mini-v3.ttl', first.text.replace('dcterms:title "Mini Code policy"', 'dcterms:title "Mini Code policy, third"'));
      const v3 = await store.loadPolicy(third, undefined, undefined, { keepVersions: 1 });
      expect(await store.readVersionFacts(`${M}policy`, v3.sha256, factsCode())).toBeUndefined();
      expect(await read(v2.sha256)).toEqual(expected(second));
      // Pruned with the version it is of.
      expect(await store.readVersionFacts(`${M}policy`, v1.sha256, factsCode())).toBeUndefined();
      expect(await store.removePolicy(`${M}policy`)).toBe(true);
      expect(await store.readVersionFacts(`${M}policy`, v2.sha256, factsCode())).toBeUndefined();
    });

    it('keeps derived graphs: replaced whole, queried with the policy, kept on reload, removed with the policy', async () => {
      const loaded = await store.loadPolicy(await readTurtle(MINI));
      const graph = { graph: 'urn:studio:test:derived', kind: 'conflicts', policy: `${M}policy`, policySha256: loaded.sha256 };
      const note = (text: string) => [
        N3.DataFactory.quad(N3.DataFactory.namedNode(`${M}note`), N3.DataFactory.namedNode(`${S}about`), N3.DataFactory.namedNode(`${M}gifts-001`)),
        N3.DataFactory.quad(N3.DataFactory.namedNode(`${M}note`), N3.DataFactory.namedNode(`${S}says`), N3.DataFactory.literal(text)),
      ];
      const says = async () => {
        const answer = await store.query(factory.derivedQuery);
        return answer.kind === 'rows' ? answer.rows.map((r) => r.says) : [];
      };
      expect((await store.putDerivedGraph(graph, note('first'))).triples).toBe(2);
      await store.putDerivedGraph(graph, note('second'));
      expect(await says()).toEqual(['second']);
      expect((await store.listDerivedGraphs()).map((g) => [g.graph, g.kind, g.policy, g.policySha256, g.triples])).toEqual([
        [graph.graph, 'conflicts', `${M}policy`, loaded.sha256, 2],
      ]);
      // Derived triples are not part of the authored policy.
      expect(await canonical(await store.exportQuads())).toBe(await canonical(await triplesOf(MINI)));
      await store.loadPolicy(await readTurtle(MINI));
      expect(await says()).toEqual(['second']);
      await store.removePolicy(`${M}policy`);
      expect(await store.listDerivedGraphs()).toEqual([]);
      expect(await says()).toEqual([]);
      await expect(store.putDerivedGraph(graph, note('orphan'))).rejects.toBeInstanceOf(PolicyNotLoadedError);
      expect(await store.listDerivedGraphs()).toEqual([]);
    });

    describe('a derived graph written in pieces', () => {
      const { namedNode, literal, quad, blankNode } = N3.DataFactory;
      const graphOf = (sha256: string) => ({ graph: 'urn:studio:test:pieces', kind: 'generated', policy: `${M}policy`, policySha256: sha256 });
      const says = (subject: string, text: string) => quad(namedNode(subject), namedNode(`${S}says`), literal(text));
      const saysNow = async () => {
        const answer = await store.query(factory.derivedQuery);
        return answer.kind === 'rows' ? answer.rows.map((r) => r.says).sort() : [];
      };

      it('shows the previous version until commit, then the pieces together, a subject spread over pieces whole', async () => {
        const loaded = await store.loadPolicy(await readTurtle(MINI));
        await store.putDerivedGraph(graphOf(loaded.sha256), [says(`${M}old`, 'old')]);
        const writer = await store.beginDerivedGraph(graphOf(loaded.sha256));
        const about = quad(namedNode(`${M}note`), namedNode(`${S}about`), namedNode(`${M}gifts-001`));
        await writer.append([says(`${M}note`, 'one'), about, quad(namedNode(`${M}note`), namedNode(`${RDF_TYPE}`), namedNode(`${S}Note`))]);
        await writer.append([says(`${M}note`, 'two'), says(`${M}other`, 'three')]);
        expect(await saysNow()).toEqual(['old']);
        const graph = await writer.commit();
        expect(graph.triples).toBe(5);
        expect(await saysNow()).toEqual(['one', 'three', 'two']);
        expect((await store.listDerivedGraphs()).map((g) => [g.graph, g.kind, g.triples])).toEqual([['urn:studio:test:pieces', 'generated', 5]]);
        // The same subject's types and values, whichever piece they came in.
        const typed = await store.query(factory.derivedTypedQuery);
        expect(typed.kind === 'rows' ? typed.rows.map((r) => r.says).sort() : []).toEqual(['one', 'two']);
        // What the pieces wrote replaces the previous version whole, and is no part of the authored policy.
        expect(await canonical(await store.exportQuads())).toBe(await canonical(await triplesOf(MINI)));
      });

      it('keeps the previous version when aborted or when a piece holds a triple no store can keep; needs the policy loaded', async () => {
        const loaded = await store.loadPolicy(await readTurtle(MINI));
        await store.putDerivedGraph(graphOf(loaded.sha256), [says(`${M}old`, 'old')]);
        const aborted = await store.beginDerivedGraph(graphOf(loaded.sha256));
        await aborted.append([says(`${M}new`, 'new')]);
        await aborted.abort();
        await aborted.abort();
        await expect(aborted.commit()).rejects.toBeInstanceOf(StudioError);
        expect(await saysNow()).toEqual(['old']);

        const failed = await store.beginDerivedGraph(graphOf(loaded.sha256));
        await failed.append([says(`${M}new`, 'new')]);
        const literalSubject = quad(literal('x') as unknown as N3.Quad_Subject, namedNode(`${S}says`), literal('bad'));
        await expect(failed.append([literalSubject])).rejects.toBeInstanceOf(InvalidTripleError);
        await expect(failed.append([says('relative/iri', 'bad')])).rejects.toBeInstanceOf(StudioError);
        await failed.abort();
        expect(await saysNow()).toEqual(['old']);
        expect((await store.listDerivedGraphs()).map((g) => g.triples)).toEqual([1]);

        // (A policy removed while its graph is being written: Neo4j's removal waits for the writer's transaction, the embedded store's commit refuses.)
        await store.removePolicy(`${M}policy`);
        expect(await store.listDerivedGraphs()).toEqual([]);
        await expect(store.beginDerivedGraph(graphOf(loaded.sha256))).rejects.toBeInstanceOf(PolicyNotLoadedError);
      });

      it('patches a graph: the triples of the removed subjects go, the added come, the rest stays; refuses adding to a subject it keeps', async () => {
        const loaded = await store.loadPolicy(await readTurtle(MINI));
        const typed = (subject: string) => quad(namedNode(subject), namedNode(RDF_TYPE), namedNode(`${S}Note`));
        const about = (subject: string, object: string) => quad(namedNode(subject), namedNode(`${S}about`), namedNode(object));
        await store.putDerivedGraph(graphOf(loaded.sha256), [typed(`${M}note`), says(`${M}note`, 'one'), about(`${M}note`, `${M}gifts-001`), says(`${M}other`, 'two'), says(`${M}kept`, 'kept'), about(`${M}kept`, `${M}note`)]);
        const tricky = 'quote " backslash \\ newline \n é ✓';
        const patched = await store.patchDerivedGraph(graphOf('f'.repeat(64)), {
          remove: [`${M}note`, `${M}other`, `${M}absent`],
          add: [typed(`${M}note`), says(`${M}note`, tricky), says(`${M}fresh`, 'fresh'), about(`${M}fresh`, `${M}kept`)],
        });
        expect([patched.graph, patched.kind, patched.policySha256, patched.triples]).toEqual(['urn:studio:test:pieces', 'generated', 'f'.repeat(64), 6]);
        expect(await saysNow()).toEqual(['fresh', 'kept', tricky].sort());
        const typedNow = await store.query(factory.derivedTypedQuery);
        expect(typedNow.kind === 'rows' ? typedNow.rows.map((r) => r.says) : []).toEqual([tricky]);
        expect((await store.listDerivedGraphs()).map((g) => [g.policySha256, g.triples])).toEqual([['f'.repeat(64), 6]]);

        // Adding to a subject the graph keeps is refused, and changes nothing.
        await expect(store.patchDerivedGraph(graphOf(loaded.sha256), { remove: [`${M}fresh`], add: [says(`${M}kept`, 'more')] })).rejects.toThrow(/describes and the patch does not remove/);
        expect(await saysNow()).toEqual(['fresh', 'kept', tricky].sort());
        expect((await store.listDerivedGraphs()).map((g) => [g.policySha256, g.triples])).toEqual([['f'.repeat(64), 6]]);
        await expect(store.patchDerivedGraph({ ...graphOf(loaded.sha256), graph: 'urn:studio:test:none' }, { remove: [], add: [] })).rejects.toThrow(/no such graph/);
        await expect(store.patchDerivedGraph(graphOf(loaded.sha256), { remove: [], add: [quad(blankNode('b'), namedNode(`${S}says`), literal('x'))] })).rejects.toBeInstanceOf(QueryError);
        await store.removePolicy(`${M}policy`);
        await expect(store.patchDerivedGraph(graphOf(loaded.sha256), { remove: [], add: [] })).rejects.toBeInstanceOf(PolicyNotLoadedError);
      });

      it('writes a thousand pieces of blank nodes and literals that need escaping, and reads them back', async () => {
        const loaded = await store.loadPolicy(await readTurtle(MINI));
        const writer = await store.beginDerivedGraph(graphOf(loaded.sha256));
        const tricky = 'quote " backslash \\ newline \n tab \t bell \u0007 é ✓';
        for (let i = 0; i < 1000; i++) await writer.append([quad(blankNode(`n${i}`), namedNode(`${S}says`), literal(`${i} ${tricky}`))]);
        expect((await writer.commit()).triples).toBe(1000);
        const said = await saysNow();
        expect(said).toHaveLength(1000);
        expect(said).toContain(`999 ${tricky}`);
      });
    });

    it('exports each policy isomorphic to its source', async () => {
      for (const file of [MINI, ...SAMPLE_POLICIES]) await store.loadPolicy(await readTurtle(file));
      for (const file of [MINI, ...SAMPLE_POLICIES]) {
        const policy = (await store.listPolicies()).find((p) => p.source === file)!;
        expect(await canonical(await store.exportQuads(policy.policy)), file).toBe(await canonical(await triplesOf(file)));
      }
    });

    it('runs read-only ad-hoc queries and refuses writes', async () => {
      await store.loadPolicy(await readTurtle(MINI));
      const answer = await store.query(factory.prohibitionsQuery);
      expect(answer.kind).toBe('rows');
      if (answer.kind === 'rows') expect(answer.rows.map((r) => r.rule).sort()).toEqual([`${M}conf-001`, `${M}gifts-001`]);
      await expect(store.query(factory.writeQuery)).rejects.toBeInstanceOf(ReadOnlyQueryError);
      expect(await canonical(await store.exportQuads())).toBe(await canonical(await triplesOf(MINI)));
    });

    it.each([
      ['an unknown named query', 'no-such-query', {}, UnknownQueryError],
      ['a path as a query name', '../package', {}, UnknownQueryError],
      ['a missing parameter', 'rule-context', {}, QueryError],
      ['an unknown parameter', 'rule-context', { rule: `${M}gifts-001`, extra: 'x' }, QueryError],
      ['a parameter that is no IRI', 'rule-context', { rule: 'gifts-001' }, QueryError],
      ['an injection through a parameter', 'rule-context', { rule: `${M}x> } } DELETE WHERE { ?s ?p ?o } #` }, QueryError],
      ['an injection through a Cypher-style parameter', 'rule-context', { rule: `${M}x'}) DETACH DELETE n //` }, QueryError],
    ])('refuses %s', async (_label, name, params, kind) => {
      await store.loadPolicy(await readTurtle(MINI));
      await expect(store.namedQuery(name, params)).rejects.toBeInstanceOf(kind);
      expect(await store.listPolicies()).toHaveLength(1);
    });
  });
}
