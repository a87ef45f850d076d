/**
 * Which generator code made a run: a SHA-256 of the framers' source files
 * (this folder, its subfolders included), read once per process. Selective
 * regeneration splices an earlier run's items only when they were made by
 * the same code (selective.ts): an item's IRI hashes its template, rules,
 * terms and seed, not the code that picked its terms or wrote its
 * expectations, so a run of other code may have made other items for the
 * same IRI. Any edit of a file here counts, even one that changes no item:
 * the splice then gives way to the framer's full pass, which gives the same
 * bytes, more slowly.
 */

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from './hierarchy.js';

/** The fingerprint of the generator code running now: read as the module loads, with the code it describes. */
export function generatorCode(): string {
  return FINGERPRINT;
}

function fingerprintOf(root: string): string {
  const parts: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.(ts|js|mjs|cjs)$/.test(entry.name)) parts.push(`${path.relative(root, file)}\n${readFileSync(file, 'utf8')}`);
    }
  };
  walk(root);
  return sha256(parts.join('\0'));
}

const FINGERPRINT = fingerprintOf(path.dirname(fileURLToPath(import.meta.url)));
