/**
 * Which generator code made a run: the fingerprint of the framers' source
 * files (this folder, its subfolders included; src/code-fingerprint.ts),
 * read as the module loads. Selective regeneration splices an earlier run's
 * items only when they were made by the same code (selective.ts): an item's
 * IRI hashes its template, rules, terms and seed, not the code that picked
 * its terms or wrote its expectations, so a run of other code may have made
 * other items for the same IRI. Any edit of a file here counts, even one
 * that changes no item: the splice then gives way to the framer's full
 * pass, which gives the same bytes, more slowly.
 */

import { codeFingerprint } from '../code-fingerprint.js';

/** The fingerprint of the generator code running now. */
export function generatorCode(): string {
  return FINGERPRINT;
}

const FINGERPRINT = codeFingerprint(import.meta.url);
