/** studio export: the loaded policies as Turtle, N-Triples or JSON-LD, or one version the store keeps. */

import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { EXPORT_FORMATS, serializeQuads, type ExportFormat } from '../../rdf/serialize.js';
import { openStore, storeOptions, type StoreOptions } from '../store-options.js';
import { InvalidOptionError, VersionNotFoundError } from '../../errors.js';
import type { GraphStore } from '../../store/graph-store.js';
import { parseTurtle } from '../../rdf/turtle.js';
import { readStoredVersion } from '../../evolution/stored-versions.js';

export function registerExport(program: Command): void {
  storeOptions(
    program
      .command('export')
      .description('write the loaded policies as RDF')
      .addOption(new Option('--format <format>', 'output format').choices(EXPORT_FORMATS).default('ttl'))
      .option('--policy <iri>', 'only this policy (default: all loaded policies)')
      .option('--version <sha>', "a version the store keeps, by its SHA-256 or first digits ('studio versions' lists them); as Turtle, byte for byte as it was loaded")
      .option('--output <file>', 'write to a file instead of stdout'),
  ).action(async (options: StoreOptions & { format: ExportFormat; policy?: string; version?: string; output?: string }) => {
    const store = await openStore(options);
    try {
      if (options.policy && !(await store.listPolicies()).some((p) => p.policy === options.policy)) {
        throw new InvalidOptionError(`--policy ${options.policy}: no such policy is loaded; 'studio stats' lists them`);
      }
      const text = options.version ? await exportVersion(store, options.version, options.format, options.policy) : serializeQuads(await store.exportQuads(options.policy), options.format);
      if (options.output) await writeFile(options.output, text);
      else process.stdout.write(text);
    } finally {
      await store.close();
    }
  });
}

/** One kept (or the current) version: the Turtle as loaded, or its triples in another format. */
async function exportVersion(store: GraphStore, ref: string, format: ExportFormat, policy?: string): Promise<string> {
  const policies = policy ? [policy] : (await store.listPolicies()).map((p) => p.policy);
  // A SHA-256 names one version of one policy; without --policy, each loaded policy is asked.
  const holders: string[] = [];
  for (const candidate of policies) {
    const versions = [...(await store.listPolicies()).filter((p) => p.policy === candidate), ...(await store.listVersions(candidate))];
    if (ref === 'current' || versions.some((v) => v.sha256.startsWith(ref.toLowerCase()))) holders.push(candidate);
  }
  if (holders.length === 0) throw new VersionNotFoundError(policy ?? 'any loaded policy', ref, "no version has this SHA-256; 'studio versions' lists them");
  if (holders.length > 1) throw new InvalidOptionError(`--version ${ref}: versions of ${holders.join(', ')} match; name one with --policy`);
  const { source } = await readStoredVersion(store, holders[0]!, ref);
  return format === 'ttl' ? source.text : serializeQuads(parseTurtle(source), format);
}
