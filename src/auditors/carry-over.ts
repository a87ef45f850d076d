/**
 * Re-auditing only what a policy change affects. Every run keeps the digests
 * of the rules it audited (src/evolution/rule-digests.ts), one file per
 * policy version under <audits>/rule-digests/. A run asked for what changed
 * since an earlier run (`studio audit run --only-affected --since <run>`)
 * compares those with the loaded version's: the scenarios of changed,
 * removed and dependent rules are asked again, and so is every scenario the
 * earlier run did not answer or whose messages differ; the other results are
 * carried over from the earlier run, each marked with the run it came from
 * (studio:carriedOverFrom), so that the new run is complete.
 *
 * The work follows the change, not the suite: the earlier run's journal is
 * read as bytes, each line checked against its hash chain and only the head
 * of each result parsed (its scenario, rules and prompt hash); a carried
 * result is written to the new journal as those bytes. The new suite is
 * scanned as bytes too: a scenario whose messages are, byte for byte, the
 * JSON whose hash its earlier result holds is carried without parsing its
 * line; only the lines of scenarios to ask are parsed.
 */

import path from 'node:path';
import { createHash } from 'node:crypto';
import { access, mkdir, readFile } from 'node:fs/promises';
import { writeDurably } from '../store/data-folder.js';
import { AuditRunError, SuiteError } from '../errors.js';
import type { PolicySnapshot } from '../evolution/snapshot.js';
import { affectedRules, type AffectedRules } from '../evolution/rule-digests.js';
import { fileLines } from '../io/file-lines.js';
import { BULK_READ, writtenRecords } from './journal.js';
import type { ResultRecord } from './result-record.js';
import { promptHash } from './response-cache.js';
import { RunFolder, sortedParameters, type RunManifest } from './run-folder.js';
import { parseCase, readSuite, type SuiteFilter } from './suite.js';
import type { AuditCase } from './verdict.js';

/** How digests are made (src/evolution/rule-digests.ts); digests made otherwise are not compared. */
const DIGESTS_VERSION = 1;

/** The digests of one policy version, kept once under the audits folder. */
function digestsFile(auditsDir: string, policySha256: string): string {
  return path.join(auditsDir, 'rule-digests', `${policySha256}.json`);
}

/** The loaded policy read as a snapshot, read once however many ask (digests kept, rules affected). */
export type SnapshotOnce = () => Promise<PolicySnapshot>;

