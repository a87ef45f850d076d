/**
 * The audit job: `studio audit run` for one loaded policy, through the API.
 * It writes the policy's evaluation suite (the items generation makes with
 * the given seed, as `studio generate --out` exports them) into the server's
 * data folder, runs it against the server's configured target model, grades
 * the answers (the deterministic checks, and the judge when asked), and
 * records the run's graph: one write, at the end. The run keeps its folder
 * under <dataDir>/audits like any other, so `studio audit list|compare`
 * and the report see it; a cancelled or failed job leaves an unfinished run
 * that the same job (or the same CLI command) resumes.
 */

import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { auditsDir as auditsFolder, runAudit } from '../../auditors/audit-run.js';
import { RunFolder, STAGES, type Stage } from '../../auditors/run-folder.js';
import { journalRecords } from '../../auditors/journal.js';
import type { ResultRecord } from '../../auditors/result-record.js';
import { summarise } from '../../auditors/summary.js';
import { FAMILIES, Framer } from '../../framers/generate.js';
import { readPolicyContext } from '../../framers/policy-context.js';
import { TemplateLibrary } from '../../framers/templates.js';
import { evalRecords } from '../../framers/exports/eval-suite.js';
import { writeJsonl } from '../../framers/exports/jsonl.js';
import { defaultSystemPrompt } from '../../framers/exports/write-exports.js';
import { sha256 } from '../../framers/hierarchy.js';
import { ITEM_TYPES } from '../../framers/templates.js';
import { LlmClient } from '../../llm/client.js';
import type { LlmConfig } from '../../llm/llm-config.js';
import { findLoadedPolicy } from '../derived-graphs.js';
import { AUDIT_STARTERS } from '../auth.js';
import { HttpProblem } from '../problem.js';
import { iri } from '../schemas.js';
import type { JobKind } from './job-kind.js';
import { auditGraders } from '../../auditors/graders/audit-graders.js';

export interface AuditParams {
  policy: string;
  stage: Stage;
  seed: number;
  judge: boolean;
  label?: string;
  families?: string[];
  types?: string[];
  limit?: number;
}

export interface AuditJobSummary {
  run: string;
  runId: string;
  resumed: boolean;
  scenarios: number;
  asked: number;
  fromCache: number;
  passed: number;
  failed: number;
  cantTell: number;
  failingRules: number;
  graph: string;
}

export interface AuditJobOptions {
  /** The server's data folder: suites and runs live under its audits/ folder. */
  readonly dataDir?: string;
  /** The model under audit (the "target" setting). */
  readonly target?: LlmConfig;
  /** The judge (the "llm" setting), for jobs that ask for one. */
  readonly judge?: LlmConfig;
  readonly templates?: string;
}

const resultSchema = {
  type: 'object',
  description: 'audit: the run recorded',
  properties: {
    run: { type: 'string', description: 'the run IRI (GET /v1/audits/{run}/results)' },
    runId: { type: 'string', description: 'the run id, as studio audit list shows it' },
    resumed: { type: 'boolean', description: 'true when an unfinished run with the same settings was carried on' },
    scenarios: { type: 'integer' },
    asked: { type: 'integer', description: 'answers asked of the endpoint by this job' },
    fromCache: { type: 'integer', description: 'answers taken from the response cache' },
    passed: { type: 'integer' },
    failed: { type: 'integer' },
    cantTell: { type: 'integer' },
    failingRules: { type: 'integer' },
    graph: { type: 'string' },
  },
  required: ['run', 'runId', 'resumed', 'scenarios', 'asked', 'fromCache', 'passed', 'failed', 'cantTell', 'failingRules', 'graph'],
} as const;

