/**
 * studio versions: the versions of each policy the store keeps (the one
 * loaded now and those it replaced), and `studio versions restore IRI@sha`,
 * which loads a kept version again, keeping the one it replaces in turn.
 */

import { Option, type Command } from 'commander';
import { parseTurtle } from '../../rdf/turtle.js';
import { serializeQuads } from '../../rdf/serialize.js';
import { checkIsolation } from '../../store/policy-isolation.js';
import { policyVersions, parseStoredVersion, readStoredVersion } from '../../evolution/stored-versions.js';
import { versionQuads, type VersionRow } from '../../evolution/version-record.js';
import { PolicyValidator } from '../../validation/validator.js';
import { preparePolicy } from '../../validation/upload-check.js';
import { InvalidOptionError, PolicyInvalidError } from '../../errors.js';
import { formatReport } from '../validation-output.js';
import { withProgress } from '../progress.js';
import { openStore, storeOptions, type StoreOptions } from '../store-options.js';
import { formatTable, printJson } from '../output.js';
import { loadRecord, toChecked } from './load.js';

const FORMATS = ['table', 'json', 'ttl'] as const;

export function registerVersions(program: Command): void {
  const versions = storeOptions(
    program
      .command('versions')
      .description('list the versions of each policy the store keeps: the current one and those a changed load replaced (newest first)')
      .option('--policy <iri>', 'only this policy')
      .addOption(new Option('--format <format>', 'output').choices(FORMATS).default('table')),
  ).action(async (options: StoreOptions & { policy?: string; format: (typeof FORMATS)[number] }) => {
    const store = await openStore(options);
    try {
      const policies = options.policy ? [options.policy] : (await store.listPolicies()).map((p) => p.policy);
      const rows: VersionRow[] = [];
      for (const policy of policies) {
        const { current, kept } = await policyVersions(store, policy);
        rows.push({ ...current, current: true }, ...kept.map((v) => ({ ...v, current: false })));
      }
      if (options.format === 'json') printJson(rows);
      else if (options.format === 'ttl') process.stdout.write(serializeQuads(versionQuads(rows), 'ttl'));
      else {
        process.stdout.write(
          formatTable(
            ['policy', 'sha256', '', 'loaded at', 'by', 'triples', 'revision of'],
            rows.map((v) => [v.policy, v.sha256.slice(0, 12), v.current ? 'current' : '', v.loadedAt, v.loadedBy ?? '', v.triples, v.revisionOf?.slice(0, 12) ?? '']),
          ) + '\n',
        );
      }
    } finally {
      await store.close();
    }
  });

  // The store options are the parent's (commander gives a parent's options to it wherever they stand).
  versions
    .command('restore')
    .description('make a kept version current again (a load: the version it replaces is kept in turn)')
    .argument('<version>', 'IRI@sha: the policy IRI and the version\'s SHA-256 (or its first digits)')
    .option('--no-validate', 'skip the shapes (syntax is always checked)')
    .option('--json', 'print what was loaded as JSON')
    .action(async (spec: string, _options: unknown, command: Command) => {
      const options = command.optsWithGlobals<StoreOptions & { validate: boolean; json?: boolean }>();
      const named = parseStoredVersion(spec);
      if (!named || named.ref === 'current') throw new InvalidOptionError(`${spec}: give IRI@sha, the policy's IRI and a kept version's SHA-256 (or its first digits), as 'studio versions' lists them`);
      const store = await openStore(options);
      try {
        const { version, source: stored } = await readStoredVersion(store, named.policy, named.ref);
        // Under the name it was loaded as: the version is its text, and the text's SHA-256 is unchanged.
        const source = { ...stored, file: version.source };
        const quads = parseTurtle(source);
        if (options.validate) {
          const violations = await (await PolicyValidator.create()).validateParsed(source, quads);
          if (violations.length > 0) {
            process.stderr.write(formatReport({ conforms: false, files: [spec], syntaxErrors: [], violations, triples: quads.length }));
            throw new PolicyInvalidError(spec, violations.length);
          }
        }
        const checked = toChecked(preparePolicy(source, quads));
        await checkIsolation(store, spec, checked);
        const loaded = await withProgress(`restoring ${version.sha256.slice(0, 12)}`, (progress) => store.loadPolicy(source, progress, checked, loadRecord()));
        if (options.json) printJson(loaded);
        else process.stdout.write(`restored ${loaded.policy} at ${loaded.sha256.slice(0, 12)}${loaded.revisionOf ? ` (replacing ${loaded.revisionOf.slice(0, 12)}, kept)` : ''}\n`);
      } finally {
        await store.close();
      }
    });
}
