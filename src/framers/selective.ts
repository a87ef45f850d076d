/**
 * Selective regeneration (`studio generate --changed`): only the items of the
 * rules a change affects are rendered again; every other item takes the
 * texts the earlier run stored for it. Items are content-addressed (their
 * IRI hashes the template, provisions, terms and seed), so an item of an
 * unaffected rule keeps its IRI and its bytes, and an item of a removed rule
 * is simply not made. The graph is patched (generation-run.ts): only the
 * items rendered again are written, with their activities and templates,
 * and what the new version no longer makes is removed; a kept item keeps
 * the activity that made it. Its content equals a full regeneration of the
 * loaded version (tests/framers/generate-changed.test.ts says how exactly).
 *
 * The texts of the items kept come from the earlier run's datasets when it
 * wrote them to the folder given (`--out`) and they are provably the ones
 * the graph holds (exports/earlier-datasets.ts): reading a few hundred
 * megabytes of JSON Lines is quicker than asking the store for every kept
 * item's texts. Otherwise they are read from the graph. The folder's record
 * then also says which items and templates the graph holds, and which
 * activity made each item (generated-index.ts): the graph is not asked at
 * all, and the embedded store never reads it into oxigraph (the patch works
 * on its file, and the coverage is counted from the run's items).
 *
 * With the texts from the datasets, the framer does not even build the items
 * of a rule the change does not affect: it splices them, in order, from the
 * folder's record, which keeps each rule's own block of items (generate.ts
 * Splice), while nothing else they depend on changed (SPLICE_KEYS): a rule's
 * block comes whole (KeptBlock), its lines and tests copied as runs of bytes,
 * its triples kept, its items made only if something asks for them.
 *
 * The earlier run is the policy's generated graph; the version it came from
 * is the one it records (studio:derivedFromVersion, the registry's sha256).
 * Both versions are read as the facts the store kept of each when it was
 * loaded (evolution/version-facts.ts), or, when it kept none, parsed from
 * the sources it keeps. Affected, as `studio impact`
 * and `studio audit run --only-affected` count it: rules whose digest (their
 * fields, their terms' and their section's) differs or that are new or gone,
 * and the rules depending on those in either version. Generation reads more
 * than a rule's own fields, so an item is also rendered again when:
 * - one of its terms is a changed term or below one in either version's
 *   hierarchy; an action prohibited in one version and not the other counts
 *   as a changed term (a permission never picks a narrower action another
 *   rule prohibits). A
 *   change that moves a pick (a narrower term added) changes the item's
 *   terms, hence its IRI, and an IRI the earlier run lacks is rendered anew;
 * - one of its sections changed (a section summary quotes the source text);
 * - it stages a conflict (conflicts come from detection, not from the policy);
 * - its template's content changed since the earlier run.
 * And everything is rendered again when something every item may say
 * changed: the policy's title, its deployment contexts' personas and
 * audiences, the labels of its roles, or the names of the assistant.
 */

import type { GraphStore } from '../store/graph-store.js';
import { InvalidOptionError } from '../errors.js';
import { STUDIO } from '../vocabulary.js';
import { readStoredVersion } from '../evolution/stored-versions.js';
import type { Entity, PolicySnapshot } from '../evolution/snapshot.js';
import { readVersionFacts, type VersionFacts } from '../evolution/version-facts.js';
import { dependentRules } from '../evolution/impact.js';
import type { KeptTexts, ReuseCandidate, Splice, SplicedItem } from './generate.js';
import { itemIri } from './item.js';
import type { Message, TemplateLibrary } from './templates.js';
import { GENERATED_KIND } from './generation-run.js';
import { EarlierDatasets } from './exports/earlier-datasets.js';
import { generatorCode } from './generator-code.js';
import type { RecordedProvisionRows } from './recorded-provisions.js';

