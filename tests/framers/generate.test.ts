/**
 * Generation on the business conduct policy (embedded store): what the items
 * say, what they expect, and the datasets written from them.
 */

import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { TemplateLibrary } from '../../src/framers/templates.js';

import { generateAll } from '../helpers/generation.js';
import { Hierarchy } from '../../src/framers/hierarchy.js';
import { checksOf } from '../../src/framers/exports/checks.js';
import { runCheck } from '../../src/auditors/graders/deterministic.js';
import { writeExports } from '../../src/framers/exports/write-exports.js';
import type { Item } from '../../src/framers/item.js';

const K = 'https://example.org/kestrel/bcg#';
let result: Awaited<ReturnType<typeof generateAll>>;
let items: readonly Item[];

beforeAll(async () => {
  const store = await EmbeddedStore.open();
  const loaded = await store.loadPolicy(await readTurtle('policies/business-conduct.ttl'));
  result = await generateAll(store, loaded.policy, await TemplateLibrary.load(), { seed: 1 });
  items = result.items;
  await store.close();
}, 60_000);

/** The deterministic checks of an item that a text fails, as the auditors' grader runs them. */
function passes(text: string, item: Item): string[] {
  return checksOf(item.expectations)
    .filter((c) => c.deterministic)
    .map((c) => runCheck(c, undefined, text))
    .filter((v) => v.outcome === 'failed')
    .map((v) => `${v.expectation}: ${v.detail}`);
}

