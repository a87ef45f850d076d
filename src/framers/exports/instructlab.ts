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
 * its bytes are still those (`write`'s `earlier`); in a section written
 * again, a copied item's example is taken from that file as it was written.
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
      // The earlier run's file, while its bytes are still those it wrote.
      const bytes = before ? await readFile(file).catch(() => undefined) : undefined;
      const vouched = bytes !== undefined && createHash('sha256').update(bytes).digest('hex') === before!.sha256 ? bytes.toString('utf8') : undefined;
      if (!rendered && before?.inputs === inputs && vouched !== undefined) {
        files.push({ file, section: section.number, examples: before.examples });
        skills[name] = before;
        continue;
      }
      const text = qnaText(context_, description, items, vouched);
      const examples = text.examples;
      if (examples < INSTRUCTLAB_MIN_EXAMPLES) {
        leftOut.push({ section: section.number, title: section.title, examples });
        continue;
      }
      await mkdir(dir, { recursive: true });
      await writeFile(file, text.text);
      files.push({ file, section: section.number, examples });
      skills[name] = { inputs, sha256: sha256(text.text), examples };
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

/**
 * A section's qna.yaml and how many examples it holds: its items' examples in
 * order, each once (the schema wants distinct ones: the same question and
 * answer twice counts once). Given the text the earlier run wrote for the
 * section (`earlier`, its bytes vouched for), a copied item's example is
 * taken from it as it was written, its texts never read; the others are
 * rendered together. A piece of YAML is the same bytes in any file (a block
 * sequence's entry at the same indentation, lines never folded), so the
 * text is a full run's.
 */
function qnaText(context: string, description: string, items: readonly (Example | Item)[], earlier: string | undefined): { readonly text: string; readonly examples: number } {
  const kept = earlier === undefined ? undefined : piecesByItem(earlier);
  const taken = items.map((item) => ('item' in item ? undefined : kept?.get(item.iri)));
  // The examples to render, each once by its question and answer (the same twice renders to the same bytes).
  const seen = new Set<string>();
  const examples: Example[] = [];
  const exampleAt = new Map<number, number>();
  items.forEach((item, index) => {
    if (taken[index] !== undefined) return;
    const example = 'item' in item ? item : exampleOf(item);
    const key = `${example.question}\n${example.answer}`;
    if (seen.has(key)) return;
    seen.add(key);
    exampleAt.set(index, examples.length);
    examples.push(example);
  });
  const rendered = renderQna(context, description, examples);
  // A piece written under another context is not this section's: every example is rendered then.
  if (taken.some((piece) => piece !== undefined && !bodyOf(piece).startsWith(rendered.contextLine))) return qnaText(context, description, items, undefined);
  const bodies = new Set<string>();
  let text = rendered.head;
  items.forEach((_, index) => {
    const at = exampleAt.get(index);
    const piece = taken[index] ?? (at === undefined ? undefined : rendered.pieces[at]);
    if (piece === undefined) return;
    const body = bodyOf(piece);
    if (bodies.has(body)) return;
    bodies.add(body);
    text += piece;
  });
  return { text, examples: bodies.size };
}

/** The line a seed example's comment opens with (written above its entry: see renderQna). */
const ITEM_COMMENT = '  # item ';

/**
 * The qna.yaml of examples, as its opening (up to "seed_examples:") and one
 * piece per example: its comment line and its entry; with the line each
 * entry opens with, which names the context. Without examples, the opening
 * and that line still (of an example rendered for them alone).
 */
function renderQna(context: string, description: string, examples: readonly Example[]): { readonly head: string; readonly pieces: readonly string[]; readonly contextLine: string } {
  const list = examples.length > 0 ? examples : [{ item: '', rules: [], question: '?', answer: '?' }];
  const doc = new Document({
    version: 2,
    created_by: 'alignment-studio',
    task_description: description,
    seed_examples: list.map((e) => ({ context, question: e.question, answer: e.answer })),
  });
  const seq = doc.get('seed_examples', true) as YAMLSeq;
  list.forEach((e, i) => {
    (seq.items[i] as { commentBefore?: string }).commentBefore = ` item ${e.item}; rules ${e.rules.join(' ')}`;
  });
  const text = doc.toString({ lineWidth: 0 });
  const first = text.indexOf(`\n${ITEM_COMMENT}`) + 1;
  const pieces = splitPieces(text.slice(first));
  const body = bodyOf(pieces[0]!);
  return { head: text.slice(0, first), pieces: examples.length > 0 ? pieces : [], contextLine: body.slice(0, body.indexOf('\n') + 1) };
}

/** The pieces of the seed examples' text, each from its comment line up to the next one's. */
function splitPieces(examples: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (let next = examples.indexOf(`\n${ITEM_COMMENT}`); next >= 0; next = examples.indexOf(`\n${ITEM_COMMENT}`, start)) {
    pieces.push(examples.slice(start, next + 1));
    start = next + 1;
  }
  pieces.push(examples.slice(start));
  return pieces;
}

/** A qna.yaml's pieces (see renderQna) by the item their comment names. */
function piecesByItem(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const first = text.indexOf(`\n${ITEM_COMMENT}`);
  if (first < 0) return out;
  for (const piece of splitPieces(text.slice(first + 1))) {
    const end = piece.indexOf(';');
    if (end > ITEM_COMMENT.length) out.set(piece.slice(ITEM_COMMENT.length, end), piece);
  }
  return out;
}

/** A piece without its comment line: the example itself. */
function bodyOf(piece: string): string {
  return piece.slice(piece.indexOf('\n') + 1);
}

function exampleOf(item: Item): Example {
  return { item: item.iri, rules: item.derivedFrom, question: item.messages.at(-1)!.content, answer: item.reference };
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
