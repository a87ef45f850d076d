/**
 * The studio's one LLM client: chat completions against any
 * OpenAI-compatible endpoint (OpenAI, Azure, vLLM, Ollama, llama.cpp server)
 * through the openai package. Framers use it to paraphrase, auditors to run
 * suites and judge answers.
 *
 * Retries and timeouts are the package's own: it retries 408, 409, 429, 5xx,
 * broken connections and timeouts with exponential backoff and jitter, and
 * honours Retry-After (seconds or an HTTP date) and retry-after-ms. What it
 * leaves out is added by the fetch it is given (complete-body-fetch.ts, on
 * node:http, which costs a quarter less CPU than the global fetch): a timeout
 * that covers the body as well as the headers, a retry when a body breaks
 * off, and a cap on Retry-After. Every failure left after the retries
 * becomes an LlmError subclass whose message says what to check.
 */

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import OpenAI, * as Sdk from 'openai';
import {
  ConfigError,
  LlmAuthError,
  LlmConnectionError,
  LlmError,
  LlmModelError,
  LlmRateLimitError,
  LlmResponseError,
  LlmServerError,
  LlmTimeoutError,
} from '../errors.js';
import { IncompleteBodyError, completeBodyFetch, retryAfterMs } from './complete-body-fetch.js';
import type { LlmConfig } from './llm-config.js';

/** A chat turn as the endpoint takes it. */
export interface ChatMessage {
  readonly role: 'system' | 'developer' | 'user' | 'assistant';
  readonly content: string;
}

export interface ChatRequest {
  readonly messages: readonly ChatMessage[];
  /** Parameters for this call, over the configured ones (temperature, max_tokens ...). */
  readonly parameters?: Readonly<Record<string, unknown>>;
  /** Aborts the call and its retries (a run stopping after another call failed). */
  readonly signal?: AbortSignal;
}

export interface ChatReply {
  /** The assistant's message. */
  readonly text: string;
  /** The model asked for. */
  readonly model: string;
  /** The model the endpoint says answered (often a dated version of the one asked for). */
  readonly servedModel: string;
  /** Every parameter sent besides the model and messages. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** Why generation stopped: 'stop', or 'length' when max_tokens cut the answer short. */
  readonly finishReason: string | null;
  readonly usage?: { readonly promptTokens: number; readonly completionTokens: number };
}

/** Request fields the client sets itself; parameters may not override them. */
const RESERVED = new Set(['model', 'messages', 'stream', 'n']);

/** Chat completions against the configured endpoint, with retries, timeouts and errors that say what to check. */
export class LlmClient {
  /** The endpoint's API root, as configured. */
  readonly endpoint: string;
  readonly model: string;
  /** The configured parameters, sent with every call. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** Requests the caller should keep in flight at once. */
  readonly concurrency: number;
  private readonly sdk: OpenAI;
  private readonly hasKey: boolean;

  /** A client for the configured endpoint; a missing base URL or model is a ConfigError saying where to set it. */
  constructor(private readonly config: LlmConfig) {
    if (!config.baseUrl) {
      throw new ConfigError(
        `no ${config.setting?.purpose ?? 'LLM'} endpoint is configured: set ${env(config)}_BASE_URL (e.g. http://127.0.0.1:11434/v1 for Ollama, https://api.openai.com/v1 for OpenAI) or "${section(config)}": {"baseUrl": ...} in studio.config.json`,
      );
    }
    if (!config.model) throw new ConfigError(`no ${config.setting?.purpose ?? 'LLM'} model is configured for ${config.baseUrl}: set ${env(config)}_MODEL or "${section(config)}": {"model": ...} in studio.config.json`);
    for (const key of Object.keys(config.parameters)) {
      if (RESERVED.has(key)) throw new ConfigError(`"${section(config)}.parameters.${key}" is set by the studio itself; remove it`);
    }
    this.endpoint = config.baseUrl;
    this.model = config.model;
    this.parameters = config.parameters;
    this.concurrency = config.concurrency;
    this.hasKey = config.apiKey !== undefined;
    this.sdk = new OpenAI({
      baseURL: config.baseUrl,
      // Only the studio's own settings: the package would otherwise read OPENAI_API_KEY, OPENAI_ADMIN_KEY,
      // OPENAI_ORG_ID and OPENAI_PROJECT_ID and send them to whatever endpoint is configured.
      apiKey: config.apiKey ?? 'no-key',
      adminAPIKey: null,
      organization: null,
      project: null,
      webhookSecret: null,
      // Local servers need no key: send no Authorization header at all rather than a made-up one.
      ...(config.apiKey === undefined ? { defaultHeaders: { Authorization: null } } : {}),
      timeout: config.timeoutMs,
      maxRetries: config.maxRetries,
      fetch: completeBodyFetch(config.maxRetryAfterMs),
      logLevel: 'off',
    });
  }

