/**
 * Re-auditing only what a policy change affects. Every run keeps the digests
 * of the rules it audited (src/evolution/rule-digests.ts), one file per
 * policy version under <audits>/rule-digests/. A run asked for what changed
 * since an earlier run (`studio audit run --only-affected --since <run>`)
 * compares those with the loaded version's: the scenarios of changed,
 * removed and dependent rules are asked again, and so is every scenario the
 * earlier run did not answer or whose messages differ; the other results are
 * carried over from the earlier run, each marked with the run it came from
 * (studio:carriedOverFrom), so that the new run is complete.
 */

import path from 'node:path';
import { access, mkdir, readFile } from 'node:fs/promises';
import { writeDurably } from '../store/data-folder.js';
import { AuditRunError } from '../errors.js';
import type { PolicySnapshot } from '../evolution/snapshot.js';
import { affectedRules, type AffectedRules } from '../evolution/rule-digests.js';
import { journalRecords } from './journal.js';
import type { ResultRecord } from './result-record.js';
import { RunFolder, sortedParameters, type RunManifest } from './run-folder.js';

/** How digests are made (src/evolution/rule-digests.ts); digests made otherwise are not compared. */
const DIGESTS_VERSION = 1;

/** The digests of one policy version, kept once under the audits folder. */
function digestsFile(auditsDir: string, policySha256: string): string {
  return path.join(auditsDir, 'rule-digests', `${policySha256}.json`);
}

/** The loaded policy read as a snapshot, read once however many ask (digests kept, rules affected). */
export type SnapshotOnce = () => Promise<PolicySnapshot>;

/** Writes the digests of the loaded policy's rules (made by `digests`) for later runs, unless this version's are kept already. */
export async function keepRuleDigests(digests: () => Promise<ReadonlyMap<string, string>>, auditsDir: string, policySha256: string): Promise<void> {
  const file = digestsFile(auditsDir, policySha256);
  try {
    await access(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(path.dirname(file), { recursive: true });
    await writeDurably(file, JSON.stringify({ version: DIGESTS_VERSION, rules: Object.fromEntries(await digests()) }));
  }
}

async function readDigests(auditsDir: string, run: RunManifest): Promise<Map<string, string>> {
  const missing = `run ${run.id} kept no rule digests (it was made by an older studio); audit the whole suite once, then use --since with that run`;
  if (!run.policySha256) throw new AuditRunError(missing);
  let kept: { version?: number; rules?: Record<string, string> };
  try {
    kept = JSON.parse(await readFile(digestsFile(auditsDir, run.policySha256), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new AuditRunError(missing);
    throw new AuditRunError(`${digestsFile(auditsDir, run.policySha256)}: unreadable (${(error as Error).message})`);
  }
  if (kept.version !== DIGESTS_VERSION || typeof kept.rules !== 'object' || kept.rules === null) throw new AuditRunError(missing);
  return new Map(Object.entries(kept.rules));
}

/** What a run carries over from an earlier one, and why the rest is asked again. */
export interface CarryOver {
  readonly since: RunManifest;
  readonly affected: AffectedRules;
  /** The earlier run's results of scenarios none of whose rules is affected, by scenario. */
  readonly results: ReadonlyMap<string, ResultRecord>;
}

/** The settings a run carried over from must share with the new one: otherwise its answers say nothing of this model. */
type Settings = Pick<RunManifest, 'policy' | 'target' | 'graders'>;

/** Reads the earlier run and decides what can be carried over from it to a run of the loaded policy. */
export async function planCarryOver(snapshot: SnapshotOnce, auditsDir: string, sinceRun: string, now: Settings): Promise<CarryOver> {
  const since = await RunFolder.open(auditsDir, sinceRun);
  const m = since.manifest;
  if (!since.finished) throw new AuditRunError(`run ${m.id} did not finish; finish it (studio audit run --resume ${m.id}) or give a finished run to --since`);
  const differs: string[] = [];
  if (m.policy !== now.policy) differs.push(`policy ${m.policy} vs ${now.policy}`);
  if (m.target.endpoint !== now.target.endpoint || m.target.model !== now.target.model) differs.push(`model ${m.target.model} at ${m.target.endpoint} vs ${now.target.model} at ${now.target.endpoint}`);
  if (JSON.stringify(sortedParameters(m.target.parameters)) !== JSON.stringify(sortedParameters(now.target.parameters))) differs.push(`parameters ${JSON.stringify(m.target.parameters)} vs ${JSON.stringify(now.target.parameters)}`);
  if (JSON.stringify(m.graders) !== JSON.stringify(now.graders)) differs.push(`graders ${m.graders.join(',')} vs ${now.graders.join(',')}`);
  if (differs.length > 0) throw new AuditRunError(`--since ${m.id}: that run's results cannot stand for this one (${differs.join('; ')})`);
  const affected = affectedRules(await readDigests(auditsDir, m), await snapshot());
  const results = new Map<string, ResultRecord>();
  for await (const record of journalRecords<ResultRecord & { chain?: string }>(since.results)) {
    if (record.rules.some((rule) => affected.all.has(rule))) continue;
    const { chain: _chain, ...kept } = record;
    results.set(record.case, kept);
  }
  return { since: m, affected, results };
}
