/**
 * An InstructLab-style taxonomy: one grounded compositional skill per
 * section, compositional_skills/grounded/<policy>/<section>/qna.yaml
 * (version 2: task_description, created_by, seed_examples of context,
 * question and answer), the section's text as context. The rule IRIs of
 * each example are written as a YAML comment above it, since the format has
 * no metadata field. InstructLab's schema asks for at least 5 distinct
 * examples per file: a section with fewer is left out, listed in
 * instructlab/left-out.txt and in the result (the CLI says so on stderr).
 * Written again into the same folder, the taxonomy loses the qna.yaml of a
 * section it no longer writes.
 */

import { mkdir, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
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

/** A section left out of the taxonomy for having too few distinct examples. */
export interface LeftOutSection {
  readonly section: string;
  readonly title: string;
  readonly examples: number;
}

export interface Taxonomy {
  readonly files: readonly TaxonomyFile[];
  readonly leftOut: readonly LeftOutSection[];
}

/** The note beside the taxonomy that lists the sections left out. */
export const LEFT_OUT_NOTE = 'left-out.txt';

/** InstructLab's minimum of seed examples per qna.yaml. */
export const INSTRUCTLAB_MIN_EXAMPLES = 5;

export async function writeInstructLab(items: readonly Item[], context: PolicyContext, root: string, policySlug: string): Promise<Taxonomy> {
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
  private readonly bySection = new Map<string, { section: SectionRef; examples: Example[]; seen: Set<string> }>();

  add(items: readonly Item[]): void {
    for (const item of items) {
      const section = item.sections[0];
      if (item.type !== 'Instruction' || !section) continue;
      let entry = this.bySection.get(section.iri);
      if (!entry) this.bySection.set(section.iri, (entry = { section, examples: [], seen: new Set() }));
      // The schema wants distinct examples; the same question and answer twice counts once.
      const key = `${item.messages.at(-1)!.content}\n${item.reference}`;
      if (entry.seen.has(key)) continue;
      entry.seen.add(key);
      entry.examples.push({ item: item.iri, rules: item.derivedFrom, question: item.messages.at(-1)!.content, answer: item.reference });
    }
  }

  async write(context: PolicyContext, root: string, policySlug: string): Promise<Taxonomy> {
    const files: TaxonomyFile[] = [];
    const leftOut: LeftOutSection[] = [];
    const skills = path.join(root, 'compositional_skills', 'grounded', policySlug);
    for (const [sectionIri, { section: first, examples }] of [...this.bySection].sort(([a], [b]) => a.localeCompare(b))) {
      const section = context.sections.get(sectionIri) ?? { ...first, sourceText: '' };
      if (examples.length < INSTRUCTLAB_MIN_EXAMPLES) {
        leftOut.push({ section: section.number, title: section.title, examples: examples.length });
        continue;
      }
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
      const dir = path.join(skills, slug(`section ${section.number || section.title}`));
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, 'qna.yaml');
      await writeFile(file, doc.toString({ lineWidth: 0 }));
      files.push({ file, section: section.number, examples: examples.length });
    }
    await removeStaleFiles(skills, new Set(files.map((f) => f.file)));
    const note = path.join(root, LEFT_OUT_NOTE);
    if (leftOut.length > 0) {
      await mkdir(root, { recursive: true });
      await writeFile(
        note,
        `Sections left out of the taxonomy: InstructLab's schema asks for at least ${INSTRUCTLAB_MIN_EXAMPLES} distinct seed examples per qna.yaml.\n` +
          leftOut.map((l) => `section ${l.section} (${l.title}): ${l.examples} example${l.examples === 1 ? '' : 's'}\n`).join(''),
      );
    } else {
      await rm(note, { force: true });
    }
    return { files, leftOut };
  }
}

/**
 * Removes the qna.yaml of each section folder an earlier run wrote and this
 * one did not (the section is gone, or now has too few examples), and the
 * folder if nothing else is left in it: InstructLab reads every qna.yaml of
 * the taxonomy. Other files are left alone.
 */
async function removeStaleFiles(skills: string, written: ReadonlySet<string>): Promise<void> {
  const folders = await readdir(skills, { withFileTypes: true }).catch(() => []);
  for (const folder of folders) {
    if (!folder.isDirectory()) continue;
    const dir = path.join(skills, folder.name);
    const file = path.join(dir, 'qna.yaml');
    if (written.has(file)) continue;
    await rm(file, { force: true });
    await rmdir(dir).catch(() => undefined);
  }
}

/** A folder name: lower case, words joined with hyphens. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'untitled';
}
