/**
 * Compiles one deployment context's training set from a policy's generated
 * items: supervised chat records (OpenAI fine-tuning format) and preference
 * pairs (TRL's DPO format), with the context's system prompt, mixing ratios
 * per section and label, deduplication, and splits that cannot leak.
 *
 * Orchestration of competing rules happens here. Items whose provisions
 * cannot apply in the context are left out. Conflict items follow the
 * resolution the graph records for the context (the chosen and rejected
 * answers swap where the context's priorities reverse the default winner),
 * and the items of a rule that loses to a rule covering it are left out,
 * since in that context the rule never decides alone.
 *
 *   <out>/<policy>/<context>/sft/{train,validation,test}.jsonl
 *   <out>/<policy>/<context>/dpo/{train,validation,test}.jsonl
 *   <out>/<policy>/<context>/openai/{sft,dpo}/{train,validation}.jsonl and .metadata.jsonl
 *     (what a fine-tuning job uploads, and the metadata it cannot carry)
 *   <out>/<policy>/<context>/manifest.json, trl-sft.yaml, trl-dpo.yaml
 *
 * Preferences recorded in the playground (preferences.ts) join the preference
 * pairs of every context their rules apply in: "first" makes the first answer
 * chosen and the second rejected, "second" the reverse. They go to the train
 * split, since a person's judgement is what training learns from and no
 * generated scenario shares their leak key. Ties and "both bad" make no pair
 * and are counted; so is a pair another preference already gave.
 */

import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { GraphStore } from '../store/graph-store.js';
import { Framer } from '../framers/generate.js';
import type { Item } from '../framers/item.js';
import { readPolicyContext, type PolicyContext } from '../framers/policy-context.js';
import type { TemplateLibrary } from '../framers/templates.js';
import { NOT_PARAPHRASED, metadataOf, promptMessages } from '../framers/exports/metadata.js';
import { policySlug } from '../framers/exports/write-exports.js';
import { slug } from '../framers/exports/instructlab.js';
import { localName } from '../framers/policy-context.js';
import { commitSinks, JsonlSink, writeFileAtomic } from './atomic-files.js';
import { appliesInContext, readDeploymentContext, type DeploymentContext } from './deployment-context.js';
import { readContextResolutions, recordContextResolutions } from './context-precedence.js';
import { copiesOf, mixLabel, NO_MIX, type Mix } from './mixing.js';
import { DEFAULT_RATIOS, itemLeakKey, splitGroup, splitOf, SPLITS, type Split, type SplitBy, type SplitRatios } from './splits.js';
import { assertNoLeaks, FORMATS, type Format, type LeakReport } from './leak-check.js';
import { trlRecipes } from './trl-recipe.js';
import { openAiChat, openAiFile, openAiPreference, sidecarFile, UPLOADED_SPLITS, type UploadedSplit } from './openai-files.js';
import { readPreferences, type Preference } from './preferences.js';
import type { RecordMetadata } from '../framers/exports/metadata.js';

export interface DatasetOptions {
  readonly seed: number;
  readonly families?: readonly string[];
  readonly ratios?: SplitRatios;
  readonly splitBy?: SplitBy;
  readonly mix?: Mix;
  /** The base model the TRL recipes name (default Qwen/Qwen2.5-0.5B-Instruct). */
  readonly baseModel?: string;
}

/** Why items were left out of the set, with counts. */
export interface Exclusions {
  /** A provision has an audience condition the context cannot meet. */
  notApplicable: number;
  /** A conflict item whose resolution in the context is not one its answers can follow (resolved here, unresolved there). */
  conflictUnfollowable: number;
  /** An item of a rule that loses, in the context, to a rule covering it. */
  overriddenInContext: number;
  /** A record whose conversation and answer another record already has. */
  duplicate: number;
  /** Mixed out by a weight below 1. */
  mixedOut: number;
}

/** What became of the preferences recorded in the playground for the policy. */
export interface PreferenceCounts {
  /** Written as preference pairs (first or second preferred). */
  pairs: number;
  /** Neither answer better: no pair. */
  ties: number;
  /** Neither answer acceptable: no pair. */
  bothBad: number;
  /** About a rule that does not apply in the context. */
  notApplicable: number;
  /** The same question, chosen and rejected answer as a pair already written (two people agreeing). */
  duplicate: number;
}