  /** Sends one chat completion; resolves with the first choice's text, or rejects with an LlmError. */
  async chat(request: ChatRequest): Promise<ChatReply> {
    const parameters = { ...this.parameters, ...(request.parameters ?? {}) };
    for (const key of Object.keys(parameters)) {
      if (RESERVED.has(key)) throw new ConfigError(`parameter '${key}' is set by the studio itself`);
    }
    let completion: Sdk.OpenAI.Chat.Completions.ChatCompletion;
    try {
      completion = (await this.sdk.chat.completions.create(
        { ...parameters, model: this.model, messages: request.messages.map((m) => ({ role: m.role, content: m.content })), stream: false } as Sdk.OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming,
        request.signal ? { signal: request.signal } : {},
      )) as Sdk.OpenAI.Chat.Completions.ChatCompletion;
    } catch (error) {
      throw await this.explain(error, 'POST /chat/completions', request.signal);
    }
    const choice = Array.isArray(completion?.choices) ? completion.choices[0] : undefined;
    const text = choice?.message?.content;
    if (typeof text !== 'string') {
      const got = typeof completion === 'string' ? `text: ${String(completion).slice(0, 80)}` : JSON.stringify(completion)?.slice(0, 120);
      throw new LlmResponseError(this.endpoint, `${this.endpoint} answered without a chat message (${got}); does the base URL point at the API root (usually ending in /v1)?`);
    }
    return {
      text,
      model: this.model,
      servedModel: typeof completion.model === 'string' && completion.model ? completion.model : this.model,
      parameters,
      finishReason: choice?.finish_reason ?? null,
      ...(completion.usage ? { usage: { promptTokens: completion.usage.prompt_tokens, completionTokens: completion.usage.completion_tokens } } : {}),
    };
  }

  /** The ids of the models the endpoint serves (GET /models). */
  async models(signal?: AbortSignal): Promise<string[]> {
    try {
      const ids: string[] = [];
      for await (const model of this.sdk.models.list(signal ? { signal } : {})) ids.push(model.id);
      return ids.sort();
    } catch (error) {
      throw await this.explain(error, 'GET /models', signal);
    }
  }

  /** Uploads a file for fine-tuning (POST /files); resolves with the endpoint's file id. */
  async uploadFile(file: string, purpose: 'fine-tune' = 'fine-tune'): Promise<{ id: string; bytes: number }> {
    // Read whole: a retried upload must send the bytes again, which a consumed stream cannot.
    const content = await readFile(file);
    try {
      const created = await this.sdk.files.create({ file: await Sdk.toFile(content, path.basename(file)), purpose });
      return { id: created.id, bytes: created.bytes };
    } catch (error) {
      throw await this.explain(error, 'POST /files', undefined);
    }
  }

