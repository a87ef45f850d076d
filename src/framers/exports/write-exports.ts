/**
 * Writes every dataset format of one policy's items under one folder:
 *
 *   <out>/<policy>/chat.jsonl          supervised chat (OpenAI fine-tuning format)
 *   <out>/<policy>/preference.jsonl    preference pairs (TRL DPO format)
 *   <out>/<policy>/eval.jsonl          evaluation suite with expectations and checks
 *   <out>/<policy>/promptfooconfig.yaml  promptfoo test suite
 *   <out>/<policy>/instructlab/compositional_skills/grounded/<policy>/<section>/qna.yaml
 */

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DerivedGraph, LoadedPolicy } from '../../store/graph-store.js';
import type { Item } from '../item.js';
import { KeptBlock, type GeneratedPart } from '../generate.js';
import { localName, type PolicyContext } from '../policy-context.js';
import { chatRecords } from './chat-jsonl.js';
import { evalRecords } from './eval-suite.js';
import { InstructLabTaxonomy, slug, type LeftOutSection, type TaxonomyFile, type WrittenTaxonomy } from './instructlab.js';
import { JsonlWriter } from './jsonl.js';
import { preferenceRecords } from './preference-jsonl.js';
import { PromptfooWriter } from './promptfoo.js';
import type { EarlierDatasets } from './earlier-datasets.js';
import { dropGenerationRecord, writeGenerationRecord } from './generation-record.js';
import type { GeneratedIndex } from '../generated-index.js';

export interface ExportSummary {
  readonly folder: string;
  readonly chat: number;
  readonly preference: number;
  readonly eval: number;
  readonly promptfoo: number;
  readonly instructlab: readonly TaxonomyFile[];
  /** Sections left out of the taxonomy for having fewer than InstructLab's minimum of examples. */
  readonly instructlabLeftOut: readonly LeftOutSection[];
  /** Items whose lines were copied from the earlier datasets rather than rendered (`generate --changed`). */
  readonly copied: number;
}

/** The system prompt exported records open with: the deployment the data is for. */
export function defaultSystemPrompt(context: PolicyContext): string {
  return `You are an assistant bound by the ${context.policy.title ?? 'policy'}. Follow it, say which section your answer rests on, and direct people to the channel it names.`;
}

/** The folder name of a policy: its title, else its local name. */
export function policySlug(context: PolicyContext): string {
  return policyFolderName(context.policy);
}

function policyFolderName(policy: LoadedPolicy): string {
  return slug(policy.title ?? localName(policy.policy));
}

/** The folder under `out` a loaded policy's datasets go to. */
export function policyDatasetFolder(out: string, policy: LoadedPolicy): string {
  return path.join(out, policyFolderName(policy));
}

/** Writes every dataset of a policy's items at once. */
export async function writeExports(items: readonly Item[], context: PolicyContext, out: string, systemPrompt = defaultSystemPrompt(context)): Promise<ExportSummary> {
  const writer = await DatasetWriter.open(context, out, systemPrompt);
  await writer.add(items);
  return writer.close();
}

/** A rule's block whose lines were copied as one run, with its tests when the earlier suite holds them as one. */
interface CopiedBlock {
  readonly block: KeptBlock;
  readonly tests: Buffer | undefined;
}

/** Writes every dataset of a policy's items a batch at a time, as generation streams them. */
export class DatasetWriter {
  private constructor(
    private readonly folder: string,
    private readonly context: PolicyContext,
    private readonly systemPrompt: string,
    private readonly chat: JsonlWriter,
    private readonly preference: JsonlWriter,
    private readonly evaluation: JsonlWriter,
    private readonly promptfoo: PromptfooWriter,
    private readonly instructlab: InstructLabTaxonomy,
    private readonly earlier: EarlierDatasets | undefined,
  ) {}

  private copied = 0;
  /** The InstructLab files written or left, once closed, for the record. */
  private skills: WrittenTaxonomy['skills'] | undefined;

  /**
   * Opens the folder's files for writing, and drops the folder's generation
   * record (generation-record.ts): until `record` writes the new one, no run
   * takes texts from the files. With `earlier` (selective regeneration, read
   * from this folder before), the tests its suite holds for items whose eval
   * record is unchanged are copied, not rendered (earlier-datasets.ts).
   */
  static async open(context: PolicyContext, out: string, systemPrompt = defaultSystemPrompt(context), options: { readonly earlier?: EarlierDatasets } = {}): Promise<DatasetWriter> {
    const folder = policyDatasetFolder(out, context.policy);
    await mkdir(folder, { recursive: true });
    await dropGenerationRecord(folder);
    const earlier = options.earlier;
    await earlier?.takeSuite();
    return new DatasetWriter(
      folder,
      context,
      systemPrompt,
      new JsonlWriter(path.join(folder, 'chat.jsonl'), { digest: true }),
      new JsonlWriter(path.join(folder, 'preference.jsonl'), { digest: true }),
      new JsonlWriter(path.join(folder, 'eval.jsonl'), { digest: true }),
      new PromptfooWriter(path.join(folder, 'promptfooconfig.yaml'), context.policy.title ?? context.policy.policy, systemPrompt),
      new InstructLabTaxonomy(),
      earlier,
    );
  }

