/**
 * A fingerprint of the code in a folder: a SHA-256 of its source files (its
 * subfolders included, .ts and .js alike), read once per folder and process.
 * What a run derived and kept for a later one (the items a generation
 * splices, the facts a version is loaded with) names the code that derived
 * it; other code may derive otherwise, so a later run takes it only from the
 * same code. In a bundle, the folder is the bundle's: any change counts.
 */

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fingerprints = new Map<string, string>();

/** The fingerprint of the folder a module (its import.meta.url) sits in. */
export function codeFingerprint(moduleUrl: string): string {
  const folder = path.dirname(fileURLToPath(moduleUrl));
  let fingerprint = fingerprints.get(folder);
  if (fingerprint === undefined) fingerprints.set(folder, (fingerprint = fingerprintOf(folder)));
  return fingerprint;
}

function fingerprintOf(root: string): string {
  const hash = createHash('sha256');
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.(ts|js|mjs|cjs)$/.test(entry.name)) hash.update(`${path.relative(root, file)}\n${readFileSync(file, 'utf8')}\0`);
    }
  };
  walk(root);
  return hash.digest('hex');
}
