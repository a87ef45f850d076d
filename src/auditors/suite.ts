/**
 * An audit suite: the evaluation suite `studio generate --out` writes
 * (<out>/<policy>/eval.jsonl), one scenario per line. Read as a stream, so
 * a suite of any size costs one line of memory at a time; every line is
 * checked, and a bad one is an error naming the file, the line and what was
 * wrong. A suite is identified by the SHA-256 of its bytes.
 */

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, open, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { SuiteError } from '../errors.js';
import { EXPECTATION_KINDS, type Expectation } from '../framers/expectations.js';
import type { Check } from '../framers/exports/checks.js';
import type { Message } from '../framers/templates.js';
import { ASSERTION_TYPES, type AuditCase, type FileAssertion } from './verdict.js';

/** Which cases of a suite to run. */
export interface SuiteFilter {
  /** Only these families (redteam, scenario-compliant ...). */
  readonly families?: readonly string[];
  /** Only these item types (Scenario, RedTeamPrompt, Instruction). */
  readonly types?: readonly string[];
  /** Only the first n matching cases. */
  readonly limit?: number;
}

export interface SuiteInfo {
  readonly file: string;
  readonly sha256: string;
  /** Cases that pass the filter. */
  readonly cases: number;
  /** The policies the cases come from. */
  readonly policies: readonly string[];
}

/** The cases of a suite file, in file order, that pass the filter. */
export async function* readSuite(file: string, filter: SuiteFilter = {}): AsyncGenerator<AuditCase> {
  try {
    await access(file);
  } catch {
    throw new SuiteError(file, 0, 'cannot be read; give the eval.jsonl that `studio generate --out <folder>` writes');
  }
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let line = 0;
  let yielded = 0;
  const seen = new Set<string>();
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    const c = parseCase(text, file, line);
    if (seen.has(c.iri)) throw new SuiteError(file, line, `scenario ${c.iri} appears twice; a suite runs each scenario once`);
    seen.add(c.iri);
    if (!matches(c, filter)) continue;
    if (filter.limit !== undefined && yielded >= filter.limit) break;
    yielded++;
    yield c;
  }
}

/** The suite's digest, its policies and how many cases pass the filter: one pass over the file. */
export async function describeSuite(file: string, filter: SuiteFilter = {}): Promise<SuiteInfo> {
  let cases = 0;
  const policies = new Set<string>();
  for await (const c of readSuite(file, filter)) {
    cases++;
    policies.add(c.policy);
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return { file, sha256: hash.digest('hex'), cases, policies: [...policies].sort() };
}

/**
 * The policy the suite's first scenario names, read from its first line
 * alone; undefined when that line cannot say (unreadable, not JSON, no
 * policy). A guess to start on while the suite is read through, never a
 * check: describeSuite has the last word.
 */
export async function firstPolicy(file: string): Promise<string | undefined> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    const chunk = Buffer.alloc(1 << 16);
    let text = '';
    for (let bytes = 0; text.length < FIRST_LINE_LIMIT; ) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, bytes);
      if (bytesRead === 0) break;
      bytes += bytesRead;
      text += chunk.toString('utf8', 0, bytesRead);
      const line = text.split('\n').find((l, i, all) => l.trim() !== '' && i < all.length - 1);
      if (line !== undefined) {
        const policy = (JSON.parse(line) as { metadata?: { policy?: unknown } }).metadata?.policy;
        return typeof policy === 'string' ? policy : undefined;
      }
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

/** How far firstPolicy reads for a first line (a scenario's line is a few kilobytes). */
const FIRST_LINE_LIMIT = 1 << 20;