/** What selective regeneration decided before generating, and what it counted while generating. */
export interface SelectivePlan {
  readonly policy: string;
  /** The version the earlier generated graph came from, and the loaded one. */
  readonly from: string;
  readonly to: string;
  /** Rules (provisions) whose items are rendered again: changed, added, removed, depending on those, or naming a changed term. */
  readonly affected: ReadonlySet<string>;
  /** Why everything is rendered again, when it is. */
  readonly everything?: string;
  /** The versions (`from`, `to`) whose facts were read from their source, the store keeping none of them (evolution/version-facts.ts). */
  readonly parsed: readonly string[];
  /** Asked by the framer for each item. */
  readonly reuse: (item: ReuseCandidate) => KeptTexts | undefined;
  /** Counted as the framer asks: items rendered again, and items whose stored texts were kept. */
  readonly counts: () => { readonly regenerated: number; readonly kept: number };
  /** What the earlier graph holds, for a patch of it; absent when everything is rendered again (then the graph is written whole). */
  readonly earlier?: EarlierGeneration;
  /** Where the kept items' texts were read from: the earlier run's datasets, or the generated graph; absent when everything is rendered again. */
  readonly keptTextsFrom?: 'datasets' | 'graph';
  /** What the dataset folder given holds from the earlier run, for the new datasets to copy from; the caller closes it. */
  readonly datasets?: EarlierDatasets;
  /** The earlier run's items of the rules not affected, for the framer to splice rather than build (generate.ts Splice); absent, with `spliceless` saying why, when there is nothing to splice from. */
  readonly splice?: Splice;
  readonly spliceless?: string;
  /**
   * The earlier run's rows of the context's provision queries, with the
   * provisions whose rows may differ now, to be read again (recorded-provisions.ts);
   * absent when the record keeps no rows or everything is rendered again (then the context is read whole).
   */
  readonly context?: { readonly rows: RecordedProvisionRows; readonly reread: ReadonlySet<string> };
}

/** The earlier generated graph, as much of it as a patch needs to know. */
export interface EarlierGeneration {
  /** Each item it holds, with the activity that made it. */
  readonly activities: ReadonlyMap<string, string>;
  /** Each template (prov:Plan) it holds, by IRI, with its content hash. */
  readonly templates: ReadonlyMap<string, string>;
  /** Whether the framer kept this item's earlier texts (asked once the item is made). */
  readonly kept: (item: string) => boolean;
}

const ASSISTANT = `${STUDIO}Assistant`;
const TERM_FIELDS = ['bearer', 'action', 'target', 'counterparty', 'channel', 'defines'] as const;

export interface SelectiveOptions {
  /** The policy's dataset folder, when the run writes one. */
  readonly datasets?: string;
  readonly seed?: number;
  /** Told, as soon as they are known, the provisions whose context rows are to be read again (SelectivePlan.context.reread). */
  readonly reread?: (provisions: ReadonlySet<string>) => void;
}