  /**
   * Writes the items' records, in order. An item kept by selective
   * regeneration has its earlier lines copied as bytes (earlier-datasets.ts
   * says when): only the items rendered again are rendered. A rule's block
   * kept whole (KeptBlock) has its lines, and its tests, copied as one run
   * of bytes each, its items not made (but its instructions, for the
   * taxonomy), when the earlier files hold them one after another.
   */
  async add(parts: readonly GeneratedPart[]): Promise<void> {
    const earlier = this.earlier;
    /** Each item, or block copied whole (with its tests when the earlier suite holds them as one run), in order. */
    const written: (Item | CopiedBlock)[] = [];
    /** Each item's eval record as written, by its place in `written`; undefined where it was copied. */
    const evalLines: (string | undefined)[] = [];
    for (const part of parts) {
      const lines = part instanceof KeptBlock ? earlier?.blockLines(part, this.systemPrompt) : undefined;
      if (lines) {
        const block = part as KeptBlock;
        await this.chat.writeBytes(lines.chat, block.size);
        if (lines.pairs) await this.preference.writeBytes(lines.pairs.bytes, lines.pairs.count);
        await this.evaluation.writeBytes(lines.eval, block.size);
        this.copied += block.size;
        written.push({ block, tests: await earlier!.blockTests(block) });
        evalLines.push(undefined);
        continue;
      }
      for (const item of part instanceof KeptBlock ? part.items() : [part]) {
        written.push(item);
        evalLines.push(await this.addItem(item));
      }
    }
    for (const [index, part] of written.entries()) {
      if ('iri' in part) await this.promptfoo.write([part], earlier ? (item) => earlier.test(item.iri, evalLines[index]) : undefined);
      else if (part.tests) await this.promptfoo.writeCopied(part.tests, part.block.size);
      else await this.promptfoo.write(part.block.items(), (item) => earlier!.test(item.iri, undefined));
    }
    // A copied item says what the earlier run's did: InstructLab's file of a section of such items alone may be left as it is.
    for (const [index, part] of written.entries()) {
      if ('iri' in part) this.instructlab.add([part], earlier ? () => evalLines[index] === undefined : undefined);
      else this.instructlab.add(part.block.instructions(), () => true);
    }
  }

  /** Writes an item's records, its earlier lines copied when they may be; returns its eval record as written, or undefined when copied. */
  private async addItem(item: Item): Promise<string | undefined> {
    const copied = this.earlier?.lines(item.iri, this.systemPrompt);
    if (copied) {
      await this.chat.writeBytes(copied.chat);
      if (copied.pair) await this.preference.writeBytes(copied.pair);
      await this.evaluation.writeBytes(copied.eval);
      this.copied++;
      return undefined;
    }
    await this.chat.write(chatRecords([item], this.systemPrompt));
    await this.preference.write(preferenceRecords([item], this.systemPrompt));
    const line = JSON.stringify(evalRecords([item], this.systemPrompt).next().value);
    await this.evaluation.writeLine(line);
    return line;
  }

  async close(): Promise<ExportSummary> {
    const [chat, preference, evalCount, promptfoo] = [await this.chat.close(), await this.preference.close(), await this.evaluation.close(), await this.promptfoo.close()];
    await this.earlier?.close();
    const { files: instructlab, leftOut, skills } = await this.instructlab.write(this.context, path.join(this.folder, 'instructlab'), policySlug(this.context), this.earlier?.skills);
    this.skills = skills;
    return {
      folder: this.folder,
      chat,
      preference,
      eval: evalCount,
      promptfoo,
      instructlab,
      instructlabLeftOut: leftOut,
      copied: this.copied,
    };
  }

  /**
   * Once closed: records that the files were written with this version of the
   * generated graph, for a later `--changed` to take the items' texts from
   * them, and, given `index`, what the graph holds (generated-index.ts).
   */
  async record(graph: DerivedGraph, index?: GeneratedIndex): Promise<void> {
    await writeGenerationRecord(this.folder, {
      graph,
      systemPrompt: this.systemPrompt,
      files: { 'eval.jsonl': await this.evaluation.digest(), 'preference.jsonl': await this.preference.digest(), 'chat.jsonl': await this.chat.digest() },
      ...(index ? { generated: index.record() } : {}),
      ...(this.skills ? { taxonomy: this.skills } : {}),
    });
  }
}
