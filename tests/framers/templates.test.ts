/** Template files: the studio's own library loads; every kind of mistake in a file is a TemplateError naming it. */

import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TemplateLibrary, chooseVariant, createEnvironment, parseTemplate, render } from '../../src/framers/templates.js';
import { FAMILIES } from '../../src/framers/generate.js';
import { TemplateError } from '../../src/errors.js';

const VALID = `version: 1
type: Scenario
label: Compliant
expects: [help]
variants:
  any:
    prompt: "I am {{a bearer.label}}"
    response: "Fine."
`;

describe('the template library', () => {
  it('has every family, each template versioned, hashed and a red-team template per attack', async () => {
    const library = await TemplateLibrary.load();
    for (const family of FAMILIES) expect(library.family(family).length, family).toBeGreaterThan(0);
    for (const t of library.all()) {
      expect(t.version, t.id).toBeGreaterThanOrEqual(1);
      expect(t.contentHash, t.id).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(library.family('redteam').map((t) => t.attack).sort()).toEqual(['ClaimedAuthority', 'HypotheticalFraming', 'Obfuscation', 'RolePlay', 'SplitOverTurns', 'Urgency']);
    expect(() => library.get('no-such/template')).toThrow(TemplateError);
  });

  it('renders a variant with the helpers, and fails on a variable the context lacks', () => {
    const template = parseTemplate('t.yaml', 'f', 't', VALID);
    const variant = chooseVariant(template, 'Prohibition', 0);
    expect(render(template, variant, { bearer: { label: 'intern' } }).messages).toEqual([{ role: 'user', content: 'I am an intern' }]);
    expect(() => render(template, variant, { bearr: { label: 'intern' } })).toThrow(TemplateError);
  });

  it.each([
    ['YAML that does not parse', 'version: [1\n'],
    ['an unknown key', VALID.replace('version: 1', 'version: 1\ncolour: red')],
    ['no version', VALID.replace('version: 1\n', '')],
    ['a version that is not a positive integer', VALID.replace('version: 1', 'version: 1.5')],
    ['an unknown item type', VALID.replace('type: Scenario', 'type: Story')],
    ['an unknown label', VALID.replace('label: Compliant', 'label: Fine')],
    ['an unknown expectation', VALID.replace('expects: [help]', 'expects: [dance]')],
    ['an unknown rule kind', VALID.replace('  any:', '  Suggestion:')],
    ['a Handlebars syntax error', VALID.replace('{{a bearer.label}}', '{{#if bearer}}unclosed')],
    // The render plan leaves a helper it does not know to Handlebars, whose precompiling refuses it.
    ['a helper the studio does not have', VALID.replace('{{a bearer.label}}', '{{shout bearer.label}}')],
    ['both prompt and turns', VALID.replace('    response:', '    turns: [{user: hi}]\n    response:')],
    ['turns ending with the assistant', VALID.replace('prompt: "I am {{a bearer.label}}"', 'turns: [{user: hi}, {assistant: hello}]')],
    ['a red-team template without an attack', VALID.replace('type: Scenario', 'type: RedTeamPrompt')],
    ['a speaker other than the bearer', VALID.replace('    response:', '    speaker: user\n    response:')],
  ])('refuses %s, naming the file', (_label, text) => {
    let error: unknown;
    try {
      parseTemplate('templates/f/broken.yaml', 'f', 'broken', text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as Error).message).toMatch(/^templates\/f\/broken\.yaml: /);
  });

  it('loads partials from _partials and folds them into every content hash', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'studio-templates-'));
    await mkdir(path.join(dir, '_partials'));
    await mkdir(path.join(dir, 'fam'));
    await writeFile(path.join(dir, 'fam', 'one.yaml'), VALID.replace('"Fine."', '"{{> greet}}"'));
    await writeFile(path.join(dir, '_partials', 'greet.hbs'), 'Hello {{bearer.label}}.');
    const first = await TemplateLibrary.load(dir);
    const template = first.get('fam/one');
    expect(render(template, chooseVariant(template, 'any', 0), { bearer: { label: 'intern' } }).reference).toBe('Hello intern.');
    await writeFile(path.join(dir, '_partials', 'greet.hbs'), 'Hi {{bearer.label}}.');
    expect((await TemplateLibrary.load(dir)).get('fam/one').contentHash).not.toBe(template.contentHash);
    await expect(TemplateLibrary.load(path.join(dir, 'missing'))).rejects.toBeInstanceOf(TemplateError);
  });
});

describe('the reach helper', () => {
  const reach = createEnvironment(new Map()).handlebars.helpers.reach as (phrasing: unknown, label: unknown, options?: unknown) => string;
  it('books an appointment, goes through a handoff, and contacts anything else, in each of its phrasings', () => {
    for (const n of [0, 1, 2]) {
      expect(reach(n, 'appointment with a mortgage adviser', {})).toMatch(/book an appointment|next step is an appointment/);
      const handoff = reach(n, 'live handoff to a human adviser in the chat', {});
      expect(handoff).toContain('the live handoff to a human adviser in the chat.');
      expect(handoff).not.toMatch(/contact|turn to/);
      expect(reach(n, 'Kestrel Ethics Hotline', {})).toMatch(/^(Please contact|Please turn to|The right place for this is) the Kestrel Ethics Hotline\.$/);
    }
  });
});
