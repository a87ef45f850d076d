/**
 * The files a fine-tuning job uploads to OpenAI, with only the keys its
 * fine-tuning formats document, and a sidecar beside each that keeps our
 * metadata:
 *
 *   openai/sft/<split>.jsonl   {"messages": [...]}                          (supervised)
 *   openai/dpo/<split>.jsonl   {"input": {"messages": [...]},
 *                               "preferred_output": [assistant message],
 *                               "non_preferred_output": [assistant message]} (DPO)
 *   openai/<format>/<split>.metadata.jsonl  {"line": n, "item": IRI, "metadata": {...}}
 *
 * Line n of a sidecar describes line n (from 1) of the file beside it. Only
 * the splits a job uploads (train and validation) are written.
 */

import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Message } from '../framers/templates.js';
import { DatasetError } from '../errors.js';
import type { Format } from './leak-check.js';

/** The splits a job uploads. */
export const UPLOADED_SPLITS = ['train', 'validation'] as const;
export type UploadedSplit = (typeof UPLOADED_SPLITS)[number];

/** The keys of a line, as OpenAI documents them for each format. */
export const OPENAI_KEYS: Readonly<Record<Format, readonly string[]>> = {
  sft: ['messages'],
  dpo: ['input', 'non_preferred_output', 'preferred_output'],
};

const ROLES = new Set(['system', 'developer', 'user', 'assistant']);

export function openAiFile(folder: string, format: Format, split: UploadedSplit): string {
  return path.join(folder, 'openai', format, `${split}.jsonl`);
}
export function sidecarFile(folder: string, format: Format, split: UploadedSplit): string {
  return path.join(folder, 'openai', format, `${split}.metadata.jsonl`);
}

export function openAiChat(prompt: readonly Message[], answer: string): object {
  return { messages: [...prompt.map(message), { role: 'assistant', content: answer }] };
}

export function openAiPreference(prompt: readonly Message[], preferred: string, rejected: string): object {
  return { input: { messages: prompt.map(message) }, preferred_output: [{ role: 'assistant', content: preferred }], non_preferred_output: [{ role: 'assistant', content: rejected }] };
}

function message(m: Message): { role: string; content: string } {
  return { role: m.role, content: m.content };
}

/** What is wrong with one line of an upload file, or undefined when it has only the documented keys and shapes. */
export function openAiLineProblem(record: unknown, format: Format): string | undefined {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return 'not a JSON object';
  const keys = Object.keys(record).sort();
  if (keys.join(',') !== OPENAI_KEYS[format].join(',')) return `has the keys ${keys.join(', ') || 'none'}; OpenAI's ${format === 'sft' ? 'supervised' : 'DPO'} format takes ${OPENAI_KEYS[format].join(', ')}`;
  const r = record as Record<string, unknown>;
  const messages = format === 'sft' ? r.messages : (r.input as { messages?: unknown } | null)?.messages;
  if (format === 'dpo' && Object.keys(r.input ?? {}).join(',') !== 'messages') return 'its "input" must hold only "messages"';
  const bad = messagesProblem(messages);
  if (bad) return bad;
  if (format === 'sft' && (messages as { role: string }[]).at(-1)!.role !== 'assistant') return 'its last message is not the assistant\'s';
  if (format === 'dpo') {
    for (const key of ['preferred_output', 'non_preferred_output']) {
      const out = r[key] as { role?: unknown }[];
      if (messagesProblem(out) || out.length !== 1 || out[0]!.role !== 'assistant') return `"${key}" must be one assistant message`;
    }
  }
  return undefined;
}

function messagesProblem(messages: unknown): string | undefined {
  if (!Array.isArray(messages) || messages.length === 0) return 'has no messages';
  for (const [i, m] of messages.entries()) {
    if (typeof m !== 'object' || m === null || Object.keys(m).sort().join(',') !== 'content,role') return `message ${i + 1} must have exactly "role" and "content"`;
    if (!ROLES.has((m as { role: string }).role) || typeof (m as { content: unknown }).content !== 'string') return `message ${i + 1} has role ${JSON.stringify((m as { role: unknown }).role)} or a content that is not text`;
  }
  return undefined;
}

/**
 * Checks an upload file before it leaves: every line has only the documented
 * keys. A set compiled before these files existed, or a line that breaks the
 * format, is a DatasetError naming the file and line. Resolves with the count.
 */
export async function assertOpenAiFile(file: string, format: Format): Promise<number> {
  try {
    await access(file);
  } catch {
    throw new DatasetError(`${file}: not found; the set was compiled before uploads had files of their own: run 'studio train dataset' again`);
  }
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (error) {
      throw new DatasetError(`${file}:${line}: not JSON (${(error as Error).message})`);
    }
    const problem = openAiLineProblem(record, format);
    if (problem) throw new DatasetError(`${file}:${line}: ${problem}`);
  }
  return line;
}
