import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDocument } from '../../src/ingest/document.js';
import { DocumentError } from '../../src/errors.js';

const dir = await mkdtemp(path.join(tmpdir(), 'studio-ingest-'));
const file = async (name: string, content: string | Uint8Array) => {
  const target = path.join(dir, name);
  await writeFile(target, content);
  return target;
};

describe('readDocument', () => {
  it('reads Markdown and plain text, with the SHA-256 of the bytes', async () => {
    const md = await readDocument(await file('rule.md', '# Rule\nYou must ask.\n'));
    expect(md).toMatchObject({ format: 'markdown', text: '# Rule\nYou must ask.\n' });
    // sha256 of the same bytes, computed by hand with `printf '# Rule\nYou must ask.\n' | sha256sum`
    expect(md.sha256).toBe('5da952c4a9eb4c4a43a6b24a002c62f87f2dbeac223bbb3a6b194959abfd8979');
    expect((await readDocument(await file('rule.txt', 'You must ask.'))).format).toBe('text');
  });

  it.each([
    ['an empty file', 'empty.md', '  \n\n', /empty/],
    ['a binary file', 'image.txt', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]), /binary/],
    ['text that is not UTF-8', 'latin1.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6d, 0x75, 0x73, 0x74]), /not valid UTF-8/],
    ['an unknown type', 'rule.rtfx', 'text', /unsupported document type '\.rtfx'.*PDF \(\.pdf\), Word \(\.docx\) and HTML/],
  ])('refuses %s with a DocumentError that says what is wrong', async (_, name, content, message) => {
    const target = await file(name, content);
    const error = await readDocument(target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocumentError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.startsWith(target)).toBe(true);
  });

  it('refuses a document over the size limit', async () => {
    const target = await file('long.md', 'You must ask. '.repeat(100));
    await expect(readDocument(target, 1000)).rejects.toThrow(/1400 bytes, over the limit of 1000 bytes/);
  });
});
