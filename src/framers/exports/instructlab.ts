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

import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Document, type YAMLSeq } from 'yaml';
import type { Item } from '../item.js';
import type { PolicyContext } from '../policy-context.js';
import type { SectionRef } from '../expectations.js';
import { sha256 } from '../hierarchy.js';

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

/** A qna.yaml as a run wrote it, for a later run to leave as it is (kept in the dataset folder's record, by its path under the taxonomy's root). */
export interface WrittenSkill {
  /** SHA-256 of what the file is made of: the context and description it opens with, and its items in order. */
  readonly inputs: string;
  /** SHA-256 of the file's bytes. */
  readonly sha256: string;
  readonly examples: number;
}

/** The files a taxonomy wrote, with what a later run needs to leave each as it is. */
export interface WrittenTaxonomy extends Taxonomy {
  /** Each qna.yaml written or left, by its path under the taxonomy's root (with "/"). */
  readonly skills: Readonly<Record<string, WrittenSkill>>;
}

/**
 * The taxonomy gathered a batch of items at a time: only instructions, whose
 * texts are read once the file is written (a section's file can only be
 * written once its last example is known). An item copied from the earlier
 * run (`copied`, selective regeneration) says what it said then: a section
 * of such items alone, the same items in the same order, under the same
 * context, has the file the earlier run wrote, which is left as it is when
 * its bytes are still those (`write`'s `earlier`).
 */
export class InstructLabTaxonomy {
  /** Each section's instructions in order: a rendered item as its example (its texts taken at once, so that a run's items need not stay in memory), a copied one as the item, read if its file is written. */
  private readonly bySection = new Map<string, { section: SectionRef; items: (Example | Item)[]; rendered: boolean }>();

  add(items: readonly Item[], copied?: (item: Item, index: number) => boolean): void {
    for (const [index, item] of items.entries()) {
      const section = item.sections[0];
      if (item.type !== 'Instruction' || !section) continue;
      let entry = this.bySection.get(section.iri);
      if (!entry) this.bySection.set(section.iri, (entry = { section, items: [], rendered: false }));
      if (copied?.(item, index)) entry.items.push(item);
      else {
        entry.items.push(exampleOf(item));
        entry.rendered = true;
      }
    }
  }

  /** Writes a qna.yaml per section; with `earlier`, the files the run before wrote (by path under `root`), each left as it is when it would be written the same. */
  async write(context: PolicyContext, root: string, policySlug: string, earlier?: Readonly<Record<string, WrittenSkill>>): Promise<WrittenTaxonomy> {
    const files: TaxonomyFile[] = [];
    const leftOut: LeftOutSection[] = [];
    const skills: Record<string, WrittenSkill> = {};
    const folder = path.join(root, 'compositional_skills', 'grounded', policySlug);
    for (const [sectionIri, { section: first, items, rendered }] of [...this.bySection].sort(([a], [b]) => a.localeCompare(b))) {
      const section = context.sections.get(sectionIri) ?? { ...first, sourceText: '' };
      const context_ = section.sourceText || `Section ${section.number}, ${section.title}`;
      const description = `Answer questions about section ${section.number} (${section.title}) of the ${context.policy.title ?? context.policy.policy}.`;
      const dir = path.join(folder, slug(`section ${section.number || section.title}`));
      const file = path.join(dir, 'qna.yaml');
      const name = path.relative(root, file).split(path.sep).join('/');
      const inputs = sha256(JSON.stringify([context_, description, items.map((i) => ('item' in i ? i.item : i.iri))]));
      const before = earlier?.[name];
      if (!rendered && before?.inputs === inputs && (await sha256Of(file)) === before.sha256) {
        files.push({ file, section: section.number, examples: before.examples });
        skills[name] = before;
        continue;
      }
      const examples = distinctExamples(items);
      if (examples.length < INSTRUCTLAB_MIN_EXAMPLES) {
        leftOut.push({ section: section.number, title: section.title, examples: examples.length });
        continue;
      }
      const doc = new Document({
        version: 2,
        created_by: 'alignment-studio',
        task_description: description,
        seed_examples: examples.map((e) => ({ context: context_, question: e.question, answer: e.answer })),
      });
      const seq = doc.get('seed_examples', true) as YAMLSeq;
      examples.forEach((e, i) => {
        (seq.items[i] as { commentBefore?: string }).commentBefore = ` item ${e.item}; rules ${e.rules.join(' ')}`;
      });
      await mkdir(dir, { recursive: true });
      const text = doc.toString({ lineWidth: 0 });
      await writeFile(file, text);
      files.push({ file, section: section.number, examples: examples.length });
      skills[name] = { inputs, sha256: sha256(text), examples: examples.length };
    }
    await removeStaleFiles(folder, new Set(files.map((f) => f.file)));
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
    return { files, leftOut, skills };
  }
}

/** A section's examples, in order: the schema wants distinct ones, so the same question and answer twice counts once. */
function distinctExamples(items: readonly (Example | Item)[]): Example[] {
  const seen = new Set<string>();
  const examples: Example[] = [];
  for (const item of items) {
    const example = 'item' in item ? item : exampleOf(item);
    const key = `${example.question}\n${example.answer}`;
    if (seen.has(key)) continue;
    seen.add(key);
    examples.push(example);
  }
  return examples;
}

function exampleOf(item: Item): Example {
  return { item: item.iri, rules: item.derivedFrom, question: item.messages.at(-1)!.content, answer: item.reference };
}

/** SHA-256 of a file's bytes; undefined when it cannot be read. */
async function sha256Of(file: string): Promise<string | undefined> {
  const bytes = await readFile(file).catch(() => undefined);
  return bytes && createHash('sha256').update(bytes).digest('hex');
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
