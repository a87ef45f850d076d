/**
 * A version of a policy as a user names it on the command line: a Turtle
 * file, `file@<git-rev>` for that file as it was at a git revision (read
 * with `git show`), or `IRI@<sha>` / `IRI@current` for a version the store
 * keeps (src/evolution/stored-versions.ts). Checked like `studio load`
 * checks a file: syntax errors and shape violations name the file (with its
 * revision) and the line.
 */

import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Quad } from '@rdfjs/types';
import { parseTurtle, readTurtle, type TurtleSource } from '../rdf/turtle.js';
import { PolicyValidator } from '../validation/validator.js';
import { formatReport } from '../cli/validation-output.js';
import { SourceNotFoundError, VersionInvalidError } from '../errors.js';
import { parseStoredVersion } from './stored-versions.js';

const run = promisify(execFile);

/** Reads a version the store keeps: the policy's IRI and `current` or a SHA-256 (or its first digits). */
export type StoredVersionReader = (policy: string, ref: string) => Promise<TurtleSource>;

/**
 * Reads `file`, `file@rev` or, given `stored`, `IRI@sha`; a file that exists
 * by the whole name is read as a file.
 */
export async function readVersionSource(spec: string, stored?: StoredVersionReader): Promise<TurtleSource> {
  const at = spec.lastIndexOf('@');
  if (at <= 0 || (await exists(spec))) return readTurtle(spec);
  const named = stored ? parseStoredVersion(spec) : undefined;
  if (named) return stored!(named.policy, named.ref);
  const file = spec.slice(0, at);
  const rev = spec.slice(at + 1);
  if (!rev) return readTurtle(spec);
  const absolute = path.resolve(file);
  try {
    // "rev:./name" is relative to the working directory git runs in: the file's own folder.
    const { stdout } = await run('git', ['show', `${rev}:./${path.basename(absolute)}`], { cwd: path.dirname(absolute), maxBuffer: 1 << 30, encoding: 'utf8' });
    return { file: spec, text: stdout, baseIri: pathToFileURL(absolute).href };
  } catch (error) {
    const detail = String((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split('\n')[0];
    throw new SourceNotFoundError(spec, `cannot read ${file} at git revision ${rev}: ${detail}`);
  }
}

/**
 * Parses a version (a TurtleSyntaxError names file:line:column) and, unless told not to, checks it against the
 * shapes; violations are written to stderr as `studio validate` writes them, then VersionInvalidError.
 */
export async function readVersion(spec: string, options: { validate: boolean; validator?: PolicyValidator; stored?: StoredVersionReader }): Promise<{ source: TurtleSource; quads: Quad[] }> {
  const source = await readVersionSource(spec, options.stored);
  const quads = parseTurtle(source);
  if (options.validate) {
    const validator = options.validator ?? (await PolicyValidator.create());
    const violations = await validator.validateParsed(source, quads);
    if (violations.length > 0) {
      process.stderr.write(formatReport({ conforms: false, files: [source.file], syntaxErrors: [], violations, triples: quads.length }));
      throw new VersionInvalidError(source.file, violations.length);
    }
  }
  return { source, quads };
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
