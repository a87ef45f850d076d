/**
 * Audit results as the graph holds them (studio audit run writes one derived
 * graph per run): a policy's runs and where its audits stand, a run's
 * deciding results with their evidence, the rules failing in a run, two runs
 * side by side, and the results a later change made stale. Every list is
 * paged; every answer comes from the audit-* named queries, so it is the same
 * on both stores.
 */

import type { FastifyInstance } from 'fastify';
import type { GraphStore, Row } from '../../store/graph-store.js';
import { compareRuns, BUCKETS } from '../../auditors/compare.js';
import { readAuditStatus } from '../../auditors/audit-status.js';
import { AUDIT_KIND } from '../../auditors/audit-run.js';
import { runGraphIri } from '../../auditors/run-folder.js';
import { GENERATED_NS } from '../../framers/item.js';
import { GRADES, OUTCOMES } from '../../auditors/verdict.js';
import { ANY_ROLE, POLICY_WRITERS, type Role } from '../auth.js';
import { auditsDir, writeRunGraph } from '../../auditors/audit-run.js';
import { RunFolder } from '../../auditors/run-folder.js';
import { parseHumanVerdicts } from '../../auditors/graders/human-verdicts.js';
import { importHumanRows, type HumanImportProblem } from '../../auditors/human-import.js';
import { HumanVerdictsError } from '../../errors.js';
import type { SerialQueue } from '../serial-queue.js';
import { HttpProblem } from '../problem.js';
import { AUTH_PROBLEMS, BEARER_SECURITY, iri, pathIri, limitParam, offsetPage, offsetPageQuery, offsetParam, pageOf, policyParams, problems } from '../schemas.js';
import { findLoadedPolicy } from '../derived-graphs.js';

export interface AuditRoutesOptions {
  readonly store: GraphStore;
  /** The server's one queue of store writes (a review rewrites its run's graph). */
  readonly writes: SerialQueue;
  /** The data folder whose audits/ holds the run folders; without it reviews are refused with 409. */
  readonly dataDir?: string;
}

/** The roles that record reviewers' verdicts. */
export const REVIEWERS: readonly Role[] = POLICY_WRITERS;

const RUN_PREFIX = `${GENERATED_NS}audit/`;

const runParams = {
  type: 'object',
  properties: { run: pathIri(`the audit run IRI (${RUN_PREFIX}<id>), URL-encoded`) },
  required: ['run'],
  additionalProperties: false,
} as const;

const runSchema = {
  type: 'object',
  properties: {
    run: { type: 'string' },
    stage: { type: 'string', enum: ['Baseline', 'AfterTraining', 'BeforeRelease', 'ProductionMonitoring'] },
    model: { type: 'string' },
    startedAt: { type: 'string' },
    endedAt: { type: ['string', 'null'] },
    scenarios: { type: 'integer' },
    passed: { type: 'integer' },
    failed: { type: 'integer' },
    cantTell: { type: 'integer' },
  },
  required: ['run', 'stage', 'model', 'startedAt', 'endedAt', 'scenarios', 'passed', 'failed', 'cantTell'],
} as const;

const resultSchema = {
  type: 'object',
  properties: {
    result: { type: 'string', description: 'the earl:Assertion that decides the scenario' },
    scenario: { type: 'string' },
    rules: { type: 'array', items: { type: 'string' }, description: 'the rules the scenario tests' },
    outcome: { type: 'string', enum: OUTCOMES },
    reason: { type: 'string' },
    grader: { type: 'string' },
    graderKind: { type: 'string', enum: ['deterministic', 'llm-judge', 'human'] },
    response: { type: 'string', description: "the model's answer, the evidence" },
    messages: {
      type: 'array',
      description: "the scenario's conversation as the graph keeps it (the run sent the policy's system prompt before it); empty when the graph holds none",
      items: { type: 'object', properties: { role: { type: 'string' }, content: { type: 'string' } }, required: ['role', 'content'] },
    },
  },
  required: ['result', 'scenario', 'rules', 'outcome', 'reason', 'grader', 'graderKind', 'response', 'messages'],
} as const;

const ruleChange = {
  type: 'object',
  properties: {
    rule: { type: 'string' },
    change: { type: 'string', enum: ['regression', 'improvement'] },
    failedBefore: { type: 'integer' },
    failedAfter: { type: 'integer' },
    scenariosBefore: { type: 'integer' },
    scenariosAfter: { type: 'integer' },
  },
  required: ['rule', 'change', 'failedBefore', 'failedAfter', 'scenariosBefore', 'scenariosAfter'],
} as const;

