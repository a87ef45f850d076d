/**
 * Where the studio's LLM is and how to call it: the "llm" section of
 * studio.config.json, overridden by STUDIO_LLM_BASE_URL, STUDIO_LLM_API_KEY
 * and STUDIO_LLM_MODEL. Nothing here is required until a command needs a
 * model (generate --augment, the auditors); the client says what is missing.
 */

import { ConfigError } from '../errors.js';

/** The resolved LLM settings. */
export interface LlmConfig {
  /** The OpenAI-compatible API root, usually ending in /v1 (http://127.0.0.1:11434/v1 for Ollama). */
  readonly baseUrl?: string;
  /** Sent as a bearer token; local servers (Ollama, llama.cpp, vLLM) need none. */
  readonly apiKey?: string;
  readonly model?: string;
  /** Request parameters sent with every call (temperature, top_p, max_tokens, seed ...), over each task's own defaults. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** Longest wait for one complete answer (headers and body), per attempt. */
  readonly timeoutMs: number;
  /** Retries after the first attempt, on 408, 409, 429, 5xx, timeouts and broken connections. */
  readonly maxRetries: number;
  /** The longest Retry-After the client honours; a 429 asking for more fails at once rather than stall a run for an hour. */
  readonly maxRetryAfterMs: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** Where these settings come from, for messages that say what to change (default: "llm" and STUDIO_LLM_*). */
  readonly setting?: LlmSetting;
}

/** A config-file section and its environment prefix: "llm" / STUDIO_LLM (the studio's helper model), "target" / STUDIO_TARGET (the model under audit). */
export interface LlmSetting {
  readonly section: string;
  readonly envPrefix: string;
  /** What the endpoint is for, in messages ("LLM", "audit target"). */
  readonly purpose: string;
}

/** The studio's own model: augmentation and judging. */
export const LLM_SETTING: LlmSetting = { section: 'llm', envPrefix: 'STUDIO_LLM', purpose: 'LLM' };
/** The model an audit runs its suite against. */
export const TARGET_SETTING: LlmSetting = { section: 'target', envPrefix: 'STUDIO_TARGET', purpose: 'audit target' };

/** The model the playground sets beside the model under audit (an unaligned or earlier one). */
export const BASELINE_SETTING: LlmSetting = { section: 'baseline', envPrefix: 'STUDIO_BASELINE', purpose: 'baseline' };

/** Where fine-tuning jobs run; its model is the base model jobs train. */
export const TRAIN_SETTING: LlmSetting = { section: 'train', envPrefix: 'STUDIO_TRAIN', purpose: 'fine-tuning' };

/** Defaults: a minute per answer covers a slow local model writing a few hundred tokens; three retries ride out a restart. */
export const LLM_DEFAULTS = { timeoutMs: 60_000, maxRetries: 3, maxRetryAfterMs: 120_000, concurrency: 4 } as const;

const KEYS = new Set(['baseUrl', 'apiKey', 'model', 'parameters', 'timeoutMs', 'maxRetries', 'maxRetryAfterMs', 'concurrency']);

/** Resolves the LLM settings from the config file's "llm" section (`file` names it in errors) and the environment. */
export function resolveLlmConfig(section: unknown, file: string, env: NodeJS.ProcessEnv = process.env, setting: LlmSetting = LLM_SETTING): LlmConfig {
  const name = setting.section;
  if (section !== undefined && (typeof section !== 'object' || section === null || Array.isArray(section))) {
    throw new ConfigError(`${file}: "${name}" must be an object such as {"baseUrl": "http://127.0.0.1:11434/v1", "model": "llama3.1"}`);
  }
  const s = (section ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!KEYS.has(key)) throw new ConfigError(`${file}: unknown key "${name}.${key}"; expected ${[...KEYS].join(', ')}`);
  }
  const text = (key: string): string | undefined => {
    const value = s[key];
    if (value !== undefined && typeof value !== 'string') throw new ConfigError(`${file}: "${name}.${key}" must be a string`);
    return value === '' ? undefined : value;
  };
  const count = (key: keyof typeof LLM_DEFAULTS, min: number): number => {
    const value = s[key] ?? LLM_DEFAULTS[key];
    if (!Number.isSafeInteger(value) || (value as number) < min) throw new ConfigError(`${file}: "${name}.${key}" must be an integer of at least ${min}`);
    return value as number;
  };
  const parameters = s.parameters ?? {};
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
    throw new ConfigError(`${file}: "${name}.parameters" must be an object such as {"temperature": 0.7, "max_tokens": 800}`);
  }
  const baseUrl = env[`${setting.envPrefix}_BASE_URL`] || text('baseUrl');
  if (baseUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(baseUrl);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol)) throw new ConfigError(`${setting.purpose} base URL '${baseUrl}' is not an http(s) URL; give the API root, e.g. http://127.0.0.1:11434/v1`);
  }
  const apiKey = env[`${setting.envPrefix}_API_KEY`] || text('apiKey');
  const model = env[`${setting.envPrefix}_MODEL`] || text('model');
  return {
    ...(baseUrl ? { baseUrl: baseUrl.replace(/\/+$/, '') } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...(model ? { model } : {}),
    parameters: parameters as Record<string, unknown>,
    timeoutMs: count('timeoutMs', 1),
    maxRetries: count('maxRetries', 0),
    maxRetryAfterMs: count('maxRetryAfterMs', 0),
    concurrency: count('concurrency', 1),
    ...(setting === LLM_SETTING ? {} : { setting }),
  };
}
