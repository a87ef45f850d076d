/**
 * An InstructLab-style taxonomy: one grounded compositional skill per
 * section, compositional_skills/grounded/<policy>/<section>/qna.yaml
 * (version 2: task_description, created_by, seed_examples of context,
 * question and answer), the section's text as context. The rule IRIs of
 * each example are written as a YAML comment above it, since the format has
 * no metadata field. InstructLab asks for at least 5 examples per file; the
 * result says which files have fewer.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Document, type YAMLSeq } from 'yaml';
import type { Item } from '../item.js';
import type { PolicyContext } from '../policy-context.js';

export interface TaxonomyFile {
  readonly file: string;
  readonly section: string;
  readonly examples: number;
}

/** InstructLab's minimum of seed examples per qna.yaml. */
export const INSTRUCTLAB_MIN_EXAMPLES = 5;

export async function writeInstructLab(items: readonly Item[], context: PolicyContext, root: string, policySlug: string): Promise<TaxonomyFile[]> {
  const bySection = new Map<string, Item[]>();
  for (const item of items) {
    const section = item.sections[0];
    if (item.type !== 'Instruction' || !section) continue;
    bySection.set(section.iri, [...(bySection.get(section.iri) ?? []), item]);
  }
  const files: TaxonomyFile[] = [];
  for (const [sectionIri, sectionItems] of [...bySection].sort(([a], [b]) => a.localeCompare(b))) {
    const section = context.sections.get(sectionIri) ?? { ...sectionItems[0]!.sections[0]!, sourceText: '' };
    const context_ = section.sourceText || `Section ${section.number}, ${section.title}`;
    const doc = new Document({
      version: 2,
      created_by: 'alignment-studio',
      task_description: `Answer questions about section ${section.number} (${section.title}) of the ${context.policy.title ?? context.policy.policy}.`,
      seed_examples: sectionItems.map((item) => ({ context: context_, question: item.messages.at(-1)!.content, answer: item.reference })),
    });
    const seq = doc.get('seed_examples', true) as YAMLSeq;
    sectionItems.forEach((item, i) => {
      (seq.items[i] as { commentBefore?: string }).commentBefore = ` item ${item.iri}; rules ${item.derivedFrom.join(' ')}`;
    });
    const dir = path.join(root, 'compositional_skills', 'grounded', policySlug, slug(`section ${section.number || section.title}`));
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, 'qna.yaml');
    await writeFile(file, doc.toString({ lineWidth: 0 }));
    files.push({ file, section: section.number, examples: sectionItems.length });
  }
  return files;
}

/** A folder name: lower case, words joined with hyphens. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'untitled';
}
