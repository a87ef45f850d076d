import { describe, expect, it } from 'vitest';
import { SubjectCounter, SubjectIndex } from '../../src/store/subject-index.js';

const line = (subject: string, value: string) => `<${subject}> <urn:x:says> "${value}" .\n`;

/** The lines of each subject, counted one line at a time from the text. */
function recount(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const l of text.split('\n')) {
    const m = /^<([^>]*)> /.exec(l);
    if (m) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  }
  return counts;
}

describe('subject index', () => {
  it('counts the lines of each subject, spread over pieces and apart, and leaves out blank nodes', () => {
    const text = [
      line('urn:x:a', '1'),
      line('urn:x:a', '2'),
      '_:b <urn:x:says> "blank" .\n',
      line('urn:x:ab', '3'),
      line('urn:x:a', '4'),
      '\n',
      line('urn:x:é', '5'),
      line('urn:x:a', '<urn:x:ab> as text'),
    ].join('');
    const counter = new SubjectCounter();
    const bytes = Buffer.from(text);
    // Cut between lines, as a writer's batches are.
    const cut = bytes.indexOf('\n', bytes.length / 2) + 1;
    counter.addLines(bytes.subarray(0, cut));
    counter.addLines(bytes.subarray(cut));
    const index = counter.index();
    expect(['urn:x:a', 'urn:x:ab', 'urn:x:é', 'urn:x:absent', '_:b'].map((s) => index.lines(s))).toEqual([4, 1, 1, 0, 0]);
    expect(index.subjects).toBe(3);
  });

  it('patched: the removed subjects gone, the added counted, as counting the patched graph gives; reads back what it wrote, and nothing from damaged bytes', () => {
    const subjects = Array.from({ length: 500 }, (_, i) => `urn:x:item-${i}`);
    let text = subjects.flatMap((s, i) => Array.from({ length: 1 + (i % 4) }, (_, k) => line(s, String(k)))).join('');
    const counter = new SubjectCounter();
    counter.addLines(Buffer.from(text));
    const removed = subjects.filter((_, i) => i % 7 === 0);
    // Some removed and added again (rendered again), some new; one kept subject added to as well.
    const added = new Map<string, number>([...removed.slice(0, 20).map((s): [string, number] => [s, 3]), ['urn:x:new-1', 2], ['urn:x:new-2', 1], [subjects[1]!, 1]]);
    const patched = counter.index().patched(removed, added);
    text = text.split('\n').filter((l) => !removed.some((s) => l.startsWith(`<${s}> `))).join('\n');
    for (const [s, n] of added) text += Array.from({ length: n }, (_, k) => line(s, `again ${k}`)).join('');
    const expected = recount(text);
    for (const s of [...subjects, 'urn:x:new-1', 'urn:x:new-2']) expect(patched.lines(s), s).toBe(expected.get(s) ?? 0);
    expect(patched.subjects).toBe(expected.size);

    const read = SubjectIndex.read(patched.bytes())!;
    for (const s of [...subjects, 'urn:x:new-1']) expect(read.lines(s)).toBe(patched.lines(s));
    // At an odd offset in a larger buffer, as a file read may be.
    const offset = Buffer.concat([Buffer.from('x'), patched.bytes()]).subarray(1);
    expect(SubjectIndex.read(offset)!.lines(subjects[1]!)).toBe(patched.lines(subjects[1]!));
    expect(SubjectIndex.read(Buffer.from('not an index'))).toBeUndefined();
    expect(SubjectIndex.read(patched.bytes().subarray(0, 20))).toBeUndefined();
  });
});
