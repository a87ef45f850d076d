/**
 * Training sets on the sample policies (embedded store): contexts read as
 * data, datasets that differ by context as the graph says they should, the
 * leak check on written files (and on a deliberately leaking split), mixing,
 * deduplication and splits by rule.
 */

import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/store/graph-store.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { detectConflicts } from '../../src/conflicts/detect.js';
import { writeConflicts } from '../../src/conflicts/conflict-graph.js';
import { TemplateLibrary } from '../../src/framers/templates.js';
import { readDeploymentContexts } from '../../src/instructors/deployment-context.js';
import { readContextResolutions } from '../../src/instructors/context-precedence.js';
import { compileDataset, type DatasetSummary } from '../../src/instructors/dataset.js';
import { checkSplits } from '../../src/instructors/leak-check.js';
import { parseMix } from '../../src/instructors/mixing.js';
import { parseRatios } from '../../src/instructors/splits.js';
import { DatasetError, InvalidOptionError, UnknownContextError } from '../../src/errors.js';
import { studio } from '../helpers/cli.js';
import { SAMPLE_POLICIES } from '../store/store-spec.js';

const H = 'https://example.org/harbourline/assistant#';
const S = 'https://w3id.org/alignment-studio/ns#';

let store: GraphStore;
let library: TemplateLibrary;
let out: string;
let customer: DatasetSummary;
let staff: DatasetSummary;