export interface DatasetSummary {
  readonly folder: string;
  readonly policy: string;
  readonly policySha256: string;
  readonly policyVersion: string | null;
  readonly context: string;
  readonly systemPrompt: string;
  readonly items: number;
  /** Conflict items whose chosen and rejected answers swapped to follow the context. */
  readonly swappedForContext: number;
  readonly excluded: Exclusions;
  readonly preferences: PreferenceCounts;
  /** Records per format and split. */
  readonly records: Readonly<Record<Format, Readonly<Record<Split, number>>>>;
  readonly bySection: Readonly<Record<string, number>>;
  readonly byLabel: Readonly<Record<string, number>>;
  /** SHA-256 of each written file, by path relative to the folder. */
  readonly files: Readonly<Record<string, string>>;
  /** SHA-256 of the manifest: the dataset's identity in the graph. */
  readonly sha256: string;
  readonly leakCheck: LeakReport;
}

/** The system prompt a context's records open with: its persona, then how to answer. */
export function contextSystemPrompt(policy: PolicyContext, context: DeploymentContext): string {
  const title = policy.policy.title ?? 'policy';
  return `${context.persona} You are bound by the ${title}. Follow it, say which section your answer rests on, and direct people to the channel it names.`;
}

/** The folder a context's set goes to under `out`. */
export function datasetFolder(out: string, policy: PolicyContext, context: DeploymentContext): string {
  return path.join(out, policySlug(policy), slug(localName(context.iri)));
}

