/**
 * Writes every dataset format of one policy's items under one folder:
 *
 *   <out>/<policy>/chat.jsonl          supervised chat (OpenAI fine-tuning format)
 *   <out>/<policy>/preference.jsonl    preference pairs (TRL DPO format)
 *   <out>/<policy>/eval.jsonl          evaluation suite with expectations and checks
 *   <out>/<policy>/promptfooconfig.yaml  promptfoo test suite
 *   <out>/<policy>/instructlab/compositional_skills/grounded/<policy>/<section>/qna.yaml
 */

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Item } from '../item.js';
import { localName, type PolicyContext } from '../policy-context.js';
import { chatRecords } from './chat-jsonl.js';
import { evalRecords } from './eval-suite.js';
import { writeInstructLab, slug, INSTRUCTLAB_MIN_EXAMPLES, type TaxonomyFile } from './instructlab.js';
import { writeJsonl } from './jsonl.js';
import { preferenceRecords } from './preference-jsonl.js';
import { promptfooConfig } from './promptfoo.js';

export interface ExportSummary {
  readonly folder: string;
  readonly chat: number;
  readonly preference: number;
  readonly eval: number;
  readonly promptfoo: number;
  readonly instructlab: readonly TaxonomyFile[];
  /** Taxonomy files below InstructLab's minimum of examples. */
  readonly instructlabBelowMinimum: number;
}

/** The system prompt exported records open with: the deployment the data is for. */
export function defaultSystemPrompt(context: PolicyContext): string {
  return `You are an assistant bound by the ${context.policy.title ?? 'policy'}. Follow it, say which section your answer rests on, and direct people to the channel it names.`;
}

/** The folder name of a policy: its local name, else its title. */
export function policySlug(context: PolicyContext): string {
  return slug(context.policy.title ?? localName(context.policy.policy));
}

export async function writeExports(items: readonly Item[], context: PolicyContext, out: string, systemPrompt = defaultSystemPrompt(context)): Promise<ExportSummary> {
  const folder = path.join(out, policySlug(context));
  await mkdir(folder, { recursive: true });
  const chat = await writeJsonl(path.join(folder, 'chat.jsonl'), chatRecords(items, systemPrompt));
  const preference = await writeJsonl(path.join(folder, 'preference.jsonl'), preferenceRecords(items, systemPrompt));
  const evalCount = await writeJsonl(path.join(folder, 'eval.jsonl'), evalRecords(items, systemPrompt));
  await writeFile(path.join(folder, 'promptfooconfig.yaml'), promptfooConfig(items, context.policy.title ?? context.policy.policy, systemPrompt));
  const instructlab = await writeInstructLab(items, context, path.join(folder, 'instructlab'), policySlug(context));
  return {
    folder,
    chat,
    preference,
    eval: evalCount,
    promptfoo: items.length,
    instructlab,
    instructlabBelowMinimum: instructlab.filter((f) => f.examples < INSTRUCTLAB_MIN_EXAMPLES).length,
  };
}