/** The audit kind; refuses jobs (409) when the server has no data folder or no target model configured. */
export function auditJob(options: AuditJobOptions): JobKind<AuditParams, AuditJobSummary> {
  return {
    kind: 'audit',
    description: "Runs a policy's scenarios against the server's target model, grades the answers and records the run on the rules it tests. Auditor or admin.",
    roles: AUDIT_STARTERS,
    params: {
      policy: iri('the loaded policy to audit'),
      stage: { type: 'string', enum: STAGES, default: 'Baseline', description: 'the lifecycle stage recorded on the run' },
      seed: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 1, description: 'the generation seed of the scenarios (as studio generate --seed)' },
      judge: { type: 'boolean', default: false, description: "also grade with the server's LLM judge" },
      label: { type: 'string', maxLength: 200, description: 'a note on the run' },
      families: { type: 'array', items: { type: 'string', enum: FAMILIES }, minItems: 1, uniqueItems: true, description: 'only scenarios of these families (e.g. redteam)' },
      types: { type: 'array', items: { type: 'string', enum: ITEM_TYPES }, minItems: 1, uniqueItems: true, description: 'only these item types' },
      limit: { type: 'integer', minimum: 1, maximum: 1_000_000, description: 'only the first n matching scenarios' },
    },
    required: ['policy'],
    result: resultSchema,
    async check(params, store) {
      await findLoadedPolicy(store, params.policy);
      if (!options.dataDir || !options.target?.baseUrl || !options.target.model) {
        throw new HttpProblem(409, 'no-target', 'No model to audit', 'The server has no target model configured: start it with STUDIO_TARGET_BASE_URL and STUDIO_TARGET_MODEL (or "target" in studio.config.json).');
      }
      if (params.judge && (!options.judge?.baseUrl || !options.judge.model)) {
        throw new HttpProblem(409, 'no-judge', 'No judge configured', 'The server has no LLM judge configured: start it with STUDIO_LLM_BASE_URL and STUDIO_LLM_MODEL, or run without "judge".');
      }
    },
    async run(params, { signal, progress, store }) {
      progress({ phase: 'writing the suite', done: 0, total: 1 });
      const dir = auditsFolder(options.dataDir!);
      const suite = await writeSuite(store, params.policy, params.seed, path.join(dir, 'suites'), options.templates);
      signal.throwIfAborted();
      const target = new LlmClient(options.target!);
      const { graders, judge } = await auditGraders(params.judge ? options.judge : undefined, options.templates);
      const outcome = await runAudit({
        store,
        auditsDir: dir,
        suite,
        filter: { ...(params.families ? { families: params.families } : {}), ...(params.types ? { types: params.types } : {}), ...(params.limit ? { limit: params.limit } : {}) },
        target,
        graders,
        ...(judge ? { judge } : {}),
        stage: params.stage,
        ...(params.label ? { label: params.label } : {}),
        progress: (done, total) => progress({ phase: 'auditing', done, total }),
        signal,
      });
      const summary = await summarise(journalRecords<ResultRecord>(path.join(dir, outcome.run.id, RunFolder.RESULTS)));
      return {
        run: outcome.run.iri,
        runId: outcome.run.id,
        resumed: outcome.resumed,
        scenarios: summary.scenarios,
        asked: outcome.asked,
        fromCache: outcome.fromCache,
        ...summary.outcomes,
        failingRules: summary.failingRules.length,
        graph: outcome.graph.graph,
      };
    },
  };
}

/**
 * Writes the policy's evaluation suite for a seed. The same policy version
 * and seed give the same file, so a job run again finds the same suite and
 * carries an unfinished run on.
 */
async function writeSuite(store: Parameters<typeof readPolicyContext>[0], policy: string, seed: number, folder: string, templates: string | undefined): Promise<string> {
  const context = await readPolicyContext(store, policy);
  const file = path.join(folder, `${sha256(JSON.stringify([policy, context.policy.sha256, seed])).slice(0, 32)}.jsonl`);
  await mkdir(folder, { recursive: true });
  const library = await TemplateLibrary.load(templates);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeJsonl(temporary, evalRecords(new Framer(context, library, { seed }).generate(), defaultSystemPrompt(context)));
  await rename(temporary, file);
  return file;
}
