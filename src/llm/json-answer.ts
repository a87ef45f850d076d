/**
 * What a model answers when asked for JSON: the object found in its text
 * (alone, in a code fence, or with prose around it) and checked against a
 * schema. A problem is a sentence the model can be asked again with, never
 * an exception.
 */

import type { ValidateFunction } from 'ajv';

/** The object in a model's answer, checked by `validate`, or what is wrong with it. */
export function readJsonAnswer<T>(text: string, validate: ValidateFunction<T>): { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string } {
  const found = extractJsonObject(text);
  if (found === undefined) return { ok: false, problem: `no JSON object found in the answer (it began: ${JSON.stringify(text.trim().slice(0, 80))})` };
  if (!validate(found)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '(the object)'} ${e.message}${e.keyword === 'enum' ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.filter((v) => v !== null).join(', ')})` : ''}`);
    return { ok: false, problem: `the JSON does not match the schema: ${[...new Set(problems)].join('; ')}` };
  }
  return { ok: true, value: found };
}

/**
 * The first JSON object in a text: the whole text, else a fenced block
 * (```json ... ```), else the first balanced {...} that parses.
 */
export function extractJsonObject(text: string): object | undefined {
  const candidates = [text.trim(), ...[...text.matchAll(/```[a-zA-Z]*\s*\n?([\s\S]*?)```/g)].map((m) => m[1]!.trim())];
  for (const candidate of candidates) {
    const value = parseObject(candidate);
    if (value) return value;
  }
  for (let start = text.indexOf('{'); start !== -1; start = text.indexOf('{', start + 1)) {
    const end = matchingBrace(text, start);
    if (end === undefined) continue;
    const value = parseObject(text.slice(start, end + 1));
    if (value) return value;
  }
  return undefined;
}

function parseObject(text: string): object | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The index of the brace closing the one at `start`, skipping braces inside strings. */
function matchingBrace(text: string, start: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i;
  }
  return undefined;
}