/** Writes the digests of the loaded policy's rules (made by `digests`) for later runs, unless this version's are kept already. */
export async function keepRuleDigests(digests: () => Promise<ReadonlyMap<string, string>>, auditsDir: string, policySha256: string): Promise<void> {
  const file = digestsFile(auditsDir, policySha256);
  try {
    await access(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(path.dirname(file), { recursive: true });
    await writeDurably(file, JSON.stringify({ version: DIGESTS_VERSION, rules: Object.fromEntries(await digests()) }));
  }
}

async function readDigests(auditsDir: string, run: RunManifest): Promise<Map<string, string>> {
  const missing = `run ${run.id} kept no rule digests (it was made by an older studio); audit the whole suite once, then use --since with that run`;
  if (!run.policySha256) throw new AuditRunError(missing);
  let kept: { version?: number; rules?: Record<string, string> };
  try {
    kept = JSON.parse(await readFile(digestsFile(auditsDir, run.policySha256), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new AuditRunError(missing);
    throw new AuditRunError(`${digestsFile(auditsDir, run.policySha256)}: unreadable (${(error as Error).message})`);
  }
  if (kept.version !== DIGESTS_VERSION || typeof kept.rules !== 'object' || kept.rules === null) throw new AuditRunError(missing);
  return new Map(Object.entries(kept.rules));
}

/** An earlier result a run can carry over. */
export interface CarriedResult {
  /** SHA-256 of the messages the earlier run asked. */
  readonly promptHash: string;
  /** The result as the new run writes it: the earlier run's record as JSON, naming the run that asked it (carriedOverFrom). */
  readonly json: Buffer;
}

/** What a run carries over from an earlier one, and why the rest is asked again. */
export interface CarryOver {
  readonly since: RunManifest;
  readonly affected: AffectedRules;
  /** The earlier run's results of scenarios none of whose rules is affected, by scenario. */
  readonly results: ReadonlyMap<string, CarriedResult>;
}

/** The settings a run carried over from must share with the new one: otherwise its answers say nothing of this model. */
type Settings = Pick<RunManifest, 'policy' | 'target' | 'graders'>;

/** Reads the earlier run and decides what can be carried over from it to a run of the loaded policy. */
export async function planCarryOver(snapshot: SnapshotOnce, auditsDir: string, sinceRun: string, now: Settings): Promise<CarryOver> {
  const since = await RunFolder.open(auditsDir, sinceRun);
  const m = since.manifest;
  if (!since.finished) throw new AuditRunError(`run ${m.id} did not finish; finish it (studio audit run --resume ${m.id}) or give a finished run to --since`);
  const differs: string[] = [];
  if (m.policy !== now.policy) differs.push(`policy ${m.policy} vs ${now.policy}`);
  if (m.target.endpoint !== now.target.endpoint || m.target.model !== now.target.model) differs.push(`model ${m.target.model} at ${m.target.endpoint} vs ${now.target.model} at ${now.target.endpoint}`);
  if (JSON.stringify(sortedParameters(m.target.parameters)) !== JSON.stringify(sortedParameters(now.target.parameters))) differs.push(`parameters ${JSON.stringify(m.target.parameters)} vs ${JSON.stringify(now.target.parameters)}`);
  if (JSON.stringify(m.graders) !== JSON.stringify(now.graders)) differs.push(`graders ${m.graders.join(',')} vs ${now.graders.join(',')}`);
  if (differs.length > 0) throw new AuditRunError(`--since ${m.id}: that run's results cannot stand for this one (${differs.join('; ')})`);
  const affected = affectedRules(await readDigests(auditsDir, m), await snapshot());
  const results = new Map<string, CarriedResult>();
  // Its lines are carried as written: a line whose chain no longer holds is refused, not made whole again by a new chain.
  for await (const { line, open } of writtenRecords(since.results)) {
    const head = headOf(open, since.results, line);
    if (head.rules.some((rule) => affected.all.has(rule))) continue;
    results.set(head.scenario, { promptHash: head.promptHash, json: namingAsker(open, head, m.iri) });
  }
  return { since: m, affected, results };
}

const PROMPT_HASH_KEY = Buffer.from(',"promptHash":"');
const CARRIED_KEY = Buffer.from('"carriedOverFrom":');

/** What decides whether an earlier result is carried: its scenario, its rules, the hash of its messages. */
export interface Head {
  readonly scenario: string;
  readonly rules: readonly string[];
  readonly promptHash: string;
  /** Its record, when it had to be parsed whole. */
  readonly record?: ResultRecord;
}

/**
 * The head of a result, given as JSON without its closing brace: a result
 * written by a run begins with its scenario and rules, then strings only up
 * to its prompt hash, so only that much is parsed (it parses only when the
 * prompt hash is a key of the record itself, not of an object within it).
 * Parsed whole when written otherwise.
 */
export function headOf(open: Buffer, file: string, line: number): Head {
  const at = open.indexOf(PROMPT_HASH_KEY);
  const start = at + PROMPT_HASH_KEY.length;
  // A string of 64 bytes with no escape in it: its value is those bytes.
  if (at > 0 && open.indexOf(0x22, start) === start + 64 && !open.subarray(start, start + 64).includes(0x5c)) {
    const hash = open.toString('utf8', start, start + 64);
    let head: { case?: unknown; rules?: unknown } | undefined;
    try {
      head = JSON.parse(`${open.toString('utf8', 0, at)}}`) as typeof head;
    } catch {
      // Not a head that parses alone: parsed whole below.
    }
    if (typeof head?.case === 'string' && Array.isArray(head.rules) && head.rules.every((r) => typeof r === 'string')) return { scenario: head.case, rules: head.rules, promptHash: hash };
  }
  let record: ResultRecord;
  try {
    record = JSON.parse(`${open.toString('utf8')}}`) as ResultRecord;
  } catch {
    throw new AuditRunError(`${file}:${line}: not a whole result; the journal was edited or the disk is damaged.`);
  }
  if (typeof record.case !== 'string' || !Array.isArray(record.rules) || typeof record.promptHash !== 'string') throw new AuditRunError(`${file}:${line}: not a result (no case, rules or promptHash)`);
  return { scenario: record.case, rules: record.rules, promptHash: record.promptHash, record };
}

/**
 * A carried result's JSON, as JSON.stringify writes { ...earlier,
 * carriedOverFrom: earlier.carriedOverFrom ?? its run }: named by the run
 * that asked it, however many runs carried it since. A result carried before
 * ends with that key (it was added last), so its bytes stay as they are.
 * Copied out of the bytes read.
 */
function namingAsker(open: Buffer, head: Head, sinceIri: string): Buffer {
  if (!head.record) {
    const named = namesAsker(open);
    if (named === false) return Buffer.concat([open, Buffer.from(`,"carriedOverFrom":${JSON.stringify(sinceIri)}}`)]);
    if (named === true) return Buffer.concat([open, CLOSE]);
  }
  const record = head.record ?? (JSON.parse(`${open.toString('utf8')}}`) as ResultRecord);
  return Buffer.from(JSON.stringify({ ...record, carriedOverFrom: record.carriedOverFrom ?? sinceIri }));
}

/**
 * Whether a result, given as JSON without its closing brace, names the run
 * that asked it (carriedOverFrom) as its last key, as a carried result
 * does: true; false when it names none; undefined when it names one
 * elsewhere (it must be parsed). The key cannot be read inside a string:
 * its quotes would be escaped there.
 */
export function namesAsker(open: Buffer): boolean | undefined {
  const at = open.indexOf(CARRIED_KEY);
  if (at < 0) return false;
  return open[at - 1] === 0x2c && open.indexOf(CARRIED_KEY, at + 1) < 0 && isJsonString(open.toString('utf8', at + CARRIED_KEY.length)) ? true : undefined;
}

const CLOSE = Buffer.from('}');

function isJsonString(text: string): boolean {
  if (!text.startsWith('"')) return false;
  try {
    return typeof JSON.parse(text) === 'string';
  } catch {
    return false;
  }
}

/** A scenario carried over, with its earlier result. */
export interface Carried {
  readonly scenario: string;
  readonly result: CarriedResult;
}

/** What a run does with the scenarios of its suite that it carries over rather than asks. */
export interface Carrying {
  /** Scenarios with a result written already (a run resumed): neither carried nor asked. */
  readonly done: (scenario: string) => boolean;
  /** Scenarios carried over, handed on together as the suite is read (a read's worth at a time, and before each scenario to ask). */
  readonly carry: (carried: readonly Carried[]) => void;
}

/**
 * The scenarios of a suite a run carrying results over must ask, in file
 * order: every other scenario whose earlier result stands for this run (it
 * was asked with the same messages) is handed to `carrying.carry` instead.
 * The suite must have passed describeSuite (every line checked). Without a
 * filter it is scanned as bytes: the line of a scenario with an earlier
 * result whose messages are, byte for byte, the JSON whose hash that result
 * holds is not parsed; any other line is, as readSuite parses it. With a
 * filter, readSuite reads it (the filter needs each line's metadata).
 */
export async function* scenariosToAsk(file: string, filter: SuiteFilter, carry: CarryOver, carrying: Carrying): AsyncGenerator<AuditCase> {
  let batch: Carried[] = [];
  const handOn = () => {
    if (batch.length > 0) carrying.carry(batch);
    batch = [];
  };
  if (filter.families || filter.types || filter.limit !== undefined) {
    for await (const c of readSuite(file, filter)) {
      if (carrying.done(c.iri)) continue;
      const earlier = carry.results.get(c.iri);
      if (earlier && earlier.promptHash === promptHash(c.messages)) carrying.carry([{ scenario: c.iri, result: earlier }]);
      else yield c;
    }
    return;
  }
  const seen = new Set<string>();
  let line = 0;
  for await (const { bytes: read } of fileLines(file, { unterminated: 'keep', chunkBytes: BULK_READ })) {
    // Lines as readline splits them (readSuite): a carriage return alone ends one too, and one before the newline is no part of it.
    for (const bytes of crSplit(read)) {
      line++;
      if (bytes.length === 0 || (bytes[0] !== 0x7b && bytes.toString('utf8').trim() === '')) continue;
      let c: AuditCase | undefined;
      const fast = scenarioOf(bytes);
      const scenario = fast?.scenario ?? (c = parseCase(bytes.toString('utf8'), file, line)).iri;
      if (seen.has(scenario)) throw new SuiteError(file, line, `scenario ${scenario} appears twice; a suite runs each scenario once`);
      seen.add(scenario);
      if (carrying.done(scenario)) continue;
      const earlier = carry.results.get(scenario);
      if (earlier && fast && messagesHash(bytes, fast.after) === earlier.promptHash) {
        batch.push({ scenario, result: earlier });
        continue;
      }
      c ??= parseCase(bytes.toString('utf8'), file, line);
      if (earlier && earlier.promptHash === promptHash(c.messages)) batch.push({ scenario, result: earlier });
      else {
        handOn();
        yield c;
      }
    }
    handOn();
  }
}

/** A line's pieces between carriage returns, a last empty one (a CRLF's) left out. */
function crSplit(bytes: Buffer): Buffer[] {
  if (bytes.indexOf(0x0d) < 0) return [bytes];
  const pieces: Buffer[] = [];
  let start = 0;
  for (let cr = bytes.indexOf(0x0d); cr >= 0; cr = bytes.indexOf(0x0d, start)) {
    pieces.push(bytes.subarray(start, cr));
    start = cr + 1;
  }
  if (start < bytes.length) pieces.push(bytes.subarray(start));
  return pieces;
}

const ID_OPEN = Buffer.from('{"id":"');
const ID_KEY = Buffer.from('"id":');
const MESSAGES_KEY = Buffer.from('"messages":');
const MESSAGES_AFTER_ID = Buffer.from(',"messages":[');

/**
 * A suite line's scenario read from its bytes, when the line begins with its
 * id (as the suites studio writes do) and names no other "id" key, and where
 * its messages' value begins; undefined otherwise (the line is parsed).
 */
function scenarioOf(bytes: Buffer): { scenario: string; after: number } | undefined {
  if (!bytes.subarray(0, ID_OPEN.length).equals(ID_OPEN)) return undefined;
  const close = stringEnd(bytes, ID_OPEN.length);
  if (close < 0 || bytes.indexOf(ID_KEY, close) >= 0) return undefined;
  try {
    return { scenario: JSON.parse(bytes.toString('utf8', ID_OPEN.length - 1, close + 1)) as string, after: close + 1 };
  } catch {
    return undefined;
  }
}

/**
 * SHA-256 of a suite line's messages as they are written, when they follow
 * its id and the line names no other "messages" key; undefined otherwise.
 * It equals a result's promptHash only when the bytes are the JSON promptHash
 * hashed, so only then do the messages parse to the ones that result was
 * asked with.
 */
function messagesHash(bytes: Buffer, after: number): string | undefined {
  if (!bytes.subarray(after, after + MESSAGES_AFTER_ID.length).equals(MESSAGES_AFTER_ID)) return undefined;
  const start = after + MESSAGES_AFTER_ID.length - 1;
  const end = valueEnd(bytes, start);
  if (end < 0 || bytes.indexOf(MESSAGES_KEY, end) >= 0) return undefined;
  return createHash('sha256').update(bytes.subarray(start, end)).digest('hex');
}

/** The index of the quote closing the JSON string whose content starts at `from`; -1 if none. */
function stringEnd(bytes: Buffer, from: number): number {
  for (let i = from; i < bytes.length; i++) {
    if (bytes[i] === 0x5c) i++;
    else if (bytes[i] === 0x22) return i;
  }
  return -1;
}

/** The index just after the JSON array or object opening at `start`; -1 if it does not close. */
function valueEnd(bytes: Buffer, start: number): number {
  let depth = 0;
  for (let i = start; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x22) {
      i = stringEnd(bytes, i + 1);
      if (i < 0) return -1;
    } else if (b === 0x5b || b === 0x7b) depth++;
    else if ((b === 0x5d || b === 0x7d) && --depth === 0) return i + 1;
  }
  return -1;
}
