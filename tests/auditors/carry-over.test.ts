/**
 * Reading a suite for a run that carries results over (carry-over.ts,
 * scenariosToAsk): a scenario whose earlier result stands is carried from its
 * line's bytes without the line being parsed; any other is parsed and asked;
 * a scenario twice is an error naming the line.
 */

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenariosToAsk, type Carried, type CarryOver } from '../../src/auditors/carry-over.js';
import { promptHash } from '../../src/auditors/response-cache.js';
import type { RunManifest } from '../../src/auditors/run-folder.js';
import type { AffectedRules } from '../../src/evolution/rule-digests.js';

const line = (id: string, question: string, extra: object = {}) =>
  JSON.stringify({
    id,
    messages: [{ role: 'system', content: 'Follow the policy.' }, { role: 'user', content: question }],
    expectations: [],
    checks: [],
    metadata: { policy: 'https://example.org/p#policy', rules: ['https://example.org/p#r1'], family: 'scenario-compliant', type: 'Scenario' },
    ...extra,
  });
const asked = (question: string) => promptHash([{ role: 'system', content: 'Follow the policy.' }, { role: 'user', content: question }]);

async function read(lines: string[], results: Record<string, string>): Promise<{ asked: string[]; carried: string[] }> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'studio-carry-')), 'eval.jsonl');
  await writeFile(file, `${lines.join('\n')}\n`);
  const carry: CarryOver = {
    since: {} as RunManifest,
    affected: {} as AffectedRules,
    results: new Map(Object.entries(results).map(([id, hash]) => [id, { promptHash: hash, json: Buffer.from(`{"case":${JSON.stringify(id)}}`) }])),
  };
  const carried: Carried[] = [];
  const out: string[] = [];
  for await (const c of scenariosToAsk(file, {}, carry, { done: () => false, carry: (batch) => carried.push(...batch) })) out.push(c.iri);
  return { asked: out, carried: carried.map((c) => c.scenario) };
}

describe('the scenarios a carrying run asks', () => {
  it('carries a scenario asked with the same messages from its bytes, and parses and asks the others', async () => {
    const lines = [
      // describeSuite checks every line before a run reads it so; this one it would refuse, and it is carried unparsed.
      line('https://example.org/s#1', 'May I?', { checks: 'not a list' }),
      line('https://example.org/s#2', 'May I now?'),
      line('https://example.org/s#3', 'And then?'),
    ];
    expect(await read(lines, { 'https://example.org/s#1': asked('May I?'), 'https://example.org/s#2': asked('May I, as before?') })).toEqual({
      asked: ['https://example.org/s#2', 'https://example.org/s#3'],
      carried: ['https://example.org/s#1'],
    });
  });

  it('refuses a scenario twice, naming its line, carried or not', async () => {
    const lines = [line('https://example.org/s#1', 'May I?'), line('https://example.org/s#2', 'Why?'), line('https://example.org/s#1', 'May I?')];
    await expect(read(lines, { 'https://example.org/s#1': asked('May I?') })).rejects.toThrow(/eval\.jsonl:3: scenario https:\/\/example\.org\/s#1 appears twice/);
  });
});
