/**
 * /v1/policies/{policy}/report: the provenance report `studio report` writes,
 * served: HTML, Markdown, JSON-LD (and PDF where the server has a browser),
 * for the policy's finished audit runs or the runs named. The report states
 * the digest of the results it summarises; `studio report verify` checks a
 * saved copy against the run folders.
 */

import type { FastifyInstance } from 'fastify';
import type { GraphStore } from '../../store/graph-store.js';
import { auditsDir } from '../../auditors/audit-run.js';
import { buildReportData } from '../../reports/report-data.js';
import { renderReport, REPORT_FORMATS, type ReportFormat } from '../../reports/write-report.js';
import { ANY_ROLE } from '../auth.js';
import { HttpProblem } from '../problem.js';
import { AUTH_PROBLEMS, BEARER_SECURITY, policyParams, problems } from '../schemas.js';
import { findLoadedPolicy } from '../derived-graphs.js';

export interface ReportRoutesOptions {
  readonly store: GraphStore;
  /** The server's data folder, where the run folders are; without it reports are refused with 409. */
  readonly dataDir?: string;
}

const CONTENT_TYPES: Record<ReportFormat, string> = {
  html: 'text/html; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  jsonld: 'application/ld+json; charset=utf-8',
  pdf: 'application/pdf',
};

export async function reportRoutes(app: FastifyInstance, options: ReportRoutesOptions): Promise<void> {
  const { store } = options;
  app.get<{ Params: { policy: string }; Querystring: { format: ReportFormat; runs?: string } }>(
    '/policies/:policy/report',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags: ['audits'],
        summary: "A provenance report of a policy's audit runs",
        description:
          'Every rule with its text, section, authority and dates, the items that teach it, the scenarios that test it, the latest verdicts with their evidence and its history across runs; the traceability matrix, coverage, conflicts, side-by-side buckets and pass rates, every number linked to the results behind it. It states the digest of the results it summarises (studio report verify).',
        security: BEARER_SECURITY,
        params: policyParams,
        querystring: {
          type: 'object',
          properties: {
            format: { type: 'string', enum: REPORT_FORMATS, default: 'html' },
            runs: { type: 'string', pattern: '^[0-9TZ]+-[0-9a-f]{6}(,[0-9TZ]+-[0-9a-f]{6}){0,49}$', description: 'comma-separated run ids, in the order to show them (default: every finished run, oldest first)' },
          },
          additionalProperties: false,
        },
        response: {
          200: { description: 'the report, in the format asked for', type: 'string' },
          ...problems(...AUTH_PROBLEMS, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const policy = await findLoadedPolicy(store, request.params.policy);
      if (!options.dataDir) throw new HttpProblem(409, 'report', 'The report cannot be made', 'The server has no data folder with audit runs.');
      const data = await buildReportData({
        store,
        auditsDir: auditsDir(options.dataDir),
        policy: policy.policy,
        ...(request.query.runs ? { runs: request.query.runs.split(',') } : {}),
      });
      const content = await renderReport(data, request.query.format, store);
      return reply.type(CONTENT_TYPES[request.query.format]).send(content);
    },
  );
}