/** The run an IRI names, as its graph is kept; a 404 problem when no such run was written to the store. */
async function findRun(store: GraphStore, run: string): Promise<{ run: string; policy: string }> {
  const id = run.startsWith(RUN_PREFIX) ? run.slice(RUN_PREFIX.length) : '';
  const graph = id ? (await store.listDerivedGraphs()).find((g) => g.kind === AUDIT_KIND && g.graph === runGraphIri(id)) : undefined;
  if (!graph) throw new HttpProblem(404, 'not-found', 'No such audit run', `No audit run ${run} is recorded in the store; GET /v1/policies/{policy}/audits lists a policy's runs.`);
  return { run, policy: graph.policy };
}

/** Rows of one result per rule it tests, as one item per result with its rules. */
function groupResults(rows: readonly Row[]): Record<string, unknown>[] {
  const byResult = new Map<string, Record<string, unknown> & { rules: string[] }>();
  for (const row of rows) {
    const key = String(row.result);
    const entry = byResult.get(key);
    if (entry) entry.rules.push(String(row.rule));
    else {
      byResult.set(key, {
        result: key,
        scenario: row.scenario,
        rules: [String(row.rule)],
        outcome: row.outcome,
        reason: row.reason,
        grader: row.grader,
        graderKind: row.graderKind,
        response: row.response,
      });
    }
  }
  return [...byResult.values()];
}

/** Each scenario's conversation, from the policy's graphs (report-scenario-messages); a copy that does not read as messages is left out. */
async function scenarioMessages(store: GraphStore, policy: string): Promise<Map<string, { role: string; content: string }[]>> {
  const messages = new Map<string, { role: string; content: string }[]>();
  for (const row of await store.namedQuery('report-scenario-messages', { policy })) {
    try {
      const list = JSON.parse(String(row.messages)) as unknown;
      if (Array.isArray(list) && list.every((m) => typeof m?.role === 'string' && typeof m?.content === 'string')) {
        messages.set(String(row.scenario), list.map((m: { role: string; content: string }) => ({ role: m.role, content: m.content })));
      }
    } catch {
      // Not JSON: the result is shown without its conversation.
    }
  }
  return messages;
}

