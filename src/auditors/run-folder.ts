/**
 * Where an audit run lives while it runs and after: a folder of its own under
 * <dataDir>/audits/<run id>/ holding run.json (what was run, against which
 * model, at which stage, and whether it finished), results.jsonl (the
 * journal of results, one per scenario) and human.jsonl (verdicts reviewers
 * imported later). The folder is the record a killed run resumes from; the
 * graph is written from it.
 */

import { randomBytes } from 'node:crypto';
import { writeDurably } from '../store/data-folder.js';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { AuditRunError } from '../errors.js';
import { GENERATED_NS } from '../framers/item.js';
import { sha256 } from '../framers/hierarchy.js';
import type { SuiteFilter } from './suite.js';

/** The lifecycle stages a run can record. */
export const STAGES = ['Baseline', 'AfterTraining', 'BeforeRelease', 'ProductionMonitoring'] as const;
export type Stage = (typeof STAGES)[number];

/** Stage names as users type them: baseline, after-training, before-release, production-monitoring. */
export function parseStage(text: string): Stage {
  const key = text.replace(/[-_\s]/g, '').toLowerCase();
  const stage = STAGES.find((s) => s.toLowerCase() === key);
  if (!stage) throw new AuditRunError(`unknown stage '${text}'; stages: ${STAGES.map(stageOption).join(', ')}`);
  return stage;
}

/** baseline, after-training ... */
export function stageOption(stage: Stage): string {
  return stage.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}

/** What a run is: enough to resume it, to describe it in the graph and to compare it. */
export interface RunManifest {
  readonly version: 1;
  /** Sortable: the start time and a random suffix. */
  readonly id: string;
  readonly iri: string;
  readonly policy: string;
  readonly stage: Stage;
  readonly suite: { readonly file: string; readonly sha256: string; readonly cases: number; readonly filter: SuiteFilter };
  /** The model under audit. */
  readonly target: { readonly endpoint: string; readonly model: string; readonly parameters: Readonly<Record<string, unknown>> };
  /** The judge, when one grades. */
  readonly judge?: { readonly endpoint: string; readonly model: string };
  /** Ids of the graders that grade every result. */
  readonly graders: readonly string[];
  /** Free text from --label, e.g. "checkpoint 3". */
  readonly label?: string;
  /** The SHA-256 of the policy version audited (its rules' digests are kept under <audits>/rule-digests/). */
  readonly policySha256?: string;
  /** With --only-affected: the id of the run whose results of unaffected rules this run carries over. */
  readonly since?: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
}

/** The IRI of the model under audit: its endpoint and name. */
export function modelIri(endpoint: string, model: string): string {
  return `${GENERATED_NS}model/${sha256(JSON.stringify([endpoint, model])).slice(0, 32)}`;
}

/** The IRI of a suite: its content. */
export function suiteIri(sha: string): string {
  return `${GENERATED_NS}suite/${sha.slice(0, 32)}`;
}

/** The IRI of a run, by its id. */
export function runIri(id: string): string {
  return `${GENERATED_NS}audit/${id}`;
}

/** The derived graph holding a run's results. */
export function runGraphIri(id: string): string {
  return `${GENERATED_NS}graph/audit/${id}`;
}

/** The rules a run with --only-affected found changed, removed or depending on those since its earlier run. */
export interface AffectedSince {
  readonly since: string;
  readonly changed: readonly string[];
  readonly removed: readonly string[];
  readonly dependents: readonly { readonly rule: string; readonly on: string; readonly via: string; readonly depth: number }[];
}

/** Model parameters with their keys in order, so that two runs' parameters compare as JSON. */
export function sortedParameters(parameters: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(parameters).sort(([a], [b]) => a.localeCompare(b)));
}

/** What must match for an unfinished run to be resumed rather than a new one started. */
export function resumeKey(m: Pick<RunManifest, 'policy' | 'stage' | 'suite' | 'target' | 'judge' | 'graders' | 'since'>): string {
  return JSON.stringify([m.policy, m.stage, m.suite.sha256, m.suite.filter, m.target.endpoint, m.target.model, sortedParameters(m.target.parameters), m.judge ?? null, m.graders, ...(m.since ? [m.since] : [])]);
}

export class RunFolder {
  static readonly MANIFEST = 'run.json';
  static readonly RESULTS = 'results.jsonl';
  static readonly HUMAN = 'human.jsonl';
  static readonly RULES = 'rules.json';
  static readonly AFFECTED = 'affected.json';

