/**
 * `studio generate --changed`: generate on one version, load the next, regenerate only what changed, and
 * compare with a full generation of the next version in a data folder of its own. "The same as a full run"
 * once the graph is patched (only what was rendered again is written): every item's content triples equal
 * the full run's, triple for triple; an item rendered again names the full run's activity, a kept item the
 * earlier version's activity of its template that made it; every activity of the new version equals the full
 * run's, and is prov:wasInformedBy the earlier activities of its template whose items it kept; no activity or
 * template is left that no item names; and the datasets are the same, byte for byte. The count rendered
 * again follows the change.
 * On the gifts code edited three ways (a rule reworded, a narrower term added, an action relabelled) and on
 * the two editions of the Telemarketing Sales Rule. Conflicts are detected on each version, as a user would.
 */

import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import path from 'node:path';
import N3 from 'n3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { loadPolicies } from '../../src/cli/commands/load.js';
import { detectConflicts } from '../../src/conflicts/detect.js';
import { writeConflicts } from '../../src/conflicts/conflict-graph.js';
import { runGeneration, formatGeneration, type GenerateCommandOptions, type GenerateSummary } from '../../src/cli/commands/generate.js';
import { generatedGraphIri } from '../../src/framers/item.js';
import { readCoverage } from '../../src/framers/coverage.js';
import { GENERATION_RECORD } from '../../src/framers/exports/generation-record.js';
import { policyDatasetFolder } from '../../src/framers/exports/write-exports.js';
import { planSelective } from '../../src/framers/selective.js';
import { readPolicyContext } from '../../src/framers/policy-context.js';
import { ContextReads, PROVISION_QUERIES, type RecordedProvisionRows } from '../../src/framers/recorded-provisions.js';
import { Framer, KeptBlock } from '../../src/framers/generate.js';
import type { Item } from '../../src/framers/item.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { InvalidOptionError } from '../../src/errors.js';
import { Neo4jStore } from '../../src/store/neo4j-store.js';
import { NEO4J, neo4jAvailable, wipeNeo4j } from '../helpers/neo4j.js';
import { OpenAiTestServer } from '../helpers/openai-server.js';
import { paraphraser, polite } from '../helpers/paraphrases.js';
import { LlmClient } from '../../src/llm/client.js';
import { LLM_DEFAULTS } from '../../src/llm/llm-config.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'studio-generate-changed-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Loads as `studio load` does (the version's facts kept with it: see version-facts.ts), and detects the conflicts. */
async function loadAndDetect(store: EmbeddedStore | Neo4jStore, file: string): Promise<string> {
  const [loaded] = await loadPolicies(store, [file], { validate: false });
  await writeConflicts(store, await detectConflicts(store, { policy: loaded!.policy }));
  return loaded!.policy;
}

const STUDIO = 'https://w3id.org/alignment-studio/ns#';
const PROV = 'http://www.w3.org/ns/prov#';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';

/** The generated graph's triples. */
async function generatedQuads(store: EmbeddedStore, policy: string): Promise<N3.Quad[]> {
  const answer = await store.query(`CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <${generatedGraphIri(policy)}> { ?s ?p ?o } }`);
  if (answer.kind !== 'quads') throw new Error('expected quads');
  return answer.quads as N3.Quad[];
}

const line = (q: N3.Quad) => new N3.Writer({ format: 'N-Triples' }).quadToString(q.subject, q.predicate, q.object);

/** The generated graph as sorted N-Triples lines. */
async function generatedGraph(store: EmbeddedStore, policy: string): Promise<string[]> {
  return (await generatedQuads(store, policy)).map(line).sort();
}

/** A graph read for the provenance checks: the activities, what each item names, each activity's template and version, and the content triples. */
function provenance(quads: readonly N3.Quad[]) {
  const activities = new Set(quads.filter((q) => q.predicate.value === RDF_TYPE && q.object.value === `${STUDIO}GenerationActivity`).map((q) => q.subject.value));
  const madeBy = new Map<string, string[]>();
  const template = new Map<string, string>();
  const version = new Map<string, string>();
  const informedBy: [string, string][] = [];
  const activityLines = new Map<string, string[]>();
  const content: string[] = [];
  for (const q of quads) {
    const [s, p, o] = [q.subject.value, q.predicate.value, q.object.value];
    if (p === `${PROV}wasGeneratedBy`) madeBy.set(s, [...(madeBy.get(s) ?? []), o]);
    else if (activities.has(s)) {
      if (p === `${STUDIO}template`) template.set(s, o);
      if (p === `${STUDIO}policySha256`) version.set(s, o);
      if (p === `${PROV}wasInformedBy`) informedBy.push([s, o]);
      else activityLines.set(s, [...(activityLines.get(s) ?? []), line(q)].sort());
    } else content.push(line(q));
  }
  return { activities, madeBy, template, version, informedBy, activityLines, content: content.sort() };
}

/**
 * Checks the patched graph against the full run's, as the header says; returns how many items name an activity of an earlier version.
 * `from`: the earlier versions (the one the patched graph came from, and before it, when it too was patched).
 */
function expectSameAsFull(patched: readonly N3.Quad[], full: readonly N3.Quad[], from: readonly string[], to: string): number {
  const [a, b] = [provenance(patched), provenance(full)];
  expect(a.content).toEqual(b.content);
  expect([...a.madeBy.keys()].sort()).toEqual([...b.madeBy.keys()].sort());
  let earlier = 0;
  for (const [item, [activity, ...more]] of a.madeBy) {
    expect(more, item).toEqual([]);
    const fullActivity = b.madeBy.get(item)![0]!;
    if (activity === fullActivity) continue;
    earlier++;
    expect(from, item).toContain(a.version.get(activity!));
    expect(a.template.get(activity!), item).toBe(b.template.get(fullActivity));
  }
  for (const activity of a.activities) {
    expect([...a.madeBy.values()].some((named) => named.includes(activity)), `${activity} is named by an item`).toBe(true);
    if (a.version.get(activity) === to) expect(a.activityLines.get(activity)).toEqual(b.activityLines.get(activity));
  }
  for (const [activity, before] of a.informedBy) {
    // (An activity of a version in between, kept for its items, keeps the link it was written with.)
    expect([to, ...from]).toContain(a.version.get(activity));
    expect(from).toContain(a.version.get(before));
    expect(a.version.get(before)).not.toBe(a.version.get(activity));
    expect(a.template.get(activity)).toBe(a.template.get(before));
  }
  return earlier;
}

/** Every dataset file under a folder, by relative path, with its bytes as text (not the generation record, which names the graph of its own run). */
async function files(folder: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name === GENERATION_RECORD) continue;
    const full = path.join(entry.parentPath, entry.name);
    out.set(path.relative(folder, full), await readFile(full, 'utf8'));
  }
  return out;
}

