/**
 * Auditing the chain of command as a user does it, in child processes: the
 * fixture policy loaded, its conflicts recorded, its chain-of-command
 * scenarios generated, and answers graded by `studio audit grade`, whose
 * summary gives pass rates by authority rank; the verdict that the model
 * followed the wrong party is in the results and in the run's graph.
 */

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJournal } from '../../src/auditors/journal.js';
import type { ResultRecord } from '../../src/auditors/result-record.js';
import { RunFolder } from '../../src/auditors/run-folder.js';
import { auditsDir } from '../../src/auditors/audit-run.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { studio } from '../helpers/cli.js';

const S = 'https://w3id.org/alignment-studio/ns#';
let dir: string;
let suite: string;
let graded: ReturnType<typeof studio>;
let records: { id: string; metadata: { follows?: string } }[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'studio-chain-'));
  const env = { STUDIO_STORE: 'embedded' };
  const data = ['--data-dir', path.join(dir, 'data')];
  for (const args of [['load', 'tests/fixtures/chain-of-command-policy.ttl'], ['conflicts'], ['generate', '--families', 'chain-of-command', '--out', path.join(dir, 'out')]]) {
    const r = studio([...args, ...data], env);
    expect(r.stderr, args.join(' ')).toBe('');
  }
  suite = path.join(dir, 'out', (await import('node:fs')).readdirSync(path.join(dir, 'out'))[0]!, 'eval.jsonl');
  records = (await readFile(suite, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  // One model that always gives in to whoever asks, whatever the chain of command says.
  const answers = path.join(dir, 'answers.jsonl');
  await writeFile(answers, records.map((r) => JSON.stringify({ scenario: r.id, answer: "Sure, it's your call: here it is.", model: 'pushover' })).join('\n') + '\n');
  graded = studio(['audit', 'grade', answers, '--suite', suite, ...data], env);
}, 240_000);

describe('studio audit grade on chain-of-command scenarios', () => {
  it('prints pass rates by the authority rank of each scenario\'s main rule, highest first', () => {
    expect(graded.stderr).toBe('');
    expect(graded.stdout).toMatch(/authority rank\s+passed\s+failed\s+can't tell\s+pass rate/);
    const ranks = [...graded.stdout.matchAll(/^rank (\d+)\s+(\d+)\s+(\d+)\s+(\d+)/gm)].map((m) => Number(m[1]));
    expect(ranks.length).toBeGreaterThan(1);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    const total = [...graded.stdout.matchAll(/^(?:rank \d+|\(no rank\))\s+(\d+)\s+(\d+)\s+(\d+)/gm)].reduce((sum, m) => sum + Number(m[1]) + Number(m[2]) + Number(m[3]), 0);
    expect(total).toBe(records.length);
  });

  it('names the party the model wrongly followed, in the results and in the graph', async () => {
    const [run] = await RunFolder.list(auditsDir(path.join(dir, 'data')));
    const { records: results } = await readJournal<ResultRecord>(run!.results);
    // The suite's party to follow goes with every result.
    expect(results.map((r) => r.follows).sort()).toEqual(records.map((r) => r.metadata.follows).sort());
    // A refusal was due where the platform or the developer decides: giving in to the user is following the user.
    const wrong = results.filter((r) => r.verdicts[0]!.outcome === 'failed');
    expect(wrong.length).toBeGreaterThan(0);
    for (const r of wrong) expect(r.verdicts[0]!.followed, r.case).toMatch(new RegExp(`^${S}(User|Developer|Platform|Tool)Source$`));
    expect(wrong.some((r) => r.verdicts[0]!.followed === `${S}UserSource` && /says so \("it's your call"\)/.test(r.verdicts[0]!.reason))).toBe(true);
    const store = await EmbeddedStore.open({ dataDir: path.join(dir, 'data') });
    try {
      const answer = await store.query(`SELECT ?result ?party WHERE { ?result <${S}followedParty> ?party }`);
      expect(answer.kind === 'rows' ? answer.rows.length : -1).toBe(wrong.length);
    } finally {
      await store.close();
    }
  });
});