  private constructor(readonly folder: string, public manifest: RunManifest) {}

  get results(): string {
    return path.join(this.folder, RunFolder.RESULTS);
  }

  get human(): string {
    return path.join(this.folder, RunFolder.HUMAN);
  }

  get finished(): boolean {
    return this.manifest.finishedAt !== undefined;
  }

  /** A new run's folder, its manifest written. */
  static async create(auditsDir: string, fields: Omit<RunManifest, 'version' | 'id' | 'iri' | 'startedAt'>, now = new Date()): Promise<RunFolder> {
    const id = `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
    const manifest: RunManifest = { version: 1, id, iri: runIri(id), ...fields, startedAt: now.toISOString() };
    const folder = path.join(auditsDir, id);
    await mkdir(folder, { recursive: true });
    const run = new RunFolder(folder, manifest);
    await run.save();
    return run;
  }

  /** A run's folder by id (or IRI); AuditRunError when there is none. */
  static async open(auditsDir: string, idOrIri: string): Promise<RunFolder> {
    const id = idOrIri.startsWith(`${GENERATED_NS}audit/`) ? idOrIri.slice(`${GENERATED_NS}audit/`.length) : idOrIri;
    if (!/^[0-9TZ]+-[0-9a-f]{6}$/.test(id)) throw new AuditRunError(`'${idOrIri}' is not an audit run id (like 20261127T101500Z-a1b2c3); 'studio audit list' shows the runs`);
    const folder = path.join(auditsDir, id);
    let manifest: RunManifest;
    try {
      manifest = JSON.parse(await readFile(path.join(folder, RunFolder.MANIFEST), 'utf8')) as RunManifest;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new AuditRunError(`no audit run ${id} in ${auditsDir}; 'studio audit list' shows the runs`);
      throw new AuditRunError(`${path.join(folder, RunFolder.MANIFEST)}: unreadable (${(error as Error).message})`);
    }
    return new RunFolder(folder, manifest);
  }

  /** Every run kept, oldest first. */
  static async list(auditsDir: string): Promise<RunFolder[]> {
    let names: string[];
    try {
      names = await readdir(auditsDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const runs: RunFolder[] = [];
    for (const name of names.sort()) {
      if (!/^[0-9TZ]+-[0-9a-f]{6}$/.test(name)) continue;
      try {
        runs.push(await RunFolder.open(auditsDir, name));
      } catch {
        // A folder whose manifest was never written (killed in the first millisecond) holds nothing to resume.
      }
    }
    return runs;
  }

  /** Keeps the text of every provision as the run found it. */
  async saveRuleTexts(texts: ReadonlyMap<string, string>): Promise<void> {
    await writeDurably(path.join(this.folder, RunFolder.RULES), JSON.stringify(Object.fromEntries(texts)));
  }

  /** The texts saveRuleTexts kept (none for a run killed before it wrote them). */
  async readRuleTexts(): Promise<Map<string, string>> {
    try {
      return new Map(Object.entries(JSON.parse(await readFile(path.join(this.folder, RunFolder.RULES), 'utf8')) as Record<string, string>));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw new AuditRunError(`${path.join(this.folder, RunFolder.RULES)}: unreadable (${(error as Error).message})`);
    }
  }

  /** Keeps what a run with --only-affected found changed since its earlier run, for the change report. */
  async saveAffected(affected: AffectedSince): Promise<void> {
    await writeDurably(path.join(this.folder, RunFolder.AFFECTED), JSON.stringify(affected));
  }

  /** What saveAffected kept; undefined for a run made without --only-affected. */
  async readAffected(): Promise<AffectedSince | undefined> {
    try {
      return JSON.parse(await readFile(path.join(this.folder, RunFolder.AFFECTED), 'utf8')) as AffectedSince;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new AuditRunError(`${path.join(this.folder, RunFolder.AFFECTED)}: unreadable (${(error as Error).message})`);
    }
  }

  /** Marks the run finished. */
  async finish(now = new Date()): Promise<void> {
    this.manifest = { ...this.manifest, finishedAt: now.toISOString() };
    await this.save();
  }

  private async save(): Promise<void> {
    await writeDurably(path.join(this.folder, RunFolder.MANIFEST), `${JSON.stringify(this.manifest, null, 2)}\n`);
  }
}
