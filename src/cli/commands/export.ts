/** studio export: the loaded policies as Turtle, N-Triples or JSON-LD. */

import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { EXPORT_FORMATS, serializeQuads, type ExportFormat } from '../../rdf/serialize.js';
import { openStore, storeOptions, type StoreOptions } from '../store-options.js';
import { InvalidOptionError } from '../../errors.js';

export function registerExport(program: Command): void {
  storeOptions(
    program
      .command('export')
      .description('write the loaded policies as RDF')
      .addOption(new Option('--format <format>', 'output format').choices(EXPORT_FORMATS).default('ttl'))
      .option('--policy <iri>', 'only this policy (default: all loaded policies)')
      .option('--output <file>', 'write to a file instead of stdout'),
  ).action(async (options: StoreOptions & { format: ExportFormat; policy?: string; output?: string }) => {
    const store = await openStore(options);
    try {
      if (options.policy && !(await store.listPolicies()).some((p) => p.policy === options.policy)) {
        throw new InvalidOptionError(`--policy ${options.policy}: no such policy is loaded; 'studio stats' lists them`);
      }
      const text = serializeQuads(await store.exportQuads(options.policy), options.format);
      if (options.output) await writeFile(options.output, text);
      else process.stdout.write(text);
    } finally {
      await store.close();
    }
  });
}