function matches(c: AuditCase, filter: SuiteFilter): boolean {
  if (filter.families && !filter.families.includes(c.family)) return false;
  if (filter.types && !filter.types.includes(c.type)) return false;
  return true;
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant']);

/** One line as a case; anything missing or malformed is a SuiteError at that line. */
export function parseCase(text: string, file: string, line: number): AuditCase {
  let record: any;
  try {
    record = JSON.parse(text);
  } catch (error) {
    throw new SuiteError(file, line, `not JSON (${(error as Error).message})`);
  }
  const fail = (what: string): never => {
    throw new SuiteError(file, line, what);
  };
  if (typeof record !== 'object' || record === null || Array.isArray(record)) fail('expected a JSON object per line');
  if (typeof record.id !== 'string' || !/^[a-z][a-z0-9+.-]*:/i.test(record.id)) fail('"id" must be the scenario IRI');
  if (!Array.isArray(record.messages) || record.messages.length === 0) fail('"messages" must be a non-empty list of chat turns');
  record.messages.forEach((m: any, i: number) => {
    if (typeof m !== 'object' || m === null || !ROLES.has(m.role) || typeof m.content !== 'string') {
      fail(`messages[${i}] must be {"role": "system" | "developer" | "user" | "assistant", "content": string}`);
    }
  });
  if (record.messages.at(-1).role !== 'user') fail('the last message must be the user\'s');
  if (!Array.isArray(record.expectations)) fail('"expectations" must be a list');
  record.expectations.forEach((e: any, i: number) => {
    if (typeof e !== 'object' || e === null || !(EXPECTATION_KINDS as readonly string[]).includes(e.kind)) {
      fail(`expectations[${i}].kind must be one of ${EXPECTATION_KINDS.join(', ')}`);
    }
  });
  if (!Array.isArray(record.checks)) fail('"checks" must be a list');
  const metadata = record.metadata;
  if (typeof metadata !== 'object' || metadata === null) fail('"metadata" must be an object with the policy and rules');
  if (typeof metadata.policy !== 'string') fail('metadata.policy must be the policy IRI');
  if (!Array.isArray(metadata.rules) || metadata.rules.length === 0 || !metadata.rules.every((r: unknown) => typeof r === 'string')) {
    fail('metadata.rules must list the IRIs of the rules the scenario tests');
  }
  if (typeof metadata.family !== 'string' || typeof metadata.type !== 'string') fail('metadata.family and metadata.type must be strings');
  if (!noText(metadata.follows) && (typeof metadata.follows !== 'string' || !/^[a-z][a-z0-9+.-]*:/i.test(metadata.follows))) {
    fail('metadata.follows must be the IRI of the message source the answer must follow (studio:PlatformSource, studio:DeveloperSource, studio:UserSource)');
  }
  if (record.assertions !== undefined && !Array.isArray(record.assertions)) fail('"assertions" must be a list');
  (record.assertions ?? []).forEach((a: any, i: number) => {
    if (typeof a !== 'object' || a === null || !(ASSERTION_TYPES as readonly string[]).includes(a.type) || typeof a.value !== 'string' || !Number.isInteger(a.line)) {
      fail(`assertions[${i}] must be {"type": ${ASSERTION_TYPES.map((t) => `"${t}"`).join(' | ')}, "value": string, "line": the line of its test file}`);
    }
  });
  return {
    iri: record.id,
    policy: metadata.policy,
    messages: record.messages.map((m: Message) => ({ role: m.role, content: m.content })),
    expectations: record.expectations as Expectation[],
    checks: record.checks as Check[],
    reference: typeof record.reference === 'string' ? record.reference : '',
    rules: metadata.rules,
    family: metadata.family,
    type: metadata.type,
    ...(typeof metadata.label === 'string' && !noText(metadata.label) ? { label: metadata.label } : {}),
    ...(typeof metadata.attack === 'string' && !noText(metadata.attack) ? { attack: metadata.attack } : {}),
    sections: Array.isArray(metadata.sections) ? metadata.sections.map(String) : [],
    ...(Array.isArray(record.assertions) && record.assertions.length > 0 ? { assertions: (record.assertions as FileAssertion[]).map((a) => ({ type: a.type, value: a.value, line: a.line })) } : {}),
    line,
    ...(typeof metadata.follows === 'string' && !noText(metadata.follows) ? { follows: metadata.follows } : {}),
  };
}

/** A metadata text the record does not have: empty, as the exports write it (metadata.ts), or null or absent, as an older studio's or another tool's suite may say. */
function noText(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}
