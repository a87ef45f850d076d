/**
 * Reads back the digest a report states, from any format that carries one:
 * the JSON data block of the HTML, the front matter of the Markdown, or the
 * report node's properties in the JSON-LD.
 */

import { readFile } from 'node:fs/promises';
import oxigraph from 'oxigraph';
import YAML from 'yaml';
import { ReportError } from '../errors.js';
import { isoDateTime } from '../rdf/date-time.js';
import type { JournalDigest, ReportDigest, RunDigest } from './journal-digest.js';
import { DIGEST_ELEMENT_ID } from './render-html.js';
import { DIGEST_KEY } from './render-markdown.js';
import { DIGEST_TERMS } from './render-jsonld.js';

/** The digest of a report file, whatever its format. */
export async function readReportDigest(file: string): Promise<ReportDigest> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new ReportError(`${file}: cannot read the report (${(error as Error).message})`);
  }
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') {
    throw new ReportError(`${file}: a PDF report carries its digest only as printed text; verify the HTML, Markdown or JSON-LD report made from the same runs`);
  }
  const text = bytes.toString('utf8');
  const trimmed = text.trimStart();
  let digest: unknown;
  if (trimmed.startsWith('---')) digest = fromMarkdown(file, text);
  else if (trimmed.startsWith('{') || trimmed.startsWith('[')) digest = fromJsonLd(file, text);
  else if (/<html[\s>]/i.test(text)) digest = fromHtml(file, text);
  else throw new ReportError(`${file}: not a report the studio wrote (HTML, Markdown or JSON-LD)`);
  return checked(file, digest);
}

function fromHtml(file: string, text: string): unknown {
  const match = new RegExp(`<script type="application/json" id="${DIGEST_ELEMENT_ID}">([\\s\\S]*?)</script>`).exec(text);
  if (!match) throw new ReportError(`${file}: no digest block (#${DIGEST_ELEMENT_ID}) in the HTML`);
  try {
    return JSON.parse(match[1]!);
  } catch (error) {
    throw new ReportError(`${file}: the digest block is not JSON (${(error as Error).message})`);
  }
}

function fromMarkdown(file: string, text: string): unknown {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(text.trimStart());
  if (!match) throw new ReportError(`${file}: the front matter is not closed by a '---' line`);
  let front: unknown;
  try {
    front = YAML.parse(match[1]!);
  } catch (error) {
    throw new ReportError(`${file}: the front matter is not YAML (${(error as Error).message})`);
  }
  const digest = (front as Record<string, unknown> | null)?.[DIGEST_KEY];
  if (!digest) throw new ReportError(`${file}: no '${DIGEST_KEY}' in the front matter`);
  return digest;
}

function fromJsonLd(file: string, text: string): unknown {
  const store = new oxigraph.Store();
  try {
    store.load(text, { format: 'application/ld+json' });
  } catch (error) {
    throw new ReportError(`${file}: not JSON-LD (${(error as Error).message})`);
  }
  const value = (subject: oxigraph.Term, predicate: string): string | undefined => store.match(subject as oxigraph.NamedNode, oxigraph.namedNode(predicate), null, null)[0]?.object.value;
  const reports = store.match(null, oxigraph.namedNode(DIGEST_TERMS.policy), null, null);
  if (reports.length !== 1) throw new ReportError(`${file}: expected one report node with <${DIGEST_TERMS.policy}>, found ${reports.length}`);
  const report = reports[0]!.subject;
  const runs = store.match(report as oxigraph.NamedNode, oxigraph.namedNode(DIGEST_TERMS.digest), null, null).map((q) => {
    const node = q.object;
    const journal = (lines: string, head: string): JournalDigest => ({ lines: Number(value(node, lines)), head: value(node, head) ?? '' });
    return {
      order: Number(value(node, DIGEST_TERMS.order)),
      run: { run: value(node, DIGEST_TERMS.runId) ?? '', iri: value(node, DIGEST_TERMS.of) ?? '', results: journal(DIGEST_TERMS.resultLines, DIGEST_TERMS.resultsHead), human: journal(DIGEST_TERMS.humanLines, DIGEST_TERMS.humanHead) } satisfies RunDigest,
    };
  });
  return {
    kind: 'alignment-studio-report',
    version: 1,
    policy: reports[0]!.object.value,
    generatedAt: isoDateTime(value(report, DIGEST_TERMS.generatedAt) ?? ''),
    runs: runs.sort((a, b) => a.order - b.order).map((r) => r.run),
  };
}

/** The digest's shape, checked field by field so a hand-edited one fails with what is wrong. */
function checked(file: string, value: unknown): ReportDigest {
  const d = value as Partial<ReportDigest> | null;
  const fail = (what: string): never => {
    throw new ReportError(`${file}: the report's digest ${what}`);
  };
  if (!d || typeof d !== 'object' || d.kind !== 'alignment-studio-report') fail('is not an Alignment Studio report digest');
  if (d!.version !== 1) fail(`has version ${String(d!.version)}; this studio reads version 1`);
  if (!Array.isArray(d!.runs) || d!.runs.length === 0) fail('names no run');
  d!.runs!.forEach((run, i) => {
    if (typeof run?.run !== 'string' || !/^[0-9TZ]+-[0-9a-f]{6}$/.test(run.run)) fail(`run ${i + 1} has no valid run id`);
    for (const key of ['results', 'human'] as const) {
      const j = run[key];
      if (!j || !Number.isInteger(j.lines) || j.lines < 0 || typeof j.head !== 'string' || !/^[0-9a-f]{64}$/.test(j.head)) fail(`run ${run.run} has no valid ${key} lines and chain head`);
    }
  });
  return d as ReportDigest;
}