  /** Creates a fine-tuning job (POST /fine_tuning/jobs) on the configured model as the base. */
  async createFineTuningJob(request: FineTuningRequest): Promise<FineTuningJob> {
    try {
      const job = await this.sdk.fineTuning.jobs.create({
        model: this.model,
        training_file: request.trainingFile,
        ...(request.validationFile ? { validation_file: request.validationFile } : {}),
        ...(request.suffix ? { suffix: request.suffix } : {}),
        ...(request.seed !== undefined ? { seed: request.seed } : {}),
        method: { type: request.method },
        ...(request.metadata ? { metadata: request.metadata } : {}),
      });
      return jobOf(job);
    } catch (error) {
      throw await this.explain(error, 'POST /fine_tuning/jobs', undefined);
    }
  }

  /** A fine-tuning job's current state (GET /fine_tuning/jobs/{id}). */
  async retrieveFineTuningJob(id: string): Promise<FineTuningJob> {
    try {
      return jobOf(await this.sdk.fineTuning.jobs.retrieve(id));
    } catch (error) {
      throw await this.explain(error, `GET /fine_tuning/jobs/${id}`, undefined);
    }
  }

  /** The first page of a job's events, newest first as the endpoint gives them. */
  async fineTuningEvents(id: string): Promise<{ message: string; level: string; createdAt: number }[]> {
    try {
      const page = await this.sdk.fineTuning.jobs.listEvents(id, { limit: 50 });
      return page.data.map((e) => ({ message: e.message, level: e.level, createdAt: e.created_at }));
    } catch (error) {
      throw await this.explain(error, `GET /fine_tuning/jobs/${id}/events`, undefined);
    }
  }

