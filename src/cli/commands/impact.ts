/**
 * studio impact: what a change between two versions of a policy touches: the
 * rules that depend on a changed rule, and the conflicts that appear,
 * disappear or resolve otherwise. Exit codes as studio diff: 1 when anything
 * changed, 0 when nothing did, 2 on bad input.
 */

import type { Command } from 'commander';
import { resolveConfig } from '../../config.js';
import { hasChanges } from '../../evolution/diff.js';
import { policyImpact } from '../../evolution/impact.js';
import { formatImpact } from '../../evolution/impact-format.js';
import { diffFormat, readBoth, storedVersions, versionArguments, type VersionOptions } from './diff.js';

export function registerImpact(program: Command): void {
  versionArguments(
    program
      .command('impact')
      .description('what a change between two versions of a policy touches: rules depending on a changed rule (references, exceptions, overrides, notwithstanding, documented conflicts) and conflicts that appear, disappear or resolve otherwise; exit 1 on any change, 0 on none, 2 on bad input')
      .option('--precedence <principles>', 'order of principles for conflict detection, as in studio conflicts'),
  ).action(async (oldSpec: string, newSpec: string, options: VersionOptions & { precedence?: string }) => {
    const format = diffFormat(options.format);
    const { precedence } = resolveConfig(options.precedence ? { precedence: options.precedence } : {});
    const stored = storedVersions(options);
    const { before, after } = await readBoth(oldSpec, newSpec, options.validate, stored.read).finally(() => stored.close());
    const impact = await policyImpact(before, after, { precedence });
    process.stdout.write(formatImpact(impact, format));
    process.exitCode = hasChanges(impact.diff) ? 1 : 0;
  });
}
