/** Finds the Turtle files a user names: files as given, folders searched recursively. */

import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { SourceNotFoundError } from '../errors.js';

const TURTLE_EXTENSIONS = new Set(['.ttl']);

/** Expands files and folders into a sorted, de-duplicated list of .ttl files. */
export async function collectTurtleFiles(paths: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const given of paths) {
    let info;
    try {
      info = await stat(given);
    } catch {
      throw new SourceNotFoundError(given, 'no such file or folder');
    }
    if (info.isDirectory()) {
      for (const file of await walk(given)) found.add(file);
    } else {
      found.add(given);
    }
  }
  if (found.size === 0) throw new SourceNotFoundError(paths.join(', '), 'no .ttl files found');
  return [...found].sort();
}

async function walk(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(full)));
    else if (TURTLE_EXTENSIONS.has(path.extname(entry.name))) files.push(full);
  }
  return files;
}