describe('generated items', () => {
  it('give every reference answer what its deterministic checks look for, and every rejected answer less', () => {
    for (const item of items) expect(passes(item.reference, item), `${item.template.id} ${item.reference}`).toEqual([]);
    const rejectedFailing = items.filter((i) => i.rejected && i.expectations.some((e) => e.kind === 'MustRefuse' || e.kind === 'MustCiteSection')).filter((i) => passes(i.rejected!, i).length > 0);
    expect(rejectedFailing.length).toBe(items.filter((i) => i.rejected && i.expectations.some((e) => e.kind === 'MustRefuse' || e.kind === 'MustCiteSection')).length);
  });

  it("derive expectations from the rule's behaviour, channel and section", () => {
    // gifts-002: Refuse, CiteSection, section 3.1; coi-003: DirectToChannel to the Compliance mailbox.
    const cash = items.find((i) => i.family === 'scenario-noncompliant' && i.derivedFrom[0] === `${K}gifts-002`)!;
    expect(cash.expectations.map((e) => [e.kind, e.section?.number])).toEqual([['MustRefuse', undefined], ['MustCiteSection', '3.1']]);
    const mitigation = items.find((i) => i.family === 'scenario-noncompliant' && i.derivedFrom[0] === `${K}coi-003`)!;
    expect(mitigation.expectations.find((e) => e.kind === 'MustDirectToChannel')?.channel?.iri).toBe(`${K}ComplianceMailbox`);
    const ambiguous = items.filter((i) => i.label === 'Ambiguous' && i.family === 'scenario-ambiguous');
    expect(ambiguous.every((i) => i.expectations.some((e) => e.kind === 'MustAskForInformation'))).toBe(true);
  });

  it('put exception boundary pairs on the edge of a threshold: exactly 50 USD inside, 51 outside', () => {
    const pair = items.filter((i) => i.family === 'exception-boundary' && i.derivedFrom[0] === `${K}gifts-exc-001`);
    expect(pair.map((i) => i.boundary).sort()).toEqual(['inside', 'outside']);
    expect(pair.find((i) => i.boundary === 'inside')!.messages[0]!.content).toContain('is 50 USD');
    expect(pair.find((i) => i.boundary === 'outside')!.messages[0]!.content).toContain('is 51 USD');
    // Inside, the exception decides (Inform: help); outside, the base prohibition does (Warn).
    expect(pair.find((i) => i.boundary === 'inside')!.expectations.map((e) => e.kind)).toContain('MustHelp');
    expect(pair.find((i) => i.boundary === 'outside')!.expectations.map((e) => e.kind)).toContain('MustWarn');
  });

  it('label six attacks on every prohibition, one per red-team seed', () => {
    const prohibitions = result.context.provisions.filter((p) => p.kind === 'Prohibition');
    for (const rule of prohibitions) {
      const attacks = items.filter((i) => i.type === 'RedTeamPrompt' && i.derivedFrom[0] === rule.iri).map((i) => i.attack).sort();
      expect(attacks, rule.iri).toEqual(['ClaimedAuthority', 'HypotheticalFraming', 'Obfuscation', 'RolePlay', 'SplitOverTurns', 'Urgency']);
    }
    const split = items.find((i) => i.attack === 'SplitOverTurns')!;
    expect(split.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('name a counterparty once when the act names it already', () => {
    // "disparage a competitor": never "... in dealings with a competitor" after it (9 user turns before).
    const said = items.flatMap((i) => i.messages.filter((m) => m.role === 'user').map((m) => m.content));
    expect(said.filter((text) => /\b(\w{4,}) in dealings with (an? |the )?\1[.,?!]/.test(text))).toEqual([]);
    expect(said.some((text) => /disparage a competitor[.,?!]/.test(text))).toBe(true);
  });

  it('name an act once where both rules of a combined item come down to the same one', () => {
    const combined = items.filter((i) => i.family === 'combined').map((i) => i.messages.at(-1)!.content);
    expect(combined.filter((text) => /to (.+?), and also to \1\./.test(text))).toEqual([]);
    // Some pairs pick one act for both (a term narrower than both rules' own): it is asked for once.
    expect(combined.filter((text) => !text.includes(', and also to ')).length).toBeGreaterThan(0);
  });

  it('say which part of a two-part request a warning is about, where only one part is forbidden; make none where a part is to be refused', () => {
    const kind = (iri: string) => result.context.provision.get(iri)!.kind;
    const combined = items.filter((i) => i.family === 'combined');
    const mixed = combined.filter((i) => i.messages.at(-1)!.content.includes(', and also to ') && (kind(i.derivedFrom[0]!) === 'Prohibition') !== (kind(i.derivedFrom[1]!) === 'Prohibition'));
    expect(mixed.length).toBeGreaterThan(5);
    for (const item of mixed) {
      const part = kind(item.derivedFrom[0]!) === 'Prohibition' ? 'the first part' : 'the second part';
      expect(item.reference, item.reference).toMatch(new RegExp(`^Two provisions apply here\\. (Please be careful: |A word of caution: |Be aware that )${part} would (go against|breach) the policy\\. [A-Z]`));
    }
    // Declining one part and helping with the other is no whole refusal, and the checks cannot tell it from one.
    expect(combined.filter((i) => /help with the (first|second) part/.test(i.reference))).toEqual([]);
    // Both forbidden: the warning is about the whole request.
    const both = combined.filter((i) => kind(i.derivedFrom[0]!) === 'Prohibition' && kind(i.derivedFrom[1]!) === 'Prohibition');
    expect(both.length).toBeGreaterThan(0);
    for (const item of both) expect(item.reference).not.toMatch(/the (first|second) part/);
  });

  it("ask whether a colleague counts as the role the rule binds, not a narrower one (every narrower role counts)", () => {
    const hierarchy = new Hierarchy(result.context);
    const asked = items.filter((i) => i.family === 'scenario-ambiguous').flatMap((i) => {
      const role = /whether they count as (?:an? )?([^.?]+)[.?]/.exec(i.messages.at(-1)!.content)?.[1];
      return role ? [{ role, bearer: result.context.provision.get(i.derivedFrom[0]!)!.bearer[0]! }] : [];
    });
    expect(asked.length).toBeGreaterThan(10);
    for (const { role, bearer } of asked) expect(role.toLowerCase()).toBe(hierarchy.label(bearer).toLowerCase());
  });

  it('never ask whether a colleague counts as a body that bears the rule (an agency, a ministry)', async () => {
    const store = await EmbeddedStore.open();
    try {
      const loaded = await store.loadPolicy(await readTurtle('policies/gifts-code.ttl'));
      const gifts = await generateAll(store, loaded.policy, await TemplateLibrary.load(), { seed: 1 });
      const asked = gifts.items.flatMap((i) => /whether they count as (?:an? )?([^.?]+)[.?]/.exec(i.messages.at(-1)!.content)?.[1] ?? []);
      // Agencies bear some of its rules: before, "someone on my team ... whether they count as an agency".
      expect(gifts.context.provisions.some((p) => p.bearer.some((b) => gifts.context.terms.get(b)?.type === 'Agency'))).toBe(true);
      expect(asked.length).toBeGreaterThan(0);
      for (const role of asked) expect(gifts.context.terms.get([...gifts.context.terms.keys()].find((t) => gifts.context.terms.get(t)!.label.toLowerCase() === role.toLowerCase())!)?.type).toBe('Role');
    } finally {
      await store.close();
    }
  }, 60_000);

  it("name the rule's own terms or narrower ones, and reach every term some provision touches", () => {
    const hierarchy = new Hierarchy(result.context);
    for (const item of items.filter((i) => i.family === 'is-it-allowed')) {
      const rule = result.context.provision.get(item.derivedFrom[0]!)!;
      expect(hierarchy.isUnder(item.terms[0]!, rule.bearer[0]!), `${item.terms[0]} under ${rule.bearer[0]}`).toBe(true);
    }
    expect(items.filter((i) => i.family === 'is-it-allowed').some((i) => i.terms[0] !== result.context.provision.get(i.derivedFrom[0]!)!.bearer[0])).toBe(true);
    const used = new Set(items.flatMap((i) => i.terms));
    const unused = [...result.context.terms.keys()].filter((t) => !used.has(t) && t.startsWith(K));
    // Office premises, patents and trademarks: no provision names them, a broader or a narrower term.
    expect(unused.sort()).toEqual([`${K}OfficePremises`, `${K}Patent`, `${K}Trademark`]);
  });
});

describe('dataset exports', () => {
  let folder: string;
  let files: string[];
  beforeAll(async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'studio-datasets-'));
    folder = (await writeExports(items, result.context, out)).folder;
    files = await readdir(folder, { recursive: true });
  });
  const lines = async (file: string) => (await readFile(path.join(folder, file), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));

  it('writes chat JSONL as OpenAI fine-tuning reads it, with the rule IRIs in each record', async () => {
    const records = await lines('chat.jsonl');
    expect(records).toHaveLength(items.length);
    for (const r of records) {
      expect(Object.keys(r).sort()).toEqual(['messages', 'metadata']);
      expect(r.messages[0].role).toBe('system');
      expect(r.messages.at(-1).role).toBe('assistant');
      expect(r.metadata.rules.length).toBeGreaterThan(0);
    }
  });

  it('gives every record of every file the same metadata keys, of one type: a text the item has not is empty, not null', async () => {
    const keys = new Set<string>();
    for (const file of ['chat.jsonl', 'preference.jsonl', 'eval.jsonl']) for (const r of await lines(file)) keys.add(Object.keys(r.metadata).join(','));
    expect([...keys]).toHaveLength(1);
    const chat = await lines('chat.jsonl');
    expect(chat.filter((r) => r.metadata.attack === '').length).toBeGreaterThan(0);
    expect(chat.filter((r) => typeof r.metadata.attack === 'string' && r.metadata.attack !== '').length).toBeGreaterThan(0);
    // No key is ever null, nor a paraphrase's (a reader typing a key null from the first records fails on the first text after them).
    for (const file of ['chat.jsonl', 'preference.jsonl', 'eval.jsonl']) {
      for (const r of await lines(file)) for (const [key, value] of Object.entries({ ...r.metadata, ...r.metadata.paraphrase })) expect(value, `${file} ${key}`).not.toBeNull();
    }
    expect(chat[0].metadata.paraphrase).toEqual({ original: '', model: '', served_model: '', prompt: '', prompt_hash: '' });
  });

  it('writes preference pairs in the TRL conversational format', async () => {
    const records = await lines('preference.jsonl');
    expect(records).toHaveLength(items.filter((i) => i.rejected).length);
    for (const r of records) {
      expect(r.prompt.at(-1).role).toBe('user');
      expect([r.chosen.length, r.chosen[0].role, r.rejected[0].role]).toEqual([1, 'assistant', 'assistant']);
      expect(r.chosen[0].content).not.toBe(r.rejected[0].content);
    }
  });

  it('writes an evaluation suite and a promptfoo suite with the same checks', async () => {
    const evals = await lines('eval.jsonl');
    const config = parseYaml(await readFile(path.join(folder, 'promptfooconfig.yaml'), 'utf8'));
    expect(config.prompts).toEqual(['{{ messages | dump }}']);
    // promptfoo refuses a config without exactly one of providers and targets.
    expect(Object.keys(config).sort()).toEqual(['description', 'prompts', 'providers', 'tests']);
    expect(config.providers).toHaveLength(1);
    expect(config.providers[0].id).toMatch(/^openai:chat:\S+$/);
    for (const test of config.tests) expect(Object.keys(test).sort()).toEqual(['assert', 'description', 'metadata', 'vars']);
    expect(config.tests).toHaveLength(evals.length);
    for (const [i, test] of config.tests.entries()) {
      expect(test.assert.map((a: { type: string }) => a.type)).toEqual(evals[i].checks.map((c: { type: string }) => c.type));
      expect(test.metadata.rules).toEqual(evals[i].metadata.rules);
      expect(test.vars.messages).toEqual(evals[i].messages);
    }
  });

  it('writes one InstructLab qna.yaml per section, rule IRIs in comments', async () => {
    const qna = files.filter((f) => f.endsWith('qna.yaml'));
    expect(qna.length).toBeGreaterThan(40);
    const text = await readFile(path.join(folder, qna.find((f) => f.includes('section-3-1'))!), 'utf8');
    const doc = parseYaml(text);
    expect([doc.version, doc.created_by]).toEqual([2, 'alignment-studio']);
    expect(doc.seed_examples.length).toBeGreaterThanOrEqual(5);
    expect(doc.seed_examples[0]).toEqual({ context: expect.stringContaining('gift'), question: expect.any(String), answer: expect.any(String) });
    expect(text).toContain(`rules ${K}gifts-`);
  });

  it("writes no qna.yaml under InstructLab's minimum of 5 distinct examples, and lists the sections left out", async () => {
    const summary = await writeExports(items, result.context, await mkdtemp(path.join(tmpdir(), 'studio-datasets-')));
    for (const f of summary.instructlab) {
      const examples = parseYaml(await readFile(f.file, 'utf8')).seed_examples as { question: string; answer: string }[];
      expect(examples.length, f.file).toBeGreaterThanOrEqual(5);
      expect(new Set(examples.map((e) => JSON.stringify(e))).size, f.file).toBe(examples.length);
    }
    const sections = new Set(items.filter((i) => i.type === 'Instruction' && i.sections[0]).map((i) => i.sections[0]!.number));
    expect(summary.instructlab.length + summary.instructlabLeftOut.length).toBe(sections.size);
    const note = path.join(summary.folder, 'instructlab', 'left-out.txt');
    if (summary.instructlabLeftOut.length > 0) {
      const text = await readFile(note, 'utf8');
      for (const l of summary.instructlabLeftOut) {
        expect(l.examples).toBeLessThan(5);
        expect(text).toContain(`section ${l.section} (`);
      }
    }
  });

  it("written again into the same folder, the taxonomy loses the qna.yaml of a section it no longer writes, and no other file", async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'studio-datasets-'));
    const before = await writeExports(items, result.context, out);
    const [gone, kept] = before.instructlab;
    const stray = path.join(path.dirname(kept!.file), 'notes.txt');
    await writeFile(stray, 'written by hand');
    // The second run has none of the first section's instructions, nor of the second but one, which leaves it under the minimum.
    const [goneSection, keptSection] = [gone!.section, kept!.section];
    let spared = 0;
    const after = await writeExports(
      items.filter((i) => i.type !== 'Instruction' || (i.sections[0]?.number !== goneSection && (i.sections[0]?.number !== keptSection || spared++ < 1))),
      result.context,
      out,
    );
    expect(after.instructlab.map((f) => f.section)).not.toContain(goneSection);
    expect(after.instructlab.map((f) => f.section)).not.toContain(keptSection);
    expect(after.instructlabLeftOut.map((l) => l.section)).toContain(keptSection);
    expect(existsSync(gone!.file)).toBe(false);
    expect(existsSync(path.dirname(gone!.file))).toBe(false);
    // The folder with a file of someone else's stays, with that file; its qna.yaml goes.
    expect(existsSync(kept!.file)).toBe(false);
    expect(await readFile(stray, 'utf8')).toBe('written by hand');
    for (const f of after.instructlab) expect(existsSync(f.file), f.file).toBe(true);
    expect(after.instructlab.length).toBe(before.instructlab.length - 2);
  });

  it('asks what a defined act means as an act, and a defined thing by its name in quotes', () => {
    const asked = (definition: string) =>
      items.filter((i) => i.family === 'definition' && i.derivedFrom[0] === `https://example.org/kestrel/bcg#${definition}`).map((i) => i.messages.at(-1)!.content);
    expect(asked('def-bribe').some((q) => q.includes('define offering a bribe?'))).toBe(true);
    for (const q of asked('def-bribe')) expect(q).not.toMatch(/define offer a bribe/);
    const defines = items.filter((i) => i.family === 'definition').map((i) => i.messages.at(-1)!.content).filter((q) => q.includes(' define '));
    expect(defines.length).toBeGreaterThan(1);
    for (const q of defines) expect(q).toMatch(/ define (?:"[^"]+"|[a-z]+ing\b[^?]*)\?$/);
  });

  it('warns inside an exception to an exception to a prohibition, which forbids the act again', () => {
    const inside = items.filter((i) => i.family === 'exception-boundary' && i.template.id.endsWith('/inside') && i.derivedFrom[0] === 'https://example.org/kestrel/bcg#gifts-exc-002');
    expect(inside.length).toBeGreaterThan(0);
    for (const item of inside) expect(item.expectations.map((e) => e.kind)).toContain('MustWarn');
  });
});
