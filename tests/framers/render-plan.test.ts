import { describe, expect, it } from 'vitest';
import { createEnvironment, inlinePartials } from '../../src/framers/templates.js';
import { planOf } from '../../src/framers/render-plan.js';

const env = createEnvironment(new Map([['verdict', '{{#if expects.refuse}}No. {{/if}}{{text}}']]));
const helpers = Object.fromEntries(['a', 'cap', 'one', 'join', 'sectionRef', 'reach'].map((n) => [n, env.handlebars.helpers[n] as (...args: unknown[]) => unknown]));
const options = { strict: true, noEscape: true, data: false, knownHelpersOnly: true, knownHelpers: { a: true, cap: true, one: true, join: true, sectionRef: true, reach: true } };

const context = {
  party: { speaker: "I'm an employee", you: 'you' },
  facts: null,
  other: 'x',
  list: [{ label: 'Compliance mailbox', number: '1.2' }, { label: 'appointment with an adviser', number: '3' }],
  empty: [],
  phrasing: 17,
  expects: { refuse: true },
  section: { number: '4.1', title: 'Gifts' },
  rule: { text: 'An employee must not accept cash.' },
  zero: 0,
};

describe('render plan', () => {
  it('renders as Handlebars does: paths, helpers, sub-expressions, if/else if/unless, each with ../, inlined partials', () => {
    const texts = [
      '{{party.speaker}}. {{#if facts}}{{facts}}{{else if other}}other {{other}}{{else}}none{{/if}}',
      '{{#each list}}[{{this.label}} {{reach ../phrasing this.label}}]{{else}}nothing{{/each}}{{#each empty}}x{{else}}none{{/each}}',
      '{{cap (sectionRef section)}} {{one phrasing "a" "bb" "ccc"}} {{a "hour"}} {{join list "or"}} {{join list}}',
      '{{#unless zero}}zero{{/unless}}{{#if empty}}full{{else}}empty{{/if}} {{> verdict text=rule.text}} {{> verdict text=""}}',
      '  {{#if party}}\n  line\n  {{/if}}\n{{this.other}}',
    ];
    for (const text of texts) {
      const inlined = inlinePartials(text, new Map([['verdict', '{{#if expects.refuse}}No. {{/if}}{{text}}']]));
      const plan = planOf(env.handlebars, inlined, helpers);
      expect(plan, text).toBeDefined();
      expect(plan!(context)).toBe(env.handlebars.compile(text, options)(context));
    }
  });

  it('keeps strict mode: a missing name is an error, as in Handlebars', () => {
    const plan = planOf(env.handlebars, '{{party.speakr}}', helpers)!;
    expect(() => plan(context)).toThrow('"speakr" not defined');
    expect(() => env.handlebars.compile('{{party.speakr}}', options)(context)).toThrow('"speakr" not defined');
  });

  it('leaves to Handlebars what it does not run: data variables, hashes, other block helpers', () => {
    for (const text of ['{{#each list}}{{#unless @last}}, {{/unless}}{{/each}}', '{{#if zero includeZero=true}}z{{/if}}', '{{#with party}}{{speaker}}{{/with}}', '{{lookup party "speaker"}}']) {
      expect(planOf(env.handlebars, text, helpers), text).toBeUndefined();
    }
  });
});