/** Reads the earlier run and the two versions, and decides what must be rendered again. */
export async function planSelective(store: GraphStore, policy: string, library: TemplateLibrary, options: SelectiveOptions = {}): Promise<SelectivePlan> {
  const generated = (await store.listDerivedGraphs(policy)).find((g) => g.kind === GENERATED_KIND);
  if (!generated) throw new InvalidOptionError(`--changed: ${policy} has no generated data to update; run \`studio generate\` first`);
  if (!/^[0-9a-f]{64}$/.test(generated.policySha256 ?? '')) throw new InvalidOptionError(`--changed: the generated graph of ${policy} records no policy version it was derived from; run \`studio generate\` first`);
  const current = (await store.listPolicies()).find((p) => p.policy === policy)!;
  const from = generated.policySha256;
  // The earlier datasets' files read from the disk while the versions are read and compared.
  const prefetched = options.datasets ? EarlierDatasets.prefetch(options.datasets) : undefined;
  // Each version's facts as the store kept them when it was loaded, or read from the source it keeps (the loaded one's
  // from its source too: parsing it is quicker than exporting the graph's triples).
  const nowRead = await readVersionFacts(store, policy, current.sha256, async () => (await store.readVersion(policy, current.sha256)) ?? (await store.exportQuads(policy)));
  const oldRead =
    from === current.sha256
      ? nowRead
      : await readVersionFacts(store, policy, from, async () => {
          try {
            return (await readStoredVersion(store, policy, from)).source;
          } catch (error) {
            throw new InvalidOptionError(`--changed: the generated graph of ${policy} was derived from version ${from.slice(0, 12)}, which the store no longer keeps (${(error as Error).message}); run \`studio generate\` first`);
          }
        });
  const [old, nowFacts] = [oldRead.facts, nowRead.facts];
  const [before, now] = [old.snapshot, nowFacts.snapshot];

  // Rules a change affects: as the audits' carry-over counts them, with the dependency walk over both versions.
  const [oldDigests, newDigests] = [old.digests, nowFacts.digests];
  const changed = [...newDigests].filter(([iri, digest]) => oldDigests.get(iri) !== digest).map(([iri]) => iri);
  const removed = [...oldDigests.keys()].filter((iri) => !newDigests.has(iri));
  const dependents = dependentRules([before, now], [...changed, ...removed], (iri) => iri, new Set(newDigests.keys()));
  const affected = new Set([...changed, ...removed, ...dependents.map((d) => d.rule)]);

  // Terms that changed, with the actions prohibited in one version and not the other, and every term below one of them.
  const changedTerms = new Set(changedEntities(before.terms, now.terms));
  const [prohibitedBefore, prohibitedNow] = [prohibitedActions(before), prohibitedActions(now)];
  for (const a of prohibitedBefore) if (!prohibitedNow.has(a)) changedTerms.add(a);
  for (const a of prohibitedNow) if (!prohibitedBefore.has(a)) changedTerms.add(a);
  const related = relatedTerms(changedTerms, [before, now]);
  for (const version of [now]) {
    for (const p of version.provisions.values()) {
      if (affected.has(p.iri)) continue;
      const names = TERM_FIELDS.flatMap((f) => p.fields[f] ?? []);
      const conditions = (p.fields.condition ?? []).join(' ');
      if (names.some((t) => related.has(t)) || [...related].some((t) => conditions.includes(t))) affected.add(p.iri);
    }
  }
  const changedSections = new Set(changedEntities(before.sections, now.sections));

  let everything = globalChange(old, nowFacts, changedTerms);
  // The provisions whose rows in the context's provision queries may differ, known now: the caller may begin reading them
  // (recorded-provisions.ts ContextReads.beginProvisions) while the earlier datasets are read.
  const reread = everything ? undefined : provisionsToRead(affected, [old, nowFacts]);
  if (reread) options.reread?.(reread);
  const datasets = options.datasets ? await EarlierDatasets.read(options.datasets, generated, { texts: !everything, ...(prefetched ? { prefetched } : {}) }) : undefined;
  // The kept texts were written by the generator code the record names: other code may say the same item otherwise
  // (a helper of the framers changed, not a template). A record that names none was written by older code.
  if (!everything && datasets?.held && datasets.held.splice?.keys.generator !== generatorCode().slice(0, 32)) {
    everything = 'the generator code changed since the earlier run';
  }
  const keptTextsFrom = everything ? undefined : datasets?.graphs ? 'datasets' : 'graph';
  // With the datasets, the folder's record may say what the graph holds too: then the graph is not asked at all.
  const held = keptTextsFrom === 'datasets' ? datasets!.held : undefined;
  const { texts, activities }: { texts: Pick<ReadonlyMap<string, KeptTexts>, 'get'>; activities: Map<string, string> } =
    keptTextsFrom === 'datasets'
      ? { texts: { get: (iri) => datasets!.texts(iri) }, activities: held?.activities ?? (await keptActivities(store, policy)) }
      : keptTextsFrom === 'graph'
        ? await keptTexts(store, policy)
        : { texts: new Map<string, KeptTexts>(), activities: new Map<string, string>() };
  const recorded = everything ? new Map<string, { id: string; contentHash: string }>() : (held?.templates ?? (await keptTemplates(store, policy)));
  const changedTemplates = templatesChanged(recorded, library);
  const [regenerated, keptItems] = [new Set<string>(), new Set<string>()];
  const reuse = (item: ReuseCandidate): KeptTexts | undefined => {
    const kept =
      !item.conflict &&
      !changedTemplates.has(item.template.id) &&
      !item.derivedFrom.some((p) => affected.has(p)) &&
      !item.sections.some((s) => changedSections.has(s.iri)) &&
      !item.terms.some((t) => related.has(t))
        ? texts.get(item.iri)
        : undefined;
    // By IRI: the framer may build an item a second time and drop it as already made.
    (kept ? keptItems : regenerated).add(item.iri);
    return kept;
  };
  const counts = () => ({ regenerated: regenerated.size, kept: keptItems.size });
  const earlier: EarlierGeneration = { activities, templates: new Map([...recorded].map(([plan, t]) => [plan, t.contentHash])), kept: (item) => keptItems.has(item) };
  // The splice: a rule's own items as the earlier run made them, for each rule not affected; the framer takes them only while nothing else they depend on changed (generate.ts SPLICE_KEYS).
  const recordedBlocks = held?.splice;
  const spliceless = everything
    ? 'everything is rendered again'
    : options.seed === undefined
      ? 'no seed given'
      : keptTextsFrom !== 'datasets'
        ? 'the kept texts are not read from the earlier datasets'
        : !recordedBlocks
          ? "the earlier run's record keeps no rule blocks"
          : undefined;
  let splice: Splice | undefined;
  if (!spliceless) {
    const seed = options.seed!;
    const templates = new Map(library.all().map((t) => [t.id, t]));
    splice = {
      keys: recordedBlocks!.keys,
      block: (rule) => {
        const recordedItems = affected.has(rule) ? undefined : recordedBlocks!.blocks.get(rule);
        if (!recordedItems) return undefined;
        const out: SplicedItem[] = [];
        for (const [i, item] of recordedItems.entries()) {
          const template = templates.get(item.template);
          if (!template) return undefined;
          // The record adds up: the IRI is the one the template, the rule, the terms and the seed give. Asked of the
          // block's first and last items (a block out of step with the lines fails it), not of each: a hash per item
          // was a twentieth of the run.
          if ((i === 0 || i === recordedItems.length - 1) && itemIri(template, [rule], item.terms, seed) !== item.iri) return undefined;
          out.push({ iri: item.iri, template, terms: item.terms });
        }
        // Taken whole: their lines are copied, their texts read only if asked.
        if (!out.every((item) => datasets!.take(item.iri))) return undefined;
        for (const item of out) keptItems.add(item.iri);
        return out;
      },
      read: (item) => datasets!.read(item),
      rejected: (item) => datasets!.rejected(item),
      paired: (item) => datasets!.paired(item),
    };
  }
  return {
    policy,
    from,
    to: current.sha256,
    affected,
    parsed: [...new Set([...(oldRead.kept ? [] : [from]), ...(nowRead.kept ? [] : [current.sha256])])],
    ...(everything ? { everything } : { earlier, keptTextsFrom }),
    reuse,
    counts,
    ...(datasets ? { datasets } : {}),
    ...(splice ? { splice } : { spliceless: spliceless! }),
    ...(held?.provisions && reread ? { context: { rows: held.provisions, reread } } : {}),
  };
}