/** The dataset files of two folders are the same, byte for byte. */
async function expectSameDatasets(a: string, b: string): Promise<void> {
  const [outA, outB] = [await files(a), await files(b)];
  expect([...outA.keys()].sort()).toEqual([...outB.keys()].sort());
  for (const [file, text] of outB) expect(outA.get(file), file).toBe(text);
}

/**
 * The dataset folder's generation record names the generated graph the store holds now, and keeps the rows of the
 * context's provision queries a whole read of the loaded version gives (a --changed run's, merged from the earlier
 * record's and those it read again, included).
 */
async function expectRecord(out: string, store: EmbeddedStore | Neo4jStore, policy: string): Promise<void> {
  const [folder] = await readdir(out);
  const record = JSON.parse(await readFile(path.join(out, folder!, GENERATION_RECORD), 'utf8')) as { graph: object; generated: { provisions: RecordedProvisionRows } };
  const { graph, triples, writtenAt } = (await store.listDerivedGraphs(policy)).find((g) => g.graph === generatedGraphIri(policy))!;
  expect(record.graph).toMatchObject({ graph, triples, writtenAt });
  // Read aside, as --changed reads: a parse of the policy labels its blank nodes afresh, and the rows of a provision with
  // one (always read again) carry the labels of the store's worker, which answers here too.
  const whole = (await ContextReads.begin(store, policy, { aside: true }).read()).provisionRows;
  const rows = (list: readonly (readonly unknown[])[]) => list.map((row) => JSON.stringify(row)).sort();
  for (const query of Object.keys(PROVISION_QUERIES) as (keyof typeof PROVISION_QUERIES)[]) expect(rows(record.generated.provisions[query]), query).toEqual(rows(whole[query]));
}

interface Outcome {
  readonly changed: GenerateSummary;
  readonly full: GenerateSummary;
}

interface CompareOptions {
  /** The first run's paraphrases. */
  readonly augment?: GenerateCommandOptions['augment'];
  /** The template folder of the runs on v2 (the first run's is the default). */
  readonly templates?: string;
  /** Called between the first run and the --changed one, with the first run's dataset folder. */
  readonly between?: (out: string) => Promise<void>;
  /** A version between v1 and v2, regenerated with --changed on the way (so that the last run reads a --changed run's record). */
  readonly via?: string;
}

/** Generates on v1 (with augmentation, if given), loads v2 and regenerates with --changed (data folder a), against a full run on v2 (data folder b). */
async function compare(name: string, v1: string, v2: string, options: CompareOptions = {}): Promise<Outcome> {
  const [a, b] = [path.join(dir, `${name}-a`), path.join(dir, `${name}-b`)];
  const storeA = await EmbeddedStore.open({ dataDir: a });
  const storeB = await EmbeddedStore.open({ dataDir: b });
  const templates = options.templates ? { templates: options.templates } : {};
  const earlierVersions: string[] = [];
  try {
    const policy = await loadAndDetect(storeA, v1);
    await runGeneration(storeA, { seed: 1, out: `${a}-out`, ...(options.augment ? { augment: options.augment } : {}) });
    await options.between?.(`${a}-out`);
    if (options.via) {
      await loadAndDetect(storeA, options.via);
      const [viaRun] = await runGeneration(storeA, { seed: 1, out: `${a}-out`, changed: true, ...templates });
      earlierVersions.push(viaRun!.changed!.from);
    }
    await loadAndDetect(storeA, v2);
    const [changed] = await runGeneration(storeA, { seed: 1, out: `${a}-out`, changed: true, ...templates });
    await loadAndDetect(storeB, v2);
    const [full] = await runGeneration(storeB, { seed: 1, out: `${b}-out`, ...templates });
    const [graphA, graphB] = [await generatedQuads(storeA, policy), await generatedQuads(storeB, policy)];
    expect(graphA.length).toBe(changed!.triples);
    expect(graphB.length).toBe(full!.triples);
    const c = changed!.changed!;
    expect(expectSameAsFull(graphA, graphB, [c.from, ...earlierVersions], c.to)).toBe(c.kept);
    await expectSameDatasets(`${a}-out`, `${b}-out`);
    // The counts printed too (a spliced item's preference pair counted without reading its rejected answer).
    expect({ items: changed!.items, byFamily: changed!.byFamily, preferencePairs: changed!.preferencePairs }).toEqual({ items: full!.items, byFamily: full!.byFamily, preferencePairs: full!.preferencePairs });
    // The coverage each run printed, counted from its own items with the generated graph left out, is the queries' on the whole graph.
    expect(changed!.coverage).toEqual(await readCoverage(storeA, policy));
    expect(full!.coverage).toEqual(await readCoverage(storeB, policy));
    // The earlier run wrote its datasets here, with the record that they are the graph's: the kept texts came from them
    // (unless everything was rendered again).
    expect(c.keptTextsFrom).toBe(c.everything ? undefined : 'datasets');
    // And so were their lines, copied as bytes: every kept item's.
    expect(changed!.exports!.copied).toBe(c.kept);
    await expectRecord(`${a}-out`, storeA, policy);
    return { changed: changed!, full: full! };
  } finally {
    await storeA.close();
    await storeB.close();
  }
}

