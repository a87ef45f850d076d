/**
 * What an earlier run wrote in a dataset folder, for `studio generate
 * --changed` to copy rather than render again: the promptfoo suite's test of
 * each item (YAML is by far the costliest format to write). A test is copied
 * only when the item's eval.jsonl record, which holds everything its test is
 * made of (the conversation with the system prompt, the expectations, the
 * checks, the template, label, attack and metadata), is the very line the
 * earlier run wrote; every other test is rendered. So a folder another run
 * wrote, or one edited by hand, gives the bytes a full run gives.
 *
 * The earlier files are opened and unlinked before the new ones are created,
 * so the earlier suite stays readable while the new one is written.
 */

import { createHash } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/** Bytes of the earlier suite read at a time: the tests come mostly in the order they were written, so most are copied from the window already read. */
const WINDOW = 1 << 20;

export class EarlierDatasets {
  private window = { start: 0, bytes: Buffer.alloc(0) };

  private constructor(
    /** The earlier eval.jsonl's lines, hashed, by item IRI. */
    private readonly evalLines: ReadonlyMap<string, string>,
    /** Where each item's test is in the earlier suite: byte offset and length. */
    private readonly tests: ReadonlyMap<string, readonly [number, number]>,
    private readonly suite: FileHandle,
  ) {}

  /** Reads the earlier eval.jsonl and promptfoo suite of a folder, if both are there, and unlinks them; undefined otherwise. */
  static async take(evalFile: string, suiteFile: string): Promise<EarlierDatasets | undefined> {
    const [evals, suite] = [await open(evalFile, 'r').catch(() => undefined), await open(suiteFile, 'r').catch(() => undefined)];
    if (!evals || !suite) {
      await evals?.close();
      await suite?.close();
      return undefined;
    }
    try {
      await unlink(evalFile);
      await unlink(suiteFile);
      const evalLines = new Map<string, string>();
      for await (const line of lines(evals)) {
        const iri = /^\{"id":"([^"\\]+)"/.exec(line.text)?.[1];
        if (iri) evalLines.set(iri, hash(line.text));
      }
      await evals.close();
      return new EarlierDatasets(evalLines, await testsOf(suite), suite);
    } catch (error) {
      await evals.close().catch(() => undefined);
      await suite.close();
      throw error;
    }
  }

  /** The earlier suite's test of an item, as bytes, when its eval record is unchanged (`evalLine`, without its newline). */
  async test(iri: string, evalLine: string): Promise<Buffer | undefined> {
    const at = this.tests.get(iri);
    if (!at || this.evalLines.get(iri) !== hash(evalLine)) return undefined;
    const [start, length] = at;
    if (start < this.window.start || start + length > this.window.start + this.window.bytes.length) {
      const bytes = Buffer.alloc(Math.max(WINDOW, length));
      const { bytesRead } = await this.suite.read(bytes, 0, bytes.length, start);
      this.window = { start, bytes: bytes.subarray(0, bytesRead) };
      if (bytesRead < length) return undefined;
    }
    return this.window.bytes.subarray(start - this.window.start, start - this.window.start + length);
  }

  async close(): Promise<void> {
    await this.suite.close();
  }
}

function hash(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

/** A file's lines with the byte offset each starts at. */
async function* lines(handle: FileHandle): AsyncGenerator<{ text: string; offset: number }> {
  let offset = 0;
  for await (const text of createInterface({ input: handle.createReadStream({ start: 0, autoClose: false }), crlfDelay: Infinity })) {
    yield { text, offset };
    offset += Buffer.byteLength(text, 'utf8') + 1;
  }
}

/**
 * Each test of a suite as PromptfooWriter writes it: an entry of the top-level
 * `tests:` sequence (a line opening with "- "), up to the next one, whose
 * metadata (the entry's last key, at two spaces) opens with the item's IRI.
 */
async function testsOf(suite: FileHandle): Promise<Map<string, [number, number]>> {
  const tests = new Map<string, [number, number]>();
  let inTests = false;
  let start = -1;
  let iri: string | undefined;
  let afterMetadata = false;
  const end = (offset: number) => {
    if (start >= 0 && iri) tests.set(iri, [start, offset - start]);
    [start, iri, afterMetadata] = [-1, undefined, false];
  };
  let last = 0;
  for await (const line of lines(suite)) {
    last = line.offset + Buffer.byteLength(line.text, 'utf8') + 1;
    if (!inTests) {
      inTests = line.text === 'tests:';
      continue;
    }
    if (line.text.startsWith('- ')) {
      end(line.offset);
      start = line.offset;
    } else if (!line.text.startsWith(' ')) {
      end(line.offset);
      inTests = false;
    } else if (line.text === '  metadata:') {
      afterMetadata = true;
    } else if (afterMetadata) {
      if (line.text.startsWith('    item: ')) iri = line.text.slice('    item: '.length);
      afterMetadata = false;
    }
  }
  end(last);
  return tests;
}