/**
 * The provisions whose rows in the context's provision queries may differ
 * between the two versions: the rules affected (their digests cover every
 * field those queries read but the conditions' IRIs, which a digest reads by
 * content, and their sections' number and title when declared as sections),
 * and besides them each provision whose conditions' IRIs or membership of the
 * policy differ, or whose section is not declared as one in either version.
 */
function provisionsToRead(affected: ReadonlySet<string>, versions: readonly VersionFacts[]): Set<string> {
  const out = new Set(affected);
  const [before, now] = versions as [VersionFacts, VersionFacts];
  for (const subject of new Set([...before.conditions.keys(), ...now.conditions.keys()])) if (before.conditions.get(subject) !== now.conditions.get(subject)) out.add(subject);
  for (const subject of before.members) if (!now.members.has(subject)) out.add(subject);
  for (const subject of now.members) if (!before.members.has(subject)) out.add(subject);
  for (const { snapshot: version } of versions) {
    for (const p of version.provisions.values()) if ((p.fields.section ?? []).some((s) => !version.sections.has(s))) out.add(p.iri);
  }
  return out;
}

/** IRIs of entities added, removed, or with any field changed. */
function changedEntities(before: ReadonlyMap<string, Entity>, now: ReadonlyMap<string, Entity>): string[] {
  const out: string[] = [];
  for (const [iri, e] of now) if (!before.has(iri) || JSON.stringify(sorted(e.fields)) !== JSON.stringify(sorted(before.get(iri)!.fields))) out.push(iri);
  for (const iri of before.keys()) if (!now.has(iri)) out.push(iri);
  return out;
}

function sorted(fields: Entity['fields']): unknown {
  return Object.keys(fields)
    .sort()
    .map((k) => [k, fields[k]]);
}

/** The actions some prohibition of the version forbids: a permission's narrower action is never one of them. */
function prohibitedActions(version: PolicySnapshot): Set<string> {
  const out = new Set<string>();
  for (const p of version.provisions.values()) if ((p.fields.kind ?? []).includes('Prohibition')) for (const a of p.fields.action ?? []) out.add(a);
  return out;
}