async function lines(file: string): Promise<any[]> {
  return (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
async function allRecords(summary: DatasetSummary, format: 'sft' | 'dpo'): Promise<any[]> {
  return [...(await lines(path.join(summary.folder, format, 'train.jsonl'))), ...(await lines(path.join(summary.folder, format, 'validation.jsonl'))), ...(await lines(path.join(summary.folder, format, 'test.jsonl')))];
}

beforeAll(async () => {
  store = await EmbeddedStore.open();
  for (const file of SAMPLE_POLICIES) await store.loadPolicy(await readTurtle(file));
  await writeConflicts(store, await detectConflicts(store));
  library = await TemplateLibrary.load();
  out = await mkdtemp(path.join(tmpdir(), 'studio-train-'));
  customer = await compileDataset(store, `${H}policy`, `${H}ctx-customer-assistant`, library, out, { seed: 1 });
  staff = await compileDataset(store, `${H}policy`, `${H}ctx-staff-assistant`, library, out, { seed: 1 });
}, 120_000);

afterAll(async () => {
  await store?.close();
  if (out) await rm(out, { recursive: true, force: true });
});

describe('deployment contexts', () => {
  it('are read from the graph with their audience, assumptions and order of priorities', async () => {
    const contexts = await readDeploymentContexts(store, `${H}policy`);
    expect(contexts.map((c) => c.iri)).toEqual([`${H}ctx-customer-assistant`, `${H}ctx-staff-assistant`]);
    expect(contexts[0]!.audience).toBe(`${S}External`);
    expect(contexts[0]!.assumedAudiences).toEqual([`${S}External`]);
    expect(contexts[0]!.priorities).toEqual(['explicitOverride', 'lexSuperior', 'caution', 'lexSpecialis', 'lexPosterior']);
    expect(contexts[1]!.priorities).toEqual(['explicitOverride', 'lexSuperior', 'lexSpecialis', 'lexPosterior']);
  });

  it('an undeclared context is an UnknownContextError', async () => {
    await expect(compileDataset(store, `${H}policy`, `${H}ctx-nowhere`, library, out, { seed: 1 })).rejects.toBeInstanceOf(UnknownContextError);
  });
});

describe('datasets differ by context as the graph says', () => {
  it('the recorded resolution of dat-002 against dat-003 follows each context: caution first for customers, specificity otherwise', async () => {
    const defaults = (await detectConflicts(store, { policy: `${H}policy` })).conflicts.find((c) => c.prohibition === `${H}dat-002`)!;
    expect(defaults.winner).toBe(`${H}dat-003`);
    const inCustomer = (await readContextResolutions(store, `${H}ctx-customer-assistant`)).get(defaults.iri)!;
    expect(inCustomer).toMatchObject({ winner: `${H}dat-002`, loser: `${H}dat-003`, principle: `${S}Caution` });
    const inStaff = (await readContextResolutions(store, `${H}ctx-staff-assistant`)).get(defaults.iri)!;
    expect(inStaff).toMatchObject({ winner: `${H}dat-003`, principle: `${S}LexSpecialis` });
  });

  it("the customer set's conflict items target the context's winner; the chosen and rejected answers swapped", async () => {
    expect(customer.swappedForContext).toBeGreaterThan(0);
    const conflictItems = (await allRecords(customer, 'dpo')).filter((r) => r.metadata.family === 'conflict' && r.metadata.rules.includes(`${H}dat-003`) && r.metadata.rules.includes(`${H}dat-002`));
    expect(conflictItems.length).toBeGreaterThan(0);
    for (const r of conflictItems) {
      expect(r.metadata.target_rule).toBe(`${H}dat-002`);
      expect(r.chosen[0].content).toMatch(/must not reveal account information/);
    }
  });

  it("the customer set leaves out the rule that loses to a rule covering it, and staff-only rules; the staff set leaves out customer-only ones", async () => {
    const customerRules = new Set((await allRecords(customer, 'sft')).flatMap((r) => r.metadata.rules));
    const staffRules = new Set((await allRecords(staff, 'sft')).flatMap((r) => r.metadata.rules));
    const onlyAlone = (await allRecords(customer, 'sft')).filter((r) => r.metadata.rules.length === 1 && r.metadata.rules[0] === `${H}dat-003`);
    expect(onlyAlone).toEqual([]);
    expect(customer.excluded.overriddenInContext).toBeGreaterThan(0);
    expect(customerRules.has(`${H}dat-002`)).toBe(true);
    expect(staffRules.has(`${H}dat-002`)).toBe(false); // a customer-conversation rule
    expect(customer.excluded.notApplicable).toBeGreaterThan(0);
    expect(staff.excluded.notApplicable).toBeGreaterThan(0);
    const internalOnly = [...staffRules].filter((r) => !customerRules.has(r));
    expect(internalOnly.length).toBeGreaterThan(0);
  });

  it('each context has its own system prompt, opening with its persona', async () => {
    const [c] = await lines(path.join(customer.folder, 'sft', 'train.jsonl'));
    const [s] = await lines(path.join(staff.folder, 'sft', 'train.jsonl'));
    expect(c.messages[0]).toMatchObject({ role: 'system' });
    expect(c.messages[0].content).toMatch(/^You are Harbourline Bank's customer assistant/);
    expect(s.messages[0].content).toMatch(/^You are Harbourline Bank's staff assistant/);
    expect(c.messages.at(-1).role).toBe('assistant');
    expect(c.metadata.rules.length).toBeGreaterThan(0);
  });
});

describe('what the Hugging Face datasets library needs to read a set', () => {
  it('every record of every split has the same metadata keys, of one type: a text the item has not is empty, not null', async () => {
    const seen: Array<{ metadata: Record<string, unknown> }> = [];
    for (const summary of [customer, staff]) {
      for (const format of ['sft', 'dpo'] as const) {
        const records = await allRecords(summary, format);
        const shapes = new Set(records.map((r) => Object.keys(r.metadata).join(',')));
        expect([...shapes], `${summary.folder} ${format}`).toHaveLength(1);
        seen.push(...records);
      }
    }
    // Both kinds of record are among the sets: a text absent from one kind is empty, not missing nor null (the
    // datasets library types a key from the first 10 MB of the first file: null there, and the first text fails).
    expect(seen.some((r) => r.metadata.conflict === '') && seen.some((r) => typeof r.metadata.conflict === 'string' && r.metadata.conflict !== '')).toBe(true);
    expect(seen.some((r) => r.metadata.label === '') && seen.some((r) => typeof r.metadata.label === 'string' && r.metadata.label !== '')).toBe(true);
    for (const r of seen) for (const [key, value] of Object.entries({ ...r.metadata, ...(r.metadata.paraphrase as object) })) expect(value, key).not.toBeNull();
  });
});

describe('the leak check', () => {
  it('passes on the written splits, which hold every record once', async () => {
    const report = await checkSplits(customer.folder);
    expect(report.ok).toBe(true);
    expect(report.records['sft/train.jsonl']).toBe(customer.records.sft.train);
    expect(customer.records.sft.validation + customer.records.sft.test).toBeGreaterThan(0);
  });

  it('fails on a deliberately leaking split, naming file and line, and the CLI exits 1', async () => {
    const leaky = await mkdtemp(path.join(tmpdir(), 'studio-leak-'));
    try {
      for (const format of ['sft', 'dpo']) {
        const train = await readFile(path.join(customer.folder, format, 'train.jsonl'), 'utf8');
        await import('node:fs/promises').then((fs) => fs.mkdir(path.join(leaky, format), { recursive: true }));
        await writeFile(path.join(leaky, format, 'train.jsonl'), train);
        await writeFile(path.join(leaky, format, 'validation.jsonl'), await readFile(path.join(customer.folder, format, 'validation.jsonl'), 'utf8'));
        // A test record whose rule, template and entities are a training record's, with other words.
        const moved = JSON.parse(train.split('\n')[3]!);
        moved.messages = moved.messages ?? moved.prompt;
        await writeFile(path.join(leaky, format, 'test.jsonl'), (await readFile(path.join(customer.folder, format, 'test.jsonl'), 'utf8')) + JSON.stringify(moved) + '\n');
      }
      const report = await checkSplits(leaky);
      expect(report.ok).toBe(false);
      expect(report.leaks).toHaveLength(2);
      expect(report.leaks[0]!.file).toBe(path.join(leaky, 'sft', 'test.jsonl'));
      expect(report.leaks[0]!.line).toBe(customer.records.sft.test + 1);
      const cli = studio(['train', 'check', leaky]);
      expect(cli.code).toBe(1);
      expect(cli.stderr).toMatch(/2 validation\/test record\(s\) share their \(rule, template, entities\) key/);
      expect(studio(['train', 'check', customer.folder]).code).toBe(0);
    } finally {
      await rm(leaky, { recursive: true, force: true });
    }
  }, 60_000);

  it('a record without its leak key is a DatasetError naming the file and line', async () => {
    const bad = await mkdtemp(path.join(tmpdir(), 'studio-bad-'));
    try {
      await import('node:fs/promises').then((fs) => fs.mkdir(path.join(bad, 'sft')));
      await writeFile(path.join(bad, 'sft', 'train.jsonl'), '{"messages":[],"metadata":{"rules":["r"],"template":"t","entities":[]}}\n{"messages":[]}\n');
      await expect(checkSplits(bad)).rejects.toThrow(new DatasetError(`${path.join(bad, 'sft', 'train.jsonl')}:2: the record's metadata lacks rules, template or entities, so its leak key cannot be read`));
      await appendFile(path.join(bad, 'sft', 'train.jsonl'), '');
      await expect(checkSplits(path.join(bad, 'nothing'))).rejects.toBeInstanceOf(DatasetError);
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });
});

describe('mixing, deduplication and splits', () => {
  it('a label weight of 0 removes the label, 2 doubles it; copies stay in one split', async () => {
    const mixed = await compileDataset(store, `${H}policy`, `${H}ctx-staff-assistant`, library, path.join(out, 'mixed'), { seed: 1, mix: parseMix('label:Compliant=0,label:Ambiguous=2') });
    expect(mixed.byLabel.Compliant).toBeUndefined();
    expect(mixed.byLabel.Ambiguous).toBe(2 * staff.byLabel.Ambiguous!);
    expect(mixed.excluded.mixedOut).toBe(staff.byLabel.Compliant);
    expect((await checkSplits(mixed.folder)).ok).toBe(true);
  }, 60_000);

  it('a section weight covers the sections under it', async () => {
    const mixed = await compileDataset(store, `${H}policy`, `${H}ctx-staff-assistant`, library, path.join(out, 'sections'), { seed: 1, mix: parseMix('section:5=0') });
    expect(Object.keys(mixed.bySection).filter((s) => s === '5' || s.startsWith('5.'))).toEqual([]);
    expect(Object.keys(staff.bySection).some((s) => s.startsWith('5.'))).toBe(true);
  }, 60_000);

  it('split by rule: no rule of validation or test is a main rule in training', async () => {
    const byRule = await compileDataset(store, `${H}policy`, `${H}ctx-staff-assistant`, library, path.join(out, 'by-rule'), { seed: 1, splitBy: 'rule' });
    const main = async (split: string) => new Set((await lines(path.join(byRule.folder, 'sft', `${split}.jsonl`))).map((r) => r.metadata.rules[0]));
    const train = await main('train');
    for (const rule of [...(await main('validation')), ...(await main('test'))]) expect(train.has(rule)).toBe(false);
  }, 60_000);

  it('no two records share a conversation and answer', async () => {
    const seen = new Set((await allRecords(staff, 'sft')).map((r) => JSON.stringify(r.messages)));
    expect(seen.size).toBe(staff.records.sft.train + staff.records.sft.validation + staff.records.sft.test);
  });

  it.each([
    ['0.8,0.1', /three non-negative fractions/],
    ['0.5,0.2,0.2', /add up to/],
    ['0,0.5,0.5', /cannot be empty/],
  ])('--split %s is refused', (text, message) => {
    expect(() => parseRatios(text)).toThrow(message);
  });

  it.each([
    ['section6=2', /write section:<number>=<weight>/],
    ['label:Friendly=2', /unknown label/],
    ['label:Compliant=-1', /from 0 to 100/],
    ['label:Compliant=1,label:Compliant=2', /twice/],
  ])('--mix %s is refused', (text, message) => {
    expect(() => parseMix(text)).toThrow(InvalidOptionError);
    expect(() => parseMix(text)).toThrow(message);
  });

  it('writes TRL recipes pointing at the split folders', async () => {
    const sft = await readFile(path.join(customer.folder, 'trl-sft.yaml'), 'utf8');
    expect(sft).toContain(`dataset_name: ${path.resolve(customer.folder, 'sft')}`);
    expect(await readFile(path.join(customer.folder, 'trl-dpo.yaml'), 'utf8')).toContain(`dataset_name: ${path.resolve(customer.folder, 'dpo')}`);
  });
});