/** Compiles, writes and leak-checks one context's set; a leak is a SplitLeakError (the files stay for inspection). */
export async function compileDataset(store: GraphStore, policyIri: string, contextIri: string, library: TemplateLibrary, out: string, options: DatasetOptions): Promise<DatasetSummary> {
  const policy = await readPolicyContext(store, policyIri);
  const context = await readDeploymentContext(store, policyIri, contextIri);
  const { resolutions } = await recordContextResolutions(store, context);
  const recorded = await readContextResolutions(store, context.iri);
  const covered = new Map(resolutions.map((r) => [r.conflict, r.loserCovered]));
  const defaults = new Map(policy.conflicts.map((c) => [c.iri, c.winner ?? null]));
  // Rules that never decide alone in this context: each loses to a winner that covers it.
  const overridden = new Set<string>();
  for (const [conflict, r] of recorded) if (r.loser && covered.get(conflict)) overridden.add(r.loser);

  const ratios = options.ratios ?? DEFAULT_RATIOS;
  const splitBy = options.splitBy ?? 'family';
  const mix = options.mix ?? NO_MIX;
  const systemPrompt = contextSystemPrompt(policy, context);
  const folder = datasetFolder(out, policy, context);
  for (const format of FORMATS) await mkdir(path.join(folder, format), { recursive: true });
  for (const format of FORMATS) await mkdir(path.join(folder, 'openai', format), { recursive: true });
  const sinks = Object.fromEntries(FORMATS.map((f) => [f, Object.fromEntries(SPLITS.map((s) => [s, new JsonlSink(path.join(folder, f, `${s}.jsonl`))]))])) as Record<Format, Record<Split, JsonlSink>>;
  // What a job uploads to OpenAI (documented keys only) and, beside each, the metadata by line.
  const uploads = Object.fromEntries(
    FORMATS.map((f) => [f, Object.fromEntries(UPLOADED_SPLITS.map((s) => [s, { data: new JsonlSink(openAiFile(folder, f, s)), sidecar: new JsonlSink(sidecarFile(folder, f, s)) }]))]),
  ) as Record<Format, Record<UploadedSplit, { data: JsonlSink; sidecar: JsonlSink }>>;
  const uploadSinks = FORMATS.flatMap((f) => UPLOADED_SPLITS.flatMap((s) => [uploads[f][s].data, uploads[f][s].sidecar]));
  const all = [...FORMATS.flatMap((f) => SPLITS.map((s) => sinks[f][s])), ...uploadSinks];
  const upload = async (format: Format, split: Split, record: object, metadata: object) => {
    if (split === 'test') return;
    const { data, sidecar } = uploads[format][split];
    await data.write(record);
    await sidecar.write({ line: data.count, item: (metadata as { item: string }).item, metadata });
  };

  const excluded: Exclusions = { notApplicable: 0, conflictUnfollowable: 0, overriddenInContext: 0, duplicate: 0, mixedOut: 0 };
  const preferences: PreferenceCounts = { pairs: 0, ties: 0, bothBad: 0, notApplicable: 0, duplicate: 0 };
  const bySection: Record<string, number> = {};
  const byLabel: Record<string, number> = {};
  const seen = new Set<string>();
  let items = 0;
  let swapped = 0;
  try {
    for (const generated of new Framer(policy, library, { seed: options.seed, ...(options.families ? { families: options.families } : {}) }).generate()) {
      items++;
      const provisions = generated.derivedFrom.map((iri) => policy.provision.get(iri)).filter((p) => p !== undefined);
      if (!provisions.every((p) => appliesInContext(p, policy, context))) {
        excluded.notApplicable++;
        continue;
      }
      let item: Item = generated;
      let target = item.derivedFrom[0];
      if (item.conflict) {
        const inContext = recorded.get(item.conflict);
        const byDefault = defaults.get(item.conflict) ?? null;
        const contextWinner = inContext?.winner ?? null;
        if ((contextWinner === null) !== (byDefault === null)) {
          excluded.conflictUnfollowable++;
          continue;
        }
        if (contextWinner !== null && contextWinner !== byDefault) {
          if (!item.rejected) {
            excluded.conflictUnfollowable++;
            continue;
          }
          item = { ...item, reference: item.rejected, rejected: item.reference };
          swapped++;
        }
        target = contextWinner ?? undefined;
      } else if (overridden.has(item.derivedFrom[0]!)) {
        excluded.overriddenInContext++;
        continue;
      }
      const content = createHash('sha256').update(JSON.stringify([item.messages, item.reference, item.rejected ?? null])).digest('hex');
      if (seen.has(content)) {
        excluded.duplicate++;
        continue;
      }
      seen.add(content);
      const copies = copiesOf(item, mix, options.seed);
      if (copies === 0) {
        excluded.mixedOut++;
        continue;
      }
      const split = splitOf(splitGroup(item, splitBy), ratios, options.seed);
      const base = metadataOf(item);
      const winnerBehaviour = item !== generated && target ? policy.provision.get(target)?.behaviour : undefined;
      const metadata = {
        ...base,
        ...(winnerBehaviour ? { expected_behaviour: winnerBehaviour } : {}),
        entities: [...item.terms].sort(),
        context: context.iri,
        target_rule: target ?? '',
        leak_key: itemLeakKey(item),
      };
      const prompt = promptMessages(item, systemPrompt);
      for (let copy = 0; copy < copies; copy++) {
        await sinks.sft[split].write({ messages: [...prompt, { role: 'assistant', content: item.reference }], metadata });
        await upload('sft', split, openAiChat(prompt, item.reference), metadata);
        if (item.rejected) {
          await sinks.dpo[split].write({ prompt, chosen: [{ role: 'assistant', content: item.reference }], rejected: [{ role: 'assistant', content: item.rejected }], metadata });
          await upload('dpo', split, openAiPreference(prompt, item.reference, item.rejected), metadata);
        }
        const section = item.sections[0]?.number ?? '-';
        bySection[section] = (bySection[section] ?? 0) + 1;
        byLabel[mixLabel(item)] = (byLabel[mixLabel(item)] ?? 0) + 1;
      }
    }
    for (const preference of await readPreferences(store, policyIri)) {
      const provisions = preference.rules.map((iri) => policy.provision.get(iri)).filter((p) => p !== undefined);
      if (!provisions.every((p) => appliesInContext(p, policy, context))) {
        preferences.notApplicable++;
        continue;
      }
      if (preference.preferred === 'tie' || preference.preferred === 'bothBad') {
        preferences[preference.preferred === 'tie' ? 'ties' : 'bothBad']++;
        continue;
      }
      const [chosen, rejected] = preference.preferred === 'first' ? [preference.first.text, preference.second.text] : [preference.second.text, preference.first.text];
      const prompt = [
        { role: 'system' as const, content: systemPrompt },
        { role: 'user' as const, content: preference.question },
      ];
      const content = createHash('sha256').update(JSON.stringify([prompt.slice(1), chosen, rejected])).digest('hex');
      if (seen.has(content)) {
        preferences.duplicate++;
        continue;
      }
      seen.add(content);
      const metadata = preferenceMetadata(preference, provisions.map((p) => p.section?.number).filter((n) => n !== undefined), context.iri, options.seed);
      await sinks.dpo.train.write({ prompt, chosen: [{ role: 'assistant', content: chosen }], rejected: [{ role: 'assistant', content: rejected }], metadata });
      await upload('dpo', 'train', openAiPreference(prompt, chosen, rejected), metadata);
      preferences.pairs++;
    }
    const files: Record<string, string> = {};
    for (const format of FORMATS) for (const split of SPLITS) files[`${format}/${split}.jsonl`] = await sinks[format][split].finish();
    for (const sink of uploadSinks) files[path.relative(folder, sink.file).split(path.sep).join('/')] = await sink.finish();
    await commitSinks(all);
    const records = Object.fromEntries(FORMATS.map((f) => [f, Object.fromEntries(SPLITS.map((s) => [s, sinks[f][s].count]))])) as Record<Format, Record<Split, number>>;
    const recipes = trlRecipes(folder, options.baseModel);
    for (const [name, text] of Object.entries(recipes)) {
      await writeFileAtomic(path.join(folder, name), text);
      files[name] = createHash('sha256').update(text).digest('hex');
    }
    const manifest = {
      policy: policy.policy.policy,
      policy_sha256: policy.policy.sha256,
      context: context.iri,
      system_prompt: systemPrompt,
      seed: options.seed,
      families: options.families ?? null,
      split: { ratios, by: splitBy },
      mix: { sections: Object.fromEntries(mix.sections), labels: Object.fromEntries(mix.labels) },
      priorities: context.priorities,
      records,
      excluded,
      preferences,
      swapped_for_context: swapped,
      files,
    };
    const manifestText = JSON.stringify(manifest, null, 2) + '\n';
    await writeFileAtomic(path.join(folder, 'manifest.json'), manifestText);
    const leakCheck = await assertNoLeaks(folder);
    return {
      folder,
      policy: policy.policy.policy,
      policySha256: policy.policy.sha256,
      policyVersion: await policyVersion(store, policyIri),
      context: context.iri,
      systemPrompt,
      items,
      swappedForContext: swapped,
      excluded,
      preferences,
      records,
      bySection,
      byLabel,
      files,
      sha256: createHash('sha256').update(manifestText).digest('hex'),
      leakCheck,
    };
  } catch (error) {
    await Promise.all(all.map((s) => s.discard().catch(() => undefined)));
    throw error;
  }
}

/**
 * A preference pair's metadata: the keys every record has (a set whose records differ in keys is one
 * some readers refuse), with the preference as its item; who preferred and why are in the graph.
 */
function preferenceMetadata(p: Preference, sections: readonly string[], context: string, seed: number): RecordMetadata & Record<string, unknown> {
  return {
    item: p.iri,
    policy: p.policy,
    rules: [...p.rules],
    conflict: '',
    follows: '',
    family: 'preference',
    template: 'playground',
    template_version: 1,
    template_iri: p.iri,
    type: 'Preference',
    label: '',
    attack: '',
    boundary: '',
    sections: [...sections],
    expected_behaviour: [],
    seed,
    paraphrase: NOT_PARAPHRASED,
    entities: [],
    context,
    target_rule: p.rules[0] ?? '',
    leak_key: `preference ${p.iri}`,
  };
}

/** The policy's studio:version, if it declares one. */
export async function policyVersion(store: GraphStore, policy: string): Promise<string | null> {
  const rows = await store.namedQuery('policy-version', { policy });
  return rows[0]?.version === undefined || rows[0]?.version === null ? null : String(rows[0].version);
}