  /** Turns what the package threw into the LlmError that says what to check. */
  private async explain(error: unknown, call: string, signal: AbortSignal | undefined): Promise<unknown> {
    const where = `${this.endpoint} (${call})`;
    const attempts = `${this.config.maxRetries + 1} attempt(s)`;
    if (error instanceof Sdk.APIUserAbortError) return signal?.reason instanceof Error ? signal.reason : error;
    if (error instanceof Sdk.APIConnectionTimeoutError) {
      return new LlmTimeoutError(this.endpoint, `${where}: no complete answer within ${this.config.timeoutMs} ms on ${attempts}; check that the server is up and not overloaded, or raise ${section(this.config)}.timeoutMs`, { cause: error });
    }
    if (error instanceof Sdk.APIConnectionError) {
      const cause = error.cause as (Error & { cause?: { code?: string } }) | undefined;
      if (cause instanceof IncompleteBodyError) {
        return new LlmResponseError(this.endpoint, `${where}: ${cause.message} on ${attempts}; a proxy or the server is cutting answers short`, { cause: error });
      }
      const code = cause?.cause?.code ?? (cause as { code?: string } | undefined)?.code;
      return new LlmConnectionError(this.endpoint, `cannot reach ${where}${code ? ` (${code})` : ''} after ${attempts}; is the server running, and is ${env(this.config)}_BASE_URL (or ${section(this.config)}.baseUrl) right?`, { cause: error });
    }
    if (error instanceof Sdk.APIError && error.status !== undefined) {
      const detail = `${error.status}: ${apiMessage(error)}`;
      if (error.status === 401 || error.status === 403) {
        return new LlmAuthError(
          this.endpoint,
          this.hasKey
            ? `${where} refused the API key (${detail}); check ${env(this.config)}_API_KEY (or ${section(this.config)}.apiKey)`
            : `${where} wants an API key (${detail}); set ${env(this.config)}_API_KEY`,
          { cause: error },
        );
      }
      if (error.status === 429) {
        const wait = error.headers ? retryAfterMs(error.headers) : undefined;
        return new LlmRateLimitError(
          this.endpoint,
          wait !== undefined && wait > this.config.maxRetryAfterMs
            ? `${where} is rate-limited and asks to wait ${Math.ceil(wait / 1000)} s, longer than ${section(this.config)}.maxRetryAfterMs (${this.config.maxRetryAfterMs} ms); try later, or lower ${section(this.config)}.concurrency`
            : `${where} is still rate-limited after ${attempts} (${detail}); lower ${section(this.config)}.concurrency or raise ${section(this.config)}.maxRetries`,
          { cause: error },
        );
      }
      if (isModelError(error)) {
        const served = await this.models(signal).catch(() => undefined);
        return new LlmModelError(
          this.endpoint,
          this.model,
          `${where} does not serve model '${this.model}' (${detail})${served ? `; it serves: ${served.slice(0, 20).join(', ') || 'none'}` : ''}; check ${env(this.config)}_MODEL (or ${section(this.config)}.model)`,
          { cause: error },
        );
      }
      if (error.status >= 300 && error.status < 400) {
        // The fetch under the package does not follow redirects: a POST sent on to another address is a setting to fix.
        const location = error.headers?.get('location');
        return new LlmConnectionError(
          this.endpoint,
          `${where} answered with a redirect (${error.status}${location ? ` to ${location}` : ''}); set ${env(this.config)}_BASE_URL (or ${section(this.config)}.baseUrl) to the address it redirects to`,
          { cause: error },
        );
      }
      if (error.status === 404) {
        return new LlmConnectionError(this.endpoint, `${where} is not found (${detail}); the base URL should be the API root, usually ending in /v1`, { cause: error });
      }
      if (error.status >= 500) return new LlmServerError(this.endpoint, `${where} failed on ${attempts} (${detail}); check the server's log`, { cause: error });
      return new LlmResponseError(this.endpoint, `${where} rejected the request (${detail}); check ${section(this.config)}.parameters`, { cause: error });
    }
    if (error instanceof LlmError || error instanceof ConfigError) return error;
    return new LlmResponseError(this.endpoint, `${where}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}

/** What a fine-tuning job is created with. */
export interface FineTuningRequest {
  readonly trainingFile: string;
  readonly validationFile?: string;
  readonly method: 'supervised' | 'dpo';
  readonly suffix?: string;
  readonly seed?: number;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** A fine-tuning job as the studio reads it. */
export interface FineTuningJob {
  readonly id: string;
  /** validating_files, queued, running, succeeded, failed or cancelled. */
  readonly status: string;
  readonly model: string;
  readonly fineTunedModel: string | null;
  readonly error: string | null;
  readonly trainingFile: string;
  readonly validationFile: string | null;
}

function jobOf(job: Sdk.OpenAI.FineTuning.FineTuningJob): FineTuningJob {
  const error = job.error && (job.error.message || job.error.code) ? `${job.error.code ? `${job.error.code}: ` : ''}${job.error.message ?? ''}` : null;
  return {
    id: job.id,
    status: job.status,
    model: job.model,
    fineTunedModel: job.fine_tuned_model ?? null,
    error,
    trainingFile: job.training_file,
    validationFile: job.validation_file ?? null,
  };
}

/** The environment prefix of the settings a client was made from (STUDIO_LLM, STUDIO_TARGET). */
function env(config: LlmConfig): string {
  return config.setting?.envPrefix ?? 'STUDIO_LLM';
}

/** The config-file section of the settings a client was made from ("llm", "target"). */
function section(config: LlmConfig): string {
  return config.setting?.section ?? 'llm';
}

/** The error message an OpenAI-style body carries ({"error": {"message"}} or {"error": "..."}). */
function apiMessage(error: Sdk.APIError): string {
  const body = error.error as { message?: unknown } | string | undefined;
  const text = typeof body === 'string' ? body : typeof body?.message === 'string' ? body.message : error.message;
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/**
 * An unknown model, as servers say it: OpenAI's code model_not_found (404),
 * vLLM's "The model `x` does not exist." (404), Ollama's "model 'x' not found" (404).
 */
function isModelError(error: Sdk.APIError): boolean {
  if (error.code === 'model_not_found') return true;
  return (error.status === 404 || error.status === 400) && /\bmodel\b/i.test(apiMessage(error)) && /not (be )?found|does not exist|unknown|no such/i.test(apiMessage(error));
}