function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`edit: ${from} not found`);
  return text.replace(from, to);
}

/** Every field of an item (a spliced one's texts are its prototype's getters, which toEqual would not see). */
const ITEM_FIELDS = ['iri', 'type', 'family', 'template', 'activity', 'label', 'attack', 'boundary', 'messages', 'reference', 'rejected', 'expectations', 'behaviours', 'derivedFrom', 'decidedBy', 'conflict', 'follows', 'terms', 'sections', 'policy', 'seed'] as const satisfies readonly (keyof Item)[];

/** A data folder `name` with the gifts code loaded and generated, its datasets in `<name>-out`, for `work`; the store closed after. */
async function withGiftsGenerated(name: string, work: (store: EmbeddedStore, policy: string, out: string) => Promise<void>): Promise<void> {
  const store = await EmbeddedStore.open({ dataDir: path.join(dir, name) });
  const out = path.join(dir, `${name}-out`);
  try {
    const policy = await loadAndDetect(store, 'policies/gifts-code.ttl');
    await runGeneration(store, { seed: 1, out });
    await work(store, policy, out);
  } finally {
    await store.close();
  }
}

describe('studio generate --changed', () => {
  it('on the gifts code, a reworded rule, a narrower term and a relabelled action: the same graph and datasets as a full run, a few items rendered again', async () => {
    let text = await readFile('policies/gifts-code.ttl', 'utf8');
    text = edit(text, 'must not let a prohibited source give a gift', 'must not allow a prohibited source to give a gift');
    text = edit(text, 'gov:Ministry a studio:Agency ; rdfs:label "ministry" ; studio:broader gov:Agency .', 'gov:Ministry a studio:Agency ; rdfs:label "ministry" ; studio:broader gov:Agency .\ngov:Bureau a studio:Agency ; rdfs:label "bureau" ; studio:broader gov:Agency .');
    text = edit(text, 'gov:solicitGift a studio:Action ; rdfs:label "solicit a gift" .', 'gov:solicitGift a studio:Action ; rdfs:label "ask for a gift" .');
    const v2 = path.join(dir, 'gifts-code-v2.ttl');
    await writeFile(v2, text);
    const { changed, full } = await compare('gifts', 'policies/gifts-code.ttl', v2);
    const c = changed.changed!;
    expect(changed.items).toBe(full.items);
    expect(c.everything).toBeUndefined();
    expect(c.from).not.toBe(c.to);
    expect(c.regenerated).toBeGreaterThan(0);
    expect(c.kept).toBeGreaterThan(0);
    expect(c.regenerated + c.kept).toBe(full.items);
    // Three edits of a 40-rule policy whose rules refer to each other closely: still, many items keep their texts.
    expect(c.kept).toBeGreaterThan(full.items / 3);
    expect(formatGeneration([changed])).toContain(`regenerated ${c.regenerated} items of ${c.rules} rules; kept ${c.kept} items`);
  }, 120_000);

  describe("the framer's splice: a rule's own items taken from the earlier run unless something else they depend on changed", () => {
    const gifts = () => readFile('policies/gifts-code.ttl', 'utf8');
    const reworded = (text: string) => edit(text, 'must not let a prohibited source give a gift', 'must not allow a prohibited source to give a gift');
    const version = async (name: string, text: string) => {
      const file = path.join(dir, `splice-${name}.ttl`);
      await writeFile(file, text);
      return file;
    };

    it('a reworded rule: the items of every rule it does not affect are spliced, the rest built, and the bytes are a full run\'s', async () => {
      const { changed, full } = await compare('splice-reworded', 'policies/gifts-code.ttl', await version('reworded', reworded(await gifts())));
      const c = changed.changed!;
      expect(c.framer).toBe('splice');
      expect(c.passBecause).toBeUndefined();
      expect(c.splicedRules).toBeGreaterThan(0);
      expect(c.rules).toBeGreaterThan(0);
      expect(c.regenerated + c.kept).toBe(full.items);
      expect(formatGeneration([changed])).toContain(`the items of ${c.splicedRules} unaffected rules taken from the earlier run`);
      // The context's provisions: only the rules affected read from the store, the others' rows taken from the earlier record.
      expect(c.provisionsRead).toBe(c.rules);
      expect(formatGeneration([changed])).toContain(`the context's provisions read from the store: ${c.rules};`);
    }, 120_000);

    it('a second reworded rule after the first: the splice reads a spliced run\'s record, and the bytes are still a full run\'s', async () => {
      const first = reworded(await gifts());
      const second = edit(first, 'must not accept a gift from a prohibited source.', 'shall not accept a gift from a prohibited source.');
      const { changed } = await compare('splice-twice', 'policies/gifts-code.ttl', await version('twice', second), { via: await version('once', first) });
      expect(changed.changed!.framer).toBe('splice');
      expect(changed.changed!.regenerated).toBeGreaterThan(0);
    }, 120_000);

    it('a spliced item is the item the framer builds, field for field (its expectations too, which only a file rendered again would show)', async () => {
      await withGiftsGenerated('splice-items', async (store, policy, out) => {
        await loadAndDetect(store, await version('items', reworded(await gifts())));
        const library = await TemplateLibrary.load();
        const folder = policyDatasetFolder(out, (await store.listPolicies()).find((p) => p.policy === policy)!);
        const plan = await planSelective(store, policy, library, { datasets: folder, seed: 1 });
        const context = await readPolicyContext(store, policy);
        const spliced = new Framer(context, library, { seed: 1, splice: plan.splice! });
        const items = [...spliced.generate()];
        expect(spliced.spliceOutcome()!.differs).toEqual([]);
        expect(spliced.spliceOutcome()!.rules).toBeGreaterThan(0);
        // Field by field: a spliced item reads its texts when asked, through its prototype's getters.
        const fields = (item: Item) => ({
          ...Object.fromEntries(ITEM_FIELDS.map((k) => [k, item[k]])),
          template: item.template.id,
        });
        const built = [...new Framer(context, library, { seed: 1 }).generate()];
        expect(items.filter((item) => !Object.prototype.hasOwnProperty.call(item, 'messages')).length).toBeGreaterThan(built.length / 2);
        expect(items.map(fields)).toEqual(built.map(fields));
        await plan.datasets?.close();
      });
    }, 60_000);

    it('plans from the facts each version was loaded with as from the versions parsed: a reworded rule, a renamed condition, a relabelled role', async () => {
      await withGiftsGenerated('splice-facts', async (store, policy, out) => {
        const library = await TemplateLibrary.load();
        const folder = policyDatasetFolder(out, (await store.listPolicies()).find((p) => p.policy === policy)!);
        // The same store but for the facts it keeps: none, so both versions are parsed.
        const parsing = new Proxy(store, { get: (target, key) => (key === 'readVersionFacts' ? async () => undefined : Reflect.get(target, key, target)) });
        const edits = {
          reworded: reworded(await gifts()),
          condition: reworded(await gifts()).replaceAll('gov:cond-award', 'gov:cond-public-service-award'),
          role: edit(await gifts(), 'rdfs:label "official superior"', 'rdfs:label "superior official"'),
        };
        for (const [name, text] of Object.entries(edits)) {
          await loadAndDetect(store, await version(`facts-${name}`, text));
          const plan = async (from: typeof store) => {
            const p = await planSelective(from, policy, library, { datasets: folder, seed: 1 });
            await p.datasets?.close();
            return { parsed: p.parsed, affected: [...p.affected].sort(), everything: p.everything, reread: p.context && [...p.context.reread].sort() };
          };
          const [kept, parsed] = [await plan(store), await plan(parsing)];
          expect(kept.parsed, name).toEqual([]);
          expect(parsed.parsed, name).toHaveLength(2);
          expect({ ...kept, parsed: [] }, name).toEqual({ ...parsed, parsed: [] });
          expect(kept.affected.length + (kept.everything ? 1 : 0), name).toBeGreaterThan(0);
        }
        // The last edit, a relabelled role, renders everything again (so the comparison above covered that path too).
        expect((await planSelective(store, policy, library, { seed: 1 })).everything).toBe('the labels of the roles changed');
      });
    }, 120_000);

    it('asks the store about the provisions to read again once, begun as soon as the plan knows them', async () => {
      await withGiftsGenerated('splice-begun', async (store, _policy, out) => {
        await loadAndDetect(store, await version('begun', reworded(await gifts())));
        const asked: string[] = [];
        const counting = new Proxy(store, {
          get: (target, key) =>
            key === 'namedQuery'
              ? (name: string, ...rest: unknown[]) => (asked.push(name), (target.namedQuery as (...args: unknown[]) => unknown).call(target, name, ...rest))
              : Reflect.get(target, key, target),
        });
        const [run] = await runGeneration(counting, { seed: 1, out, changed: true });
        expect(run!.changed!.provisionsRead).toBeGreaterThan(0);
        expect(asked.filter((name) => name.endsWith('-of')).sort()).toEqual(Object.keys(PROVISION_QUERIES).map((q) => `${q}-of`).sort());
      });
    }, 60_000);

    it("a spliced item's line that does not read as the datasets write it, in files the record vouches for, is an error naming the file", async () => {
      await withGiftsGenerated('splice-unreadable', async (store, _policy, out) => {
        const [folder] = await readdir(out);
        const [evalFile, recordFile] = [path.join(out, folder!, 'eval.jsonl'), path.join(out, folder!, GENERATION_RECORD)];
        // The first instruction's turns broken, and the record made to vouch for the file as it is now, and to keep no
        // InstructLab files (so that every instruction's texts are asked, for the taxonomy).
        const lines = (await readFile(evalFile, 'utf8')).split('\n');
        const at = lines.findIndex((l) => l.includes('"type":"Instruction"'));
        lines[at] = lines[at]!.replace('"messages":[', '"messages":[[');
        await writeFile(evalFile, lines.join('\n'));
        const record = JSON.parse(await readFile(recordFile, 'utf8')) as { files: Record<string, string>; taxonomy?: unknown };
        record.files['eval.jsonl'] = createHash('sha256').update(lines.join('\n')).digest('hex');
        delete record.taxonomy;
        await writeFile(recordFile, JSON.stringify(record));
        await expect(runGeneration(store, { seed: 1, out, changed: true })).rejects.toThrow(/eval\.jsonl: the line of https:\/\/\S+ does not read as the datasets write it/);
      });
    }, 60_000);

    it('a relabelled term as well: every item built (the terms differ), the same bytes', async () => {
      const text = edit(reworded(await gifts()), 'gov:solicitGift a studio:Action ; rdfs:label "solicit a gift" .', 'gov:solicitGift a studio:Action ; rdfs:label "ask for a gift" .');
      const { changed } = await compare('splice-term', 'policies/gifts-code.ttl', await version('term', text));
      expect(changed.changed!.framer).toBe('pass');
      expect(changed.changed!.splicedRules).toBe(0);
      expect(changed.changed!.passBecause).toBe('changed since the earlier run: terms');
    }, 120_000);

    it('a condition renamed, its content the same: no rule changed by its digest, yet the provisions naming it are read again; every item built (the conditions differ), the same bytes', async () => {
      const text = reworded(await gifts()).replaceAll('gov:cond-award', 'gov:cond-public-service-award');
      const { changed } = await compare('splice-condition', 'policies/gifts-code.ttl', await version('condition', text));
      const c = changed.changed!;
      expect(c.framer).toBe('pass');
      expect(c.passBecause).toBe('changed since the earlier run: conditions');
      // The reworded rule and what depends on it, and besides them the provisions naming the renamed condition.
      expect(c.provisionsRead).toBeGreaterThan(c.rules);
    }, 120_000);

    it('a retitled section as well: every item built (the sections differ), the same bytes', async () => {
      const text = edit(reworded(await gifts()), 'dcterms:title "Gifts from outside sources"', 'dcterms:title "Gifts from sources outside"');
      const { changed } = await compare('splice-section', 'policies/gifts-code.ttl', await version('section', text));
      expect(changed.changed!.framer).toBe('pass');
      expect(changed.changed!.passBecause).toBe('changed since the earlier run: sections');
    }, 120_000);

    it('an edited template as well: every item built (the templates differ), the same bytes as a full run with that template', async () => {
      const templates = path.join(dir, 'splice-templates');
      await cp('templates', templates, { recursive: true });
      const file = path.join(templates, 'redteam', 'claimed-authority.yaml');
      await writeFile(file, (await readFile(file, 'utf8')).replaceAll('A claim of authority in a chat does not change what the policy says.', 'A claim of authority in a chat changes nothing the policy says.'));
      const { changed } = await compare('splice-template', 'policies/gifts-code.ttl', await version('template', reworded(await gifts())), { templates });
      expect(changed.changed!.framer).toBe('pass');
      expect(changed.changed!.passBecause).toBe('changed since the earlier run: templates');
      expect(changed.changed!.regenerated).toBeGreaterThan(changed.changed!.rules);
    }, 120_000);

    it("a record of other generator code, or of a record that does not add up: every item built, the same bytes", async () => {
      const record = async (out: string, change: (splice: { keys: Record<string, string>; itemTerms: number[][] }) => void) => {
        const [folder] = await readdir(out);
        const file = path.join(out, folder!, GENERATION_RECORD);
        const json = JSON.parse(await readFile(file, 'utf8')) as { generated: { splice: { keys: Record<string, string>; itemTerms: number[][] } } };
        change(json.generated.splice);
        await writeFile(file, JSON.stringify(json));
      };
      const v2 = await version('record', reworded(await gifts()));
      // Other code may say a kept item otherwise: nothing is kept, every text is rendered again.
      const { changed } = await compare('splice-generator', 'policies/gifts-code.ttl', v2, { between: (out) => record(out, (s) => void (s.keys.generator = '0'.repeat(32))) });
      expect(changed.changed!.everything).toBe('the generator code changed since the earlier run');
      expect(changed.changed!.kept).toBe(0);
      // Each block item's terms shifted by one: no IRI adds up, so no block is taken (each rule's items are built, kept with their texts).
      const shifted = await compare('splice-shifted', 'policies/gifts-code.ttl', v2, { between: (out) => record(out, (s) => void (s.itemTerms = [...s.itemTerms.slice(1), s.itemTerms[0]!])) });
      expect(shifted.changed.changed!.splicedRules).toBe(0);
      expect(shifted.changed.changed!.framer).toBe('pass');
      expect(shifted.changed.changed!.kept).toBeGreaterThan(0);
      expect(shifted.changed.changed!.kept + shifted.changed.changed!.regenerated).toBe(changed.changed!.regenerated);
    }, 120_000);
  });

  it('on the 2023 and 2024 editions of the Telemarketing Sales Rule: the same graph and datasets as a full run of 2024', async () => {
    const { changed, full } = await compare('tsr', 'examples/evolution/telemarketing-sales-rule-2023.ttl', 'examples/evolution/telemarketing-sales-rule-2024.ttl');
    expect(changed.items).toBe(full.items);
    expect(changed.changed!.regenerated + changed.changed!.kept).toBe(full.items);
    expect(changed.changed!.kept).toBeGreaterThan(0);
  }, 120_000);

  it('after a run with paraphrases: they go, with their activities and prompts, as a full run of the new version has none', async () => {
    const server = await OpenAiTestServer.start({ script: paraphraser(polite) });
    try {
      const client = new LlmClient({ ...LLM_DEFAULTS, baseUrl: server.baseUrl, model: 'studio-test-model', parameters: { max_tokens: 900 }, timeoutMs: 5000, maxRetries: 2 });
      const v2 = path.join(dir, 'tsr-2024-after-augment.ttl');
      await writeFile(v2, await readFile('examples/evolution/telemarketing-sales-rule-2024.ttl', 'utf8'));
      const store = await EmbeddedStore.open({ dataDir: path.join(dir, 'augmented-probe') });
      try {
        // The paraphrases are really there before: the test below would pass without them.
        await loadAndDetect(store, 'examples/evolution/telemarketing-sales-rule-2023.ttl');
        const [augmented] = await runGeneration(store, { seed: 1, augment: { client, paraphrases: 1, families: ['scenario-noncompliant'] } });
        expect(augmented!.augmentation!.kept).toBeGreaterThan(0);
      } finally {
        await store.close();
      }
      const { changed, full } = await compare('augmented', 'examples/evolution/telemarketing-sales-rule-2023.ttl', v2, { augment: { client, paraphrases: 1, families: ['scenario-noncompliant'] } });
      expect(changed.items).toBe(full.items);
      expect(changed.changed!.kept).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  }, 120_000);

  it('refuses a policy never generated, naming the command to run first, and changes nothing', async () => {
    const store = await EmbeddedStore.open({ dataDir: path.join(dir, 'never') });
    try {
      const policy = await loadAndDetect(store, 'policies/gifts-code.ttl');
      await expect(runGeneration(store, { seed: 1, changed: true })).rejects.toThrow(InvalidOptionError);
      await expect(runGeneration(store, { seed: 1, changed: true })).rejects.toThrow(/has no generated data to update; run `studio generate` first/);
      expect((await store.listDerivedGraphs(policy)).filter((g) => g.kind === 'generated')).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('with the version unchanged, renders nothing again but conflict items', async () => {
    const store = await EmbeddedStore.open({ dataDir: path.join(dir, 'same') });
    try {
      const policy = await loadAndDetect(store, 'policies/gifts-code.ttl');
      const [first] = await runGeneration(store, { seed: 1 });
      const before = await generatedGraph(store, policy);
      const [again] = await runGeneration(store, { seed: 1, changed: true });
      expect(again!.changed!.from).toBe(again!.changed!.to);
      expect(again!.changed!.rules).toBe(0);
      const conflictItems = (first!.byFamily.conflict ?? 0) + (first!.byFamily['chain-of-command'] ?? 0);
      expect(again!.changed!.regenerated).toBe(conflictItems);
      expect(again!.changed!.kept).toBe(first!.items - conflictItems);
      expect(await generatedGraph(store, policy)).toEqual(before);
    } finally {
      await store.close();
    }
  }, 60_000);

  it("copies a rule's block kept whole as one run of each file's bytes, its items not made; a block whose tests the suite holds out of order has them copied one by one, in order", async () => {
    await withGiftsGenerated('blocks', async (store, _policy, out) => {
      const [folder] = await readdir(out);
      const suiteFile = path.join(out, folder!, 'promptfooconfig.yaml');
      const suite = await readFile(suiteFile, 'utf8');
      const files = async () => Promise.all(['chat.jsonl', 'preference.jsonl', 'eval.jsonl'].map((f) => readFile(path.join(out, folder!, f), 'utf8')));
      const before = await files();
      const [head = '', ...tests] = suite.split(/^(?=- description: )/m);
      // The first rule's tests, its block's: the first rule's items come first.
      const ruleOf = (test: string) => /^ {4}rules:\n {6}- (.*)$/m.exec(test)![1];
      const block = tests.findIndex((t) => ruleOf(t) !== ruleOf(tests[0]!));
      expect(block).toBeGreaterThan(1);
      const made = vi.spyOn(KeptBlock.prototype, 'items');
      try {
        // A mark in the block's first test stays: the block's tests were copied, not rendered (the version is unchanged, so every rule's block is spliced).
        await writeFile(suiteFile, head + tests[0]!.replace('\n', ' COPIED\n') + tests.slice(1).join(''));
        const [again] = await runGeneration(store, { seed: 1, out, changed: true });
        expect(again!.changed!.framer).toBe('splice');
        expect(again!.changed!.splicedRules).toBeGreaterThan(0);
        expect(await readFile(suiteFile, 'utf8')).toBe(head + tests[0]!.replace('\n', ' COPIED\n') + tests.slice(1).join(''));
        expect(await files()).toEqual(before);
        expect(made).not.toHaveBeenCalled();
        // The block's first two tests swapped: not one run in the suite, so its items are made and each test copied in the run's order.
        await writeFile(suiteFile, head + tests[1]! + tests[0]! + tests.slice(2).join(''));
        await runGeneration(store, { seed: 1, out, changed: true });
        expect(await readFile(suiteFile, 'utf8')).toBe(suite);
        expect(await files()).toEqual(before);
        expect(made).toHaveBeenCalledTimes(1);
      } finally {
        made.mockRestore();
      }
    });
  }, 60_000);

  it("copies the earlier promptfoo suite's test of an item whose eval record is unchanged, and renders one whose record changed", async () => {
    const store = await EmbeddedStore.open({ dataDir: path.join(dir, 'suite') });
    const out = path.join(dir, 'suite-out');
    try {
      await loadAndDetect(store, 'policies/gifts-code.ttl');
      await runGeneration(store, { seed: 1, out });
      const [folder] = await readdir(out);
      const [evalFile, suiteFile] = [path.join(out, folder!, 'eval.jsonl'), path.join(out, folder!, 'promptfooconfig.yaml')];
      const suite = await readFile(suiteFile, 'utf8');
      const evals = (await readFile(evalFile, 'utf8')).split('\n');
      // Two tests marked: the first item's alone (its record unchanged, so the mark is copied: proof the test was not rendered),
      // the second's with its eval record too (so it is rendered again, and the mark goes).
      const descriptions = [...suite.matchAll(/^- description: (.*)$/gm)].map((m) => m[1]!);
      const marked = suite.replace(`- description: ${descriptions[0]}\n`, `- description: ${descriptions[0]} COPIED\n`).replace(`- description: ${descriptions[1]}\n`, `- description: ${descriptions[1]} RENDERED\n`);
      await writeFile(suiteFile, marked);
      await writeFile(evalFile, [evals[0], evals[1]!.replace('"reference":"', '"reference":"edited '), ...evals.slice(2)].join('\n'));
      await runGeneration(store, { seed: 1, out, changed: true });
      const again = await readFile(suiteFile, 'utf8');
      expect(again).toContain(`- description: ${descriptions[0]} COPIED\n`);
      expect(again).not.toContain('RENDERED');
      expect(again.replace(' COPIED', '')).toBe(suite);
      expect(await readFile(evalFile, 'utf8')).toBe(evals.join('\n'));
    } finally {
      await store.close();
    }
  }, 60_000);

  it("leaves an InstructLab qna.yaml as it is when its section's examples are the earlier run's, and writes one whose section changed or whose file was edited", async () => {
    const v2 = path.join(dir, 'gifts-code-taxonomy-v2.ttl');
    await writeFile(v2, edit(await readFile('policies/gifts-code.ttl', 'utf8'), 'must not let a prohibited source give a gift', 'must not allow a prohibited source to give a gift'));
    const store = await EmbeddedStore.open({ dataDir: path.join(dir, 'taxonomy-a') });
    const fullStore = await EmbeddedStore.open({ dataDir: path.join(dir, 'taxonomy-b') });
    const [out, fullOut] = [path.join(dir, 'taxonomy-a-out'), path.join(dir, 'taxonomy-b-out')];
    try {
      await loadAndDetect(store, 'policies/gifts-code.ttl');
      await runGeneration(store, { seed: 1, out });
      const [folder] = await readdir(out);
      const root = path.join(out, folder!, 'instructlab');
      const recordFile = path.join(out, folder!, GENERATION_RECORD);
      const record = JSON.parse(await readFile(recordFile, 'utf8')) as { taxonomy: Record<string, { sha256: string }> };
      const names = Object.keys(record.taxonomy).sort();
      expect(names.length).toBeGreaterThanOrEqual(5);
      const v1 = new Map<string, string>();
      // Every file marked, the record made to vouch for the marks (so a file left as it is keeps its mark), but one's.
      const edited = names[0]!;
      for (const name of names) {
        const text = await readFile(path.join(root, name), 'utf8');
        v1.set(name, text);
        await writeFile(path.join(root, name), `${text}# LEFT\n`);
        if (name !== edited) record.taxonomy[name]!.sha256 = createHash('sha256').update(`${text}# LEFT\n`).digest('hex');
      }
      await writeFile(recordFile, JSON.stringify(record));
      await loadAndDetect(store, v2);
      await runGeneration(store, { seed: 1, out, changed: true });
      await loadAndDetect(fullStore, v2);
      await runGeneration(fullStore, { seed: 1, out: fullOut });
      const fullRoot = path.join(fullOut, folder!, 'instructlab');
      let [left, changed] = [0, 0];
      for (const name of names) {
        const [after, full] = [await readFile(path.join(root, name), 'utf8'), await readFile(path.join(fullRoot, name), 'utf8')];
        if (full !== v1.get(name)) changed++;
        if (name === edited || full !== v1.get(name)) expect(after, name).toBe(full);
        else if (after !== full) {
          expect(after, name).toBe(`${full}# LEFT\n`);
          left++;
        }
      }
      // The section of the reworded rule was written again (its mark gone, a full run's bytes); others were left (the
      // code's rules refer to each other closely, so a change affects rules of several sections).
      expect(changed).toBeGreaterThan(0);
      expect(left).toBeGreaterThan(0);
    } finally {
      await store.close();
      await fullStore.close();
    }
  }, 60_000);

  it("takes the kept texts from the earlier datasets only while they are the graph's: an edited or missing file, or a graph written since without them, and they come from the graph", async () => {
    const v2 = path.join(dir, 'gifts-code-fallback-v2.ttl');
    await writeFile(v2, edit(await readFile('policies/gifts-code.ttl', 'utf8'), 'must not let a prohibited source give a gift', 'must not allow a prohibited source to give a gift'));
    const store = await EmbeddedStore.open({ dataDir: path.join(dir, 'fallback-a') });
    const fullStore = await EmbeddedStore.open({ dataDir: path.join(dir, 'fallback-b') });
    const [out, fullOut] = [path.join(dir, 'fallback-a-out'), path.join(dir, 'fallback-b-out')];
    try {
      const policy = await loadAndDetect(store, 'policies/gifts-code.ttl');
      await runGeneration(store, { seed: 1, out });
      await loadAndDetect(store, v2);
      await loadAndDetect(fullStore, v2);
      await runGeneration(fullStore, { seed: 1, out: fullOut });
      const [folder] = await readdir(out);
      const file = (name: string) => path.join(out, folder!, name);
      const kept: number[] = [];
      const changed = async (expected: 'datasets' | 'graph') => {
        const [summary] = await runGeneration(store, { seed: 1, out, changed: true });
        expect(summary!.changed!.keptTextsFrom).toBe(expected);
        expect(summary!.changed!.kept).toBeGreaterThan(0);
        kept.push(summary!.changed!.kept);
        expect(provenance(await generatedQuads(store, policy)).content).toEqual(provenance(await generatedQuads(fullStore, policy)).content);
        await expectSameDatasets(out, fullOut);
        await expectRecord(out, store, policy);
      };
      // Every reference answer of eval.jsonl edited by hand: taken from there, they would reach the new datasets.
      await writeFile(file('eval.jsonl'), (await readFile(file('eval.jsonl'), 'utf8')).replaceAll('"reference":"', '"reference":"edited '));
      await changed('graph');
      // Every rejected answer of preference.jsonl edited.
      await writeFile(file('preference.jsonl'), (await readFile(file('preference.jsonl'), 'utf8')).replaceAll('"rejected":[{"role":"assistant","content":"', '"rejected":[{"role":"assistant","content":"edited '));
      await changed('graph');
      // preference.jsonl missing: eval.jsonl alone has no rejected answers.
      await rm(file('preference.jsonl'));
      await changed('graph');
      // Untouched, the datasets the last run wrote are taken.
      await changed('datasets');
      // The graph written again since (without datasets): the record names a version the store no longer holds.
      await runGeneration(store, { seed: 1 });
      await changed('graph');
      await changed('datasets');
      // After the first, every run is of the same version: texts read from either place, the same items are kept (none rendered for want of texts).
      expect(new Set(kept.slice(1)).size).toBe(1);
    } finally {
      await store.close();
      await fullStore.close();
    }
  }, 120_000);

  it('on Neo4j: the same patch as the embedded store (its triples and what the query twins read), and the datasets of a full run', async (ctx) => {
    if (!(await neo4jAvailable())) return ctx.skip();
    await wipeNeo4j();
    const [v1, v2] = ['examples/evolution/telemarketing-sales-rule-2023.ttl', 'examples/evolution/telemarketing-sales-rule-2024.ttl'];
    const graph = await Neo4jStore.open(NEO4J);
    const embedded = await EmbeddedStore.open({ dataDir: path.join(dir, 'neo4j-b') });
    const patched = await EmbeddedStore.open({ dataDir: path.join(dir, 'neo4j-c') });
    try {
      const policy = (await graph.loadPolicy(await readTurtle(v1))).policy;
      await runGeneration(graph, { seed: 1, out: path.join(dir, 'neo4j-a-out') });
      await graph.loadPolicy(await readTurtle(v2));
      const [changed] = await runGeneration(graph, { seed: 1, out: path.join(dir, 'neo4j-a-out'), changed: true });
      expect(changed!.changed!.keptTextsFrom).toBe('datasets');
      await expectRecord(path.join(dir, 'neo4j-a-out'), graph, policy);
      await embedded.loadPolicy(await readTurtle(v2));
      const [full] = await runGeneration(embedded, { seed: 1, out: path.join(dir, 'neo4j-b-out') });
      // The same steps in the embedded store, whose patched graph the tests above check against a full run.
      await patched.loadPolicy(await readTurtle(v1));
      await runGeneration(patched, { seed: 1, out: path.join(dir, 'neo4j-c-out') });
      await patched.loadPolicy(await readTurtle(v2));
      const [changedEmbedded] = await runGeneration(patched, { seed: 1, out: path.join(dir, 'neo4j-c-out'), changed: true });
      expect(changed!.changed!.kept).toBeGreaterThan(0);
      expect(changed!.changed).toEqual(changedEmbedded!.changed);
      expect(changed!.triples).toBe(changedEmbedded!.triples);
      expect(changed!.triples).toBeGreaterThan(full!.triples);
      await expectSameDatasets(path.join(dir, 'neo4j-a-out'), path.join(dir, 'neo4j-b-out'));
      // The query twins selective regeneration reads answer alike.
      const rows = async (store: EmbeddedStore | Neo4jStore, name: string) => (await store.namedQuery(name, { policy })).map((r) => JSON.stringify(r)).sort();
      for (const name of ['generation-kept-texts', 'generation-kept-items', 'generation-kept-templates', 'derived-from-version']) expect(await rows(graph, name), name).toEqual(await rows(patched, name));
    } finally {
      await graph.close();
      await embedded.close();
      await patched.close();
    }
  }, 300_000);
});
