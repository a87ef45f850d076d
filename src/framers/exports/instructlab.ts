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
import type { SectionRef } from '../expectations.js';

export interface TaxonomyFile {
  readonly file: string;
  readonly section: string;
  readonly examples: number;
}

/** InstructLab's minimum of seed examples per qna.yaml. */
export const INSTRUCTLAB_MIN_EXAMPLES = 5;

export async function writeInstructLab(items: readonly Item[], context: PolicyContext, root: string, policySlug: string): Promise<TaxonomyFile[]> {
  const taxonomy = new InstructLabTaxonomy();
  taxonomy.add(items);
  return taxonomy.write(context, root, policySlug);
}

/** One seed example, with what its comment names. */
interface Example {
  readonly item: string;
  readonly rules: readonly string[];
  readonly question: string;
  readonly answer: string;
}

/**
 * The taxonomy gathered a batch of items at a time: only instructions, and
 * of each only what its example needs, since a file per section can only be
 * written once the section's last example is known.
 */
export class InstructLabTaxonomy {
  private readonly bySection = new Map<string, { section: SectionRef; examples: Example[] }>();

  add(items: readonly Item[]): void {
    for (const item of items) {
      const section = item.sections[0];
      if (item.type !== 'Instruction' || !section) continue;
      let entry = this.bySection.get(section.iri);
      if (!entry) this.bySection.set(section.iri, (entry = { section, examples: [] }));
      entry.examples.push({ item: item.iri, rules: item.derivedFrom, question: item.messages.at(-1)!.content, answer: item.reference });
    }
  }

  async write(context: PolicyContext, root: string, policySlug: string): Promise<TaxonomyFile[]> {
    const files: TaxonomyFile[] = [];
    for (const [sectionIri, { section: first, examples }] of [...this.bySection].sort(([a], [b]) => a.localeCompare(b))) {
      const section = context.sections.get(sectionIri) ?? { ...first, sourceText: '' };
      const context_ = section.sourceText || `Section ${section.number}, ${section.title}`;
      const doc = new Document({
        version: 2,
        created_by: 'alignment-studio',
        task_description: `Answer questions about section ${section.number} (${section.title}) of the ${context.policy.title ?? context.policy.policy}.`,
        seed_examples: examples.map((e) => ({ context: context_, question: e.question, answer: e.answer })),
      });
      const seq = doc.get('seed_examples', true) as YAMLSeq;
      examples.forEach((e, i) => {
        (seq.items[i] as { commentBefore?: string }).commentBefore = ` item ${e.item}; rules ${e.rules.join(' ')}`;
      });
      const dir = path.join(root, 'compositional_skills', 'grounded', policySlug, slug(`section ${section.number || section.title}`));
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, 'qna.yaml');
      await writeFile(file, doc.toString({ lineWidth: 0 }));
      files.push({ file, section: section.number, examples: examples.length });
    }
    return files;
  }
}

/** A folder name: lower case, words joined with hyphens. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'untitled';
}
