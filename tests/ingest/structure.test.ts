import { describe, expect, it } from 'vitest';
import { parseStructure } from '../../src/ingest/structure.js';

const outline = (text: string, format: 'text' | 'markdown' = 'text') =>
  parseStructure(text, format).map((s) => [s.number ?? s.title, s.parent?.number ?? s.parent?.title ?? null]);

describe('parseStructure', () => {
  it('nests (a)(1)(i)(A) under a § heading, numbering each from its parent', () => {
    const text = ['§ 310.4 Abusive telemarketing acts or practices.', '(a) Abusive conduct generally.', '(1) Threats.', '(i) Intimidation.', '(A) Profane language.', '(2) Harassment.', '(b) Pattern of calls.'].join('\n');
    expect(outline(text)).toEqual([
      ['310.4', null], ['310.4(a)', '310.4'], ['310.4(a)(1)', '310.4(a)'], ['310.4(a)(1)(i)', '310.4(a)(1)'],
      ['310.4(a)(1)(i)(A)', '310.4(a)(1)(i)'], ['310.4(a)(2)', '310.4(a)'], ['310.4(b)', '310.4'],
    ]);
  });

  it('reads (i) after (h) as a letter, and (i) under (1) as a roman numeral', () => {
    const text = ['§ 1 Rule.', '(h) Eighth.', '(i) Ninth.', '(1) One.', '(i) Roman one.', '(ii) Roman two.'].join('\n');
    expect(outline(text)).toEqual([['1', null], ['1(h)', '1'], ['1(i)', '1'], ['1(i)(1)', '1(i)'], ['1(i)(1)(i)', '1(i)(1)'], ['1(i)(1)(ii)', '1(i)(1)']]);
  });

  it('takes dotted numbers as headings nested by depth, and a long numbered sentence as no heading', () => {
    const text = ['2 Conflicts', '2.1 Declaring conflicts', 'Declare them.', '2.1.1 Forms', '2.2 Family', '3. This numbered line is a sentence of text, not a title; it goes on and on past any title.'].join('\n');
    // "2 Conflicts" (no dot) is not a heading in plain text; "2. Conflicts" is.
    expect(outline(text)).toEqual([['Text before the first heading', null], ['2.1', null], ['2.1.1', '2.1'], ['2.2', null]]);
    expect(outline(['2. Conflicts', ...text.split('\n').slice(1)].join('\n'))).toEqual([['2', null], ['2.1', '2'], ['2.1.1', '2.1'], ['2.2', '2']]);
  });

  it('uses Markdown heading levels, with or without numbers, and keeps text before the first heading', () => {
    const text = ['Preamble text.', '# Guidelines', '## 1.2 Gifts', '### Cash', '## Travel'].join('\n');
    expect(outline(text, 'markdown')).toEqual([['Text before the first heading', null], ['Guidelines', null], ['1.2', 'Guidelines'], ['Cash', '1.2'], ['Travel', 'Guidelines']]);
  });

  it('gives offsets that cut the document into the sections, in order', () => {
    const text = '# Title\n\nIntro.\n\n## § 5 Scope\n(a) First.\n(b) Second.\n';
    const sections = parseStructure(text, 'markdown');
    expect(sections.map((s) => text.slice(s.start, s.end))).toEqual(['# Title\n\nIntro.\n\n', '## § 5 Scope\n', '(a) First.\n', '(b) Second.\n']);
    expect(sections.map((s) => text.slice(s.bodyStart, s.end).trim())).toEqual(['Intro.', '', 'First.', 'Second.']);
  });
});
