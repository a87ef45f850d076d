/**
 * Prompts for LLM tasks are files, like the item templates: YAML with a
 * version, the task's own request parameters, and chat messages whose text
 * is Handlebars in strict mode (a misspelt variable is an error naming the
 * file). A prompt's content hash goes into the provenance of everything made
 * with it, so an edit without a version bump is visible.
 */

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import { parse as parseYaml } from 'yaml';
import { TemplateError } from '../errors.js';
import type { ChatMessage } from './client.js';

/** A prompt file, parsed and compiled. */
export interface PromptTemplate {
  /** Where it came from, relative to the templates folder (e.g. _augment/paraphrase). */
  readonly id: string;
  readonly file: string;
  readonly version: number;
  readonly description: string;
  /** SHA-256 of the file's text. */
  readonly contentHash: string;
  /** Request parameters the task wants (temperature ...). */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** The messages for one set of variables. */
  render(vars: object): ChatMessage[];
}

const KEYS = new Set(['version', 'description', 'parameters', 'messages']);

/** Reads and compiles a prompt file; every mistake is a TemplateError naming it. */
export async function loadPromptTemplate(file: string, id: string): Promise<PromptTemplate> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new TemplateError(file, `cannot read the prompt (${(error as Error).message})`, { cause: error });
  }
  return parsePromptTemplate(file, id, text);
}

/** A task's prompt, `<id>.yaml`, from a templates folder, or from the studio's own (`studioDir`) when that folder has none. */
export async function loadTaskPrompt(id: string, templatesDir: string, studioDir: string): Promise<PromptTemplate> {
  const own = path.join(templatesDir, `${id}.yaml`);
  return loadPromptTemplate(existsSync(own) ? own : path.join(studioDir, `${id}.yaml`), id);
}

/** Parses and compiles a prompt file's text. */
export function parsePromptTemplate(file: string, id: string, text: string): PromptTemplate {
  let doc: Record<string, unknown>;
  try {
    doc = parseYaml(text) as Record<string, unknown>;
  } catch (error) {
    throw new TemplateError(file, `not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new TemplateError(file, 'expected a mapping with version, parameters and messages');
  for (const key of Object.keys(doc)) if (!KEYS.has(key)) throw new TemplateError(file, `unknown key '${key}'; expected ${[...KEYS].join(', ')}`);
  if (!Number.isInteger(doc.version) || (doc.version as number) < 1) throw new TemplateError(file, "'version' must be a positive integer; raise it whenever the text changes");
  const parameters = doc.parameters ?? {};
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) throw new TemplateError(file, "'parameters' must be a mapping such as {temperature: 0.9}");
  if (!Array.isArray(doc.messages) || doc.messages.length === 0) throw new TemplateError(file, "'messages' must be a list of {system: ...} and {user: ...} entries");
  const handlebars = Handlebars.create();
  const messages = doc.messages.map((entry, i) => {
    const pairs = typeof entry === 'object' && entry !== null ? Object.entries(entry as Record<string, unknown>) : [];
    const [role, body] = pairs[0] ?? [];
    if (pairs.length !== 1 || (role !== 'system' && role !== 'user' && role !== 'assistant') || typeof body !== 'string') {
      throw new TemplateError(file, `messages[${i}]: expected one key, system, user or assistant, with text`);
    }
    try {
      const options = { strict: true, noEscape: true };
      handlebars.precompile(body, options); // syntax errors now, naming the file
      return { role: role as ChatMessage['role'], render: handlebars.compile(body, options) };
    } catch (error) {
      throw new TemplateError(file, `messages[${i}]: ${(error as Error).message}`, { cause: error });
    }
  });
  return {
    id,
    file,
    version: doc.version as number,
    description: typeof doc.description === 'string' ? doc.description.trim() : '',
    contentHash: createHash('sha256').update(text).digest('hex'),
    parameters: parameters as Record<string, unknown>,
    render(vars: object): ChatMessage[] {
      try {
        return messages.map((m) => ({ role: m.role, content: m.render(vars).replace(/\n{3,}/g, '\n\n').trim() }));
      } catch (error) {
        throw new TemplateError(file, `cannot render: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}
