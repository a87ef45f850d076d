/**
 * The playground: one question asked of the model under audit and of the
 * baseline model (both from the configuration), side by side, with the
 * rules the question touches (the terms of the policy it mentions, matched
 * as `studio suite import` suggests rules); then a person's preference
 * between the two answers, recorded in the graph (src/instructors/preferences.ts)
 * where `studio train dataset` finds it.
 *
 * The server keeps what it asked (the exchange) in memory, and a preference
 * names an exchange: the answers recorded are the ones the models gave, not
 * ones a client sends.
 */

import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { GraphStore } from '../../store/graph-store.js';
import { LlmClient } from '../../llm/client.js';
import type { LlmConfig } from '../../llm/llm-config.js';
import { LlmError } from '../../errors.js';
import { readPolicyContext, type PolicyContext } from '../../framers/policy-context.js';
import { defaultSystemPrompt } from '../../framers/exports/write-exports.js';
import { readTermNames, suggestRules, type TermNames } from '../../auditors/suite-import/rule-suggestions.js';
import { PREFERRED, readPreferences, recordPreference, type Preferred } from '../../instructors/preferences.js';
import { ANY_ROLE, POLICY_WRITERS, type Role } from '../auth.js';
import { HttpProblem } from '../problem.js';
import type { SerialQueue } from '../serial-queue.js';
import { findLoadedPolicy } from '../derived-graphs.js';
import { AUTH_PROBLEMS, BEARER_SECURITY, offsetPage, offsetPageQuery, pageOf, policyParams, problems } from '../schemas.js';

/** The models the playground asks. */
export interface PlaygroundOptions {
  /** The model under audit (the "target" setting): asked first. */
  readonly target?: LlmConfig;
  /** The model set beside it (the "baseline" setting): asked second. */
  readonly baseline?: LlmConfig;
}

export interface PlaygroundRoutesOptions extends PlaygroundOptions {
  readonly store: GraphStore;
  readonly writes: SerialQueue;
}

/** Asking costs model calls and writes nothing: every role but reader, as the roles that may start jobs or change policies. */
export const ASKERS: readonly Role[] = ['engineer', 'auditor', 'admin'];
/** Recording a preference writes training data: the roles that change policies and record reviewers' verdicts. */
export const PREFERENCE_WRITERS: readonly Role[] = POLICY_WRITERS;

/** Exchanges kept for recording; the oldest goes first. */
const MAX_EXCHANGES = 1000;

interface Answer {
  readonly model: string;
  readonly endpoint: string;
  readonly text: string;
  readonly finishReason: string | null;
}

interface Exchange {
  readonly id: string;
  readonly policy: string;
  readonly policySha256: string;
  readonly question: string;
  readonly systemPrompt: string;
  readonly rules: readonly string[];
  readonly first: Answer;
  readonly second: Answer;
  /** What each person recorded on it: a person states one preference per exchange. */
  readonly recorded: Map<string, { preferred: Preferred; reason: string; preference: string; recordedAt: string }>;
}

const answerSchema = {
  type: 'object',
  properties: {
    role: { type: 'string', enum: ['target', 'baseline'], description: 'target: the model under audit; baseline: the model beside it' },
    model: { type: 'string' },
    answer: { type: 'string' },
    finishReason: { type: ['string', 'null'], description: "why the model stopped: 'stop', or 'length' when max_tokens cut it short" },
  },
  required: ['role', 'model', 'answer', 'finishReason'],
} as const;

const ruleSchema = {
  type: 'object',
  properties: { rule: { type: 'string' }, label: { type: 'string' }, kind: { type: 'string' } },
  required: ['rule', 'label', 'kind'],
} as const;

const preferenceSchema = {
  type: 'object',
  properties: {
    preference: { type: 'string', description: 'the studio:Preference node' },
    question: { type: 'string' },
    first: { type: 'object', properties: { model: { type: 'string' }, answer: { type: 'string' } }, required: ['model', 'answer'] },
    second: { type: 'object', properties: { model: { type: 'string' }, answer: { type: 'string' } }, required: ['model', 'answer'] },
    rules: { type: 'array', items: { type: 'string' } },
    preferred: { type: 'string', enum: PREFERRED },
    reason: { type: 'string' },
    recordedBy: { type: 'string' },
    recordedAt: { type: 'string', format: 'date-time' },
  },
  required: ['preference', 'question', 'first', 'second', 'rules', 'preferred', 'reason', 'recordedBy', 'recordedAt'],
} as const;

/** A client for a configured model, or undefined when none is configured; half a configuration is refused at start (config.ts). */
function clientOf(config: LlmConfig | undefined): LlmClient | undefined {
  return config?.baseUrl && config.model ? new LlmClient(config) : undefined;
}