export async function auditRoutes(app: FastifyInstance, options: AuditRoutesOptions): Promise<void> {
  const { store } = options;

  app.get<{ Params: { policy: string }; Querystring: { limit: number; offset: number } }>(
    '/policies/:policy/audits',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags: ['audits'],
        summary: "A policy's audit runs and where its audits stand",
        description:
          'The runs recorded for the policy (oldest first, with stage, model and the outcomes that decide their scenarios), and the counts of rules no scenario tests, rules never audited and results made stale by a later change. `studio audit run` records runs.',
        security: BEARER_SECURITY,
        params: policyParams,
        querystring: offsetPageQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              policy: { type: 'string' },
              runs: offsetPage(runSchema),
              rulesWithoutTests: { type: 'integer' },
              rulesNeverAudited: { type: 'integer' },
              staleResults: { type: 'integer' },
            },
            required: ['policy', 'runs', 'rulesWithoutTests', 'rulesNeverAudited', 'staleResults'],
          },
          ...problems(...AUTH_PROBLEMS, 404),
        },
      },
    },
    async (request) => {
      const policy = await findLoadedPolicy(store, request.params.policy);
      const status = await readAuditStatus(store, policy.policy);
      const { items, ...rest } = pageOf(status.runs, request.query.limit, request.query.offset);
      return {
        policy: policy.policy,
        runs: { items: items.map((r) => ({ ...r, endedAt: r.endedAt ?? null })), ...rest },
        rulesWithoutTests: status.rulesWithoutTests.length,
        rulesNeverAudited: status.rulesNeverAudited.length,
        staleResults: new Set(status.staleResults.map((s) => `${s.run} ${s.scenario}`)).size,
      };
    },
  );

  app.get<{ Params: { policy: string }; Querystring: { limit: number; offset: number } }>(
    '/policies/:policy/audits/stale',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags: ['audits'],
        summary: 'Results made stale by a later change to their rule or scenario',
        description: "One item per run, scenario, rule and reason: 'rule changed' (its text differs from the run's snapshot), 'rule removed', or 'scenario removed' (no longer generated).",
        security: BEARER_SECURITY,
        params: policyParams,
        querystring: offsetPageQuery,
        response: {
          200: offsetPage({
            type: 'object',
            properties: { run: { type: 'string' }, scenario: { type: 'string' }, rule: { type: 'string' }, reason: { type: 'string', enum: ['rule changed', 'rule removed', 'scenario removed'] } },
            required: ['run', 'scenario', 'rule', 'reason'],
          }),
          ...problems(...AUTH_PROBLEMS, 404),
        },
      },
    },
    async (request) => {
      const policy = await findLoadedPolicy(store, request.params.policy);
      return pageOf(await store.namedQuery('audit-stale-results', { policy: policy.policy }), request.query.limit, request.query.offset);
    },
  );

  app.get<{ Params: { run: string }; Querystring: { limit: number; offset: number; outcome?: string; rule?: string } }>(
    '/audits/:run/results',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags: ['audits'],
        summary: "A run's results, with their evidence",
        description: 'The result that decides each scenario of the run (a reviewer\'s, else the judge\'s, else the checks\'), with the rules it tests, the reason and the model\'s answer. Filter by outcome or by rule.',
        security: BEARER_SECURITY,
        params: runParams,
        querystring: {
          type: 'object',
          properties: { limit: limitParam, offset: offsetParam, outcome: { type: 'string', enum: OUTCOMES }, rule: iri('only results testing this rule') },
          additionalProperties: false,
        },
        response: { 200: offsetPage(resultSchema), ...problems(...AUTH_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const { run, policy } = await findRun(store, request.params.run);
      const { outcome, rule, limit, offset } = request.query;
      let results = groupResults(await store.namedQuery('audit-results', { run }));
      if (outcome) results = results.filter((r) => r.outcome === outcome);
      if (rule) results = results.filter((r) => (r.rules as string[]).includes(rule));
      const page = pageOf(results, limit, offset);
      if (page.items.length === 0) return page;
      const messages = await scenarioMessages(store, policy);
      return { ...page, items: page.items.map((r) => ({ ...r, messages: messages.get(String(r.scenario)) ?? [] })) };
    },
  );

  app.get<{ Params: { run: string }; Querystring: { limit: number; offset: number } }>(
    '/audits/:run/failing-rules',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags: ['audits'],
        summary: 'The rules failing in a run',
        description: 'Each rule with a scenario whose deciding result failed, most failures first, with how many of its scenarios failed and ran.',
        security: BEARER_SECURITY,
        params: runParams,
        querystring: offsetPageQuery,
        response: {
          200: offsetPage({ type: 'object', properties: { rule: { type: 'string' }, failed: { type: 'integer' }, scenarios: { type: 'integer' } }, required: ['rule', 'failed', 'scenarios'] }),
          ...problems(...AUTH_PROBLEMS, 404),
        },
      },
    },
    async (request) => {
      const { run } = await findRun(store, request.params.run);
      return pageOf(await store.namedQuery('audit-failing-rules', { run }), request.query.limit, request.query.offset);
    },
  );

  app.post<{ Params: { run: string }; Body: { scenario: string; outcome: 'passed' | 'failed' | 'cantTell'; reason: string } }>(
    '/audits/:run/reviews',
    {
      config: { roles: REVIEWERS },
      schema: {
        tags: ['audits'],
        summary: "Record a reviewer's verdict on a result",
        description:
          "The token's name is the reviewer. The verdict is appended to the run's human.jsonl, as `studio audit import` appends a file's, and the run's graph is written again: a reviewer's verdict decides its scenario from then on (GET /v1/audits/{run}/results). A reviewer grades a scenario of a run once: the same verdict again changes nothing (200), another one is a 409. Engineer or admin.",
        security: BEARER_SECURITY,
        params: runParams,
        body: {
          type: 'object',
          properties: {
            scenario: iri('the scenario whose result is reviewed'),
            outcome: { type: 'string', enum: OUTCOMES, description: "passed, failed, or cantTell (the reviewer can't tell either)" },
            reason: { type: 'string', minLength: 1, maxLength: 4000, pattern: '\\S', description: 'why, in a sentence a later reader can check' },
          },
          required: ['scenario', 'outcome', 'reason'],
          additionalProperties: false,
        },
        response: {
          ...Object.fromEntries(
            [200, 201].map((status) => [
              status,
              {
                description: status === 201 ? 'The verdict is recorded' : 'The reviewer had already given this verdict; nothing changed',
                type: 'object',
                properties: {
                  run: { type: 'string' },
                  scenario: { type: 'string' },
                  reviewer: { type: 'string' },
                  outcome: { type: 'string', enum: OUTCOMES },
                  reason: { type: 'string' },
                  recorded: { type: 'boolean', description: 'false when the same verdict was already there' },
                },
                required: ['run', 'scenario', 'reviewer', 'outcome', 'reason', 'recorded'],
              },
            ]),
          ),
          ...problems(...AUTH_PROBLEMS, 404, 409, 422),
        },
      },
    },
    async (request, reply) => {
      const { run } = await findRun(store, request.params.run);
      const { scenario, outcome, reason } = request.body;
      const reviewer = request.principal!.name;
      if (!options.dataDir) throw new HttpProblem(409, 'no-audits-folder', 'No run folders', 'The server was started without a data folder holding its audit runs, so it cannot record reviews.');
      const source = `POST /v1/audits/{run}/reviews by ${reviewer}`;
      // Through the same reader as a file of verdicts: the same checks, the same record.
      let rows;
      try {
        rows = parseHumanVerdicts(source, JSON.stringify({ scenario, run, outcome, reason, reviewer, reviewedAt: new Date().toISOString() }), 'jsonl');
      } catch (error) {
        if (!(error instanceof HumanVerdictsError)) throw error;
        throw new HttpProblem(422, 'invalid-verdict', 'The verdict cannot be recorded', error.problems.map((p) => p.detail).join('; '));
      }
      const folder = await RunFolder.open(auditsDir(options.dataDir), run).catch(() => {
        throw new HttpProblem(404, 'not-found', 'No such run folder', `The run ${run} is in the store, but its folder is not in this server's data folder.`);
      });
      const imported = await options.writes.run(async () => {
        try {
          const result = await importHumanRows(folder, rows, source);
          if (result.imported > 0) await writeRunGraph(store, folder);
          return result;
        } catch (error) {
          if (!(error instanceof HumanVerdictsError)) throw error;
          const problem = error.problems[0] as HumanImportProblem;
          if (problem.kind === 'already-graded') throw new HttpProblem(409, 'already-reviewed', 'Already reviewed', `${reviewer} already gave another verdict on ${scenario} in this run; a verdict is not overwritten.`);
          throw new HttpProblem(422, 'not-in-run', 'No such result in the run', `The run ${run} has no result for the scenario ${scenario}.`);
        }
      });
      reply.code(imported.imported > 0 ? 201 : 200);
      return { run, scenario, reviewer, outcome, reason, recorded: imported.imported > 0 };
    },
  );

  app.get<{ Querystring: { first: string; second: string; limit: number; offset: number } }>(
    '/audits/compare',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags: ['audits'],
        summary: 'Two runs side by side',
        description:
          'Every scenario both runs ran, sorted into buckets (both comply, only the first, only the second, both fail, undecided), and the rules that regressed (passed in the first, failed in the second) or improved. limit and offset page the scenarios.',
        security: BEARER_SECURITY,
        querystring: {
          type: 'object',
          properties: { first: iri('the first run'), second: iri('the second run'), limit: limitParam, offset: offsetParam },
          required: ['first', 'second'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              first: { type: 'string' },
              second: { type: 'string' },
              shared: { type: 'integer' },
              buckets: { type: 'object', properties: Object.fromEntries(BUCKETS.map((b) => [b, { type: 'integer' }])), required: BUCKETS },
              regressions: { type: 'array', items: ruleChange },
              improvements: { type: 'array', items: ruleChange },
              scenarios: offsetPage({
                type: 'object',
                properties: {
                  scenario: { type: 'string' },
                  first: { type: 'string' },
                  second: { type: 'string' },
                  bucket: { type: 'string', enum: BUCKETS },
                  firstGrade: { type: 'string', enum: [...GRADES] },
                  secondGrade: { type: 'string', enum: [...GRADES] },
                },
                required: ['scenario', 'first', 'second', 'bucket'],
              }),
              gradeChanges: {
                type: 'array',
                description: 'Scenarios whose grade (pass, borderline, fail) moved between the runs, pass to borderline included.',
                items: {
                  type: 'object',
                  properties: { scenario: { type: 'string' }, first: { type: 'string', enum: [...GRADES] }, second: { type: 'string', enum: [...GRADES] }, change: { type: 'string', enum: ['worse', 'better'] } },
                  required: ['scenario', 'first', 'second', 'change'],
                },
              },
            },
            required: ['first', 'second', 'shared', 'buckets', 'regressions', 'improvements', 'scenarios'],
          },
          ...problems(400, ...AUTH_PROBLEMS, 404),
        },
      },
    },
    async (request) => {
      const { first, second, limit, offset } = request.query;
      await findRun(store, first);
      await findRun(store, second);
      // After the lookups, so that a run that does not exist is a 404 whether or not it is named twice.
      if (first === second) throw new HttpProblem(400, 'bad-request', 'Same run twice', 'Compare two different runs.');
      const comparison = await compareRuns(store, first, second);
      return { ...comparison, scenarios: pageOf(comparison.scenarios, limit, offset) };
    },
  );
}