/**
 * The terms given, and every term below one of them in either version: an item
 * naming a narrower term may say the broader one's label (a user's role says
 * its broader roles'). A change that moves a pick (a narrower term added, a
 * prohibition's action) changes the item's terms, hence its IRI, which the
 * earlier run then does not have.
 */
function relatedTerms(terms: ReadonlySet<string>, versions: readonly PolicySnapshot[]): Set<string> {
  const out = new Set(terms);
  for (const version of versions) {
    const narrower = new Map<string, string[]>();
    for (const t of version.terms.values()) for (const b of t.fields.broader ?? []) narrower.set(b, [...(narrower.get(b) ?? []), t.iri]);
    const walk = (start: string, next: (t: string) => readonly string[]) => {
      const stack = [start];
      const seen = new Set<string>();
      while (stack.length > 0) {
        const t = stack.pop()!;
        if (seen.has(t)) continue;
        seen.add(t);
        out.add(t);
        stack.push(...next(t));
      }
    };
    for (const t of terms) walk(t, (x) => narrower.get(x) ?? []);
  }
  return out;
}

/** Why every item must be rendered again, if it must: something any item may say changed. */
function globalChange(old: VersionFacts, now: VersionFacts, changedTerms: ReadonlySet<string>): string | undefined {
  if (JSON.stringify(old.snapshot.metadata.title ?? []) !== JSON.stringify(now.snapshot.metadata.title ?? [])) return 'the policy title changed';
  const [a, b] = [old.globals, now.globals];
  if (a.personas !== b.personas) return 'the personas of the deployment contexts changed';
  if (a.audiences !== b.audiences) return 'the audiences of the deployment contexts changed';
  if (a.roles !== b.roles) return 'the labels of the roles changed';
  for (const version of [old.snapshot, now.snapshot]) {
    for (const t of changedTerms) if (isUnder(version, t, ASSISTANT)) return `a name of the assistant changed (${t})`;
  }
  return undefined;
}

function isUnder(version: PolicySnapshot, term: string, ancestor: string): boolean {
  const stack = [term];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (t === ancestor) return true;
    if (seen.has(t)) continue;
    seen.add(t);
    stack.push(...(version.terms.get(t)?.fields.broader ?? []));
  }
  return false;
}

/** The texts of the items of the policy's generated graph, and the activity that made each, by item IRI. */
async function keptTexts(store: GraphStore, policy: string): Promise<{ texts: Map<string, KeptTexts>; activities: Map<string, string> }> {
  const texts = new Map<string, KeptTexts>();
  const activities = new Map<string, string>();
  for (const row of await store.namedQuery('generation-kept-texts', { policy })) {
    const item = String(row.item);
    if (texts.has(item)) continue;
    activities.set(item, String(row.activity));
    texts.set(item, {
      messages: JSON.parse(String(row.messages)) as Message[],
      reference: String(row.reference),
      ...(row.rejected !== null && row.rejected !== undefined ? { rejected: String(row.rejected) } : {}),
    });
  }
  return { texts, activities };
}

/** The items of the policy's generated graph, each with the activity that made it, by item IRI (their texts come from elsewhere). */
async function keptActivities(store: GraphStore, policy: string): Promise<Map<string, string>> {
  const activities = new Map<string, string>();
  for (const row of await store.namedQuery('generation-kept-items', { policy })) if (!activities.has(String(row.item))) activities.set(String(row.item), String(row.activity));
  return activities;
}

/** The templates the earlier run recorded, by IRI, with their ids and content hashes. */
async function keptTemplates(store: GraphStore, policy: string): Promise<Map<string, { id: string; contentHash: string }>> {
  const recorded = new Map<string, { id: string; contentHash: string }>();
  for (const row of await store.namedQuery('generation-kept-templates', { policy })) recorded.set(String(row.plan), { id: String(row.template), contentHash: String(row.contentHash) });
  return recorded;
}

/** Templates whose content hash differs from the one the earlier run recorded (or that it did not use). */
function templatesChanged(recorded: ReadonlyMap<string, { id: string; contentHash: string }>, library: TemplateLibrary): Set<string> {
  const hashes = new Map([...recorded.values()].map((t) => [t.id, t.contentHash]));
  const out = new Set<string>();
  for (const t of library.all()) if (hashes.get(t.id) !== t.contentHash) out.add(t.id);
  return out;
}