export async function playgroundRoutes(app: FastifyInstance, options: PlaygroundRoutesOptions): Promise<void> {
  const { store, writes } = options;
  const target = clientOf(options.target);
  const baseline = clientOf(options.baseline);
  const exchanges = new Map<string, Exchange>();
  // The policy's context and term names, read once per version of a policy.
  const contexts = new Map<string, { sha256: string; context: PolicyContext; names: TermNames }>();
  const contextOf = async (policy: string, sha256: string) => {
    const kept = contexts.get(policy);
    if (kept?.sha256 === sha256) return kept;
    const fresh = { sha256, context: await readPolicyContext(store, policy), names: await readTermNames(store, policy) };
    contexts.set(policy, fresh);
    return fresh;
  };

  const ask = async (client: LlmClient, role: string, systemPrompt: string, question: string, signal: AbortSignal): Promise<Answer> => {
    try {
      const reply = await client.chat({ messages: [{ role: 'system', content: systemPrompt }, { role: 'user', content: question }], signal });
      return { model: client.model, endpoint: client.endpoint, text: reply.text, finishReason: reply.finishReason };
    } catch (error) {
      if (!(error instanceof LlmError)) throw error;
      throw new HttpProblem(502, 'model-unavailable', `The ${role} did not answer`, `The ${role} (${client.model}) gave no answer: ${error.message}`, { model: client.model });
    }
  };

  app.post<{ Params: { policy: string }; Body: { question: string } }>(
    '/policies/:policy/playground',
    {
      config: { roles: ASKERS },
      schema: {
        tags: ['playground'],
        summary: 'Ask the model under audit and the baseline model one question',
        description:
          "Both models get the policy's system prompt (the one audits send) and the question. The answer holds both answers, the rules whose terms the question mentions, and an `exchange` id to record a preference with (POST /v1/policies/{policy}/preferences); the server keeps the last 1000 exchanges in memory. 409 when the server has no model under audit or no baseline configured; 502 when one of them does not answer. Engineer, auditor or admin.",
        security: BEARER_SECURITY,
        params: policyParams,
        body: {
          type: 'object',
          properties: { question: { type: 'string', minLength: 1, maxLength: 4000, pattern: '\\S', description: 'what a user would ask the assistant' } },
          required: ['question'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              exchange: { type: 'string', description: 'names this question and its answers when recording a preference' },
              policy: { type: 'string' },
              question: { type: 'string' },
              systemPrompt: { type: 'string' },
              rules: { type: 'array', items: ruleSchema, description: 'the rules that use the most of the policy terms the question mentions' },
              because: { type: 'array', items: { type: 'string' }, description: 'the names found in the question that led to the rules' },
              first: answerSchema,
              second: answerSchema,
            },
            required: ['exchange', 'policy', 'question', 'systemPrompt', 'rules', 'because', 'first', 'second'],
          },
          ...problems(...AUTH_PROBLEMS, 404, 409, 502),
        },
      },
    },
    async (request, reply) => {
      const loaded = await findLoadedPolicy(store, request.params.policy);
      if (!target) throw new HttpProblem(409, 'no-target', 'No model under audit', 'The server has no model under audit configured: start it with STUDIO_TARGET_BASE_URL and STUDIO_TARGET_MODEL (or "target" in studio.config.json).');
      if (!baseline) throw new HttpProblem(409, 'no-baseline', 'No baseline model', 'The server has no baseline model configured: start it with STUDIO_BASELINE_BASE_URL and STUDIO_BASELINE_MODEL (or "baseline" in studio.config.json).');
      const { question } = request.body;
      const { context, names } = await contextOf(loaded.policy, loaded.sha256);
      const suggestion = suggestRules([{ role: 'user', content: question }], context, names);
      const systemPrompt = defaultSystemPrompt(context);
      // A client that goes away stops both calls.
      const stop = new AbortController();
      reply.raw.once('close', () => reply.raw.writableFinished || stop.abort());
      const [first, second] = await Promise.all([ask(target, 'model under audit', systemPrompt, question, stop.signal), ask(baseline, 'baseline model', systemPrompt, question, stop.signal)]);
      const exchange: Exchange = { id: randomBytes(16).toString('base64url'), policy: loaded.policy, policySha256: loaded.sha256, question, systemPrompt, rules: suggestion.rules, first, second, recorded: new Map() };
      exchanges.set(exchange.id, exchange);
      for (const oldest of exchanges.keys()) {
        if (exchanges.size <= MAX_EXCHANGES) break;
        exchanges.delete(oldest);
      }
      const shown = (role: 'target' | 'baseline', a: Answer) => ({ role, model: a.model, answer: a.text, finishReason: a.finishReason });
      return {
        exchange: exchange.id,
        policy: loaded.policy,
        question,
        systemPrompt,
        rules: suggestion.rules.map((rule) => ({ rule, label: context.provision.get(rule)?.label ?? rule, kind: context.provision.get(rule)?.kind ?? 'Rule' })),
        because: [...suggestion.because],
        first: shown('target', first),
        second: shown('baseline', second),
      };
    },
  );

  app.post<{ Params: { policy: string }; Body: { exchange: string; preferred: Preferred; reason: string } }>(
    '/policies/:policy/preferences',
    {
      config: { roles: PREFERENCE_WRITERS },
      schema: {
        tags: ['playground'],
        summary: 'Record which of two answers is better',
        description:
          "Records a preference on an exchange the playground asked: `first` (the model under audit), `second` (the baseline), `tie`, or `bothBad`, with a reason. The token's name is who preferred. It is stored in the graph with its provenance (who, when, both models and answers, the rules), and `studio train dataset` turns a `first` or `second` into a preference pair. The same preference again changes nothing (200); another one on the same exchange by the same person is a 409. An exchange the server no longer keeps (it was restarted, or 1000 questions came after) is a 404: ask again. Engineer or admin.",
        security: BEARER_SECURITY,
        params: policyParams,
        body: {
          type: 'object',
          properties: {
            exchange: { type: 'string', minLength: 22, maxLength: 22, pattern: '^[A-Za-z0-9_-]{22}$', description: 'the exchange id POST /v1/policies/{policy}/playground gave' },
            preferred: { type: 'string', enum: PREFERRED, description: 'first, second, tie or bothBad' },
            reason: { type: 'string', minLength: 1, maxLength: 4000, pattern: '\\S', description: 'why, in a sentence a later reader can check' },
          },
          required: ['exchange', 'preferred', 'reason'],
          additionalProperties: false,
        },
        response: {
          ...Object.fromEntries(
            [200, 201].map((status) => [
              status,
              { ...preferenceSchema, description: status === 201 ? 'The preference is recorded' : 'This person had already recorded this preference; nothing changed' },
            ]),
          ),
          ...problems(...AUTH_PROBLEMS, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const loaded = await findLoadedPolicy(store, request.params.policy);
      const { preferred, reason } = request.body;
      const exchange = exchanges.get(request.body.exchange);
      if (!exchange || exchange.policy !== loaded.policy) {
        throw new HttpProblem(404, 'exchange-not-found', 'No such exchange', `The server keeps no question ${request.body.exchange} asked of this policy (it keeps the last ${MAX_EXCHANGES}, in memory); ask again with POST /v1/policies/{policy}/playground.`);
      }
      const who = request.principal!.name;
      const shown = (preference: string, recordedAt: string) => ({
        preference,
        question: exchange.question,
        first: { model: exchange.first.model, answer: exchange.first.text },
        second: { model: exchange.second.model, answer: exchange.second.text },
        rules: [...exchange.rules],
        preferred,
        reason,
        recordedBy: who,
        recordedAt,
      });
      const recorded = await writes.run(async () => {
        const before = exchange.recorded.get(who);
        if (before) {
          if (before.preferred === preferred && before.reason === reason) return { fresh: false, ...before };
          throw new HttpProblem(409, 'already-recorded', 'Already recorded', `${who} already recorded "${before.preferred}" on this exchange; a preference is not overwritten.`);
        }
        const recordedAt = new Date().toISOString();
        const { preference } = await recordPreference(
          store,
          { policy: exchange.policy, question: exchange.question, systemPrompt: exchange.systemPrompt, first: exchange.first, second: exchange.second, rules: exchange.rules, preferred, reason, recordedBy: who, recordedAt },
          exchange.policySha256,
        );
        const entry = { preferred, reason, preference: preference.iri, recordedAt };
        exchange.recorded.set(who, entry);
        return { fresh: true, ...entry };
      });
      reply.code(recorded.fresh ? 201 : 200);
      return shown(recorded.preference, recorded.recordedAt);
    },
  );

  app.get<{ Params: { policy: string }; Querystring: { limit: number; offset: number } }>(
    '/policies/:policy/preferences',
    {
      config: { roles: ANY_ROLE },
      schema: {
        tags: ['playground'],
        summary: "A policy's recorded preferences",
        description: 'Newest first: the question, both models and answers, the rules, the preference and its reason, who recorded it and when (the preferences named query).',
        security: BEARER_SECURITY,
        params: policyParams,
        querystring: offsetPageQuery,
        response: { 200: offsetPage(preferenceSchema), ...problems(...AUTH_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const loaded = await findLoadedPolicy(store, request.params.policy);
      const all = (await readPreferences(store, loaded.policy)).reverse();
      return pageOf(
        all.map((p) => ({
          preference: p.iri,
          question: p.question,
          first: { model: p.first.model, answer: p.first.text },
          second: { model: p.second.model, answer: p.second.text },
          rules: [...p.rules],
          preferred: p.preferred,
          reason: p.reason,
          recordedBy: p.recordedBy,
          recordedAt: p.recordedAt,
        })),
        request.query.limit,
        request.query.offset,
      );
    },
  );
}
