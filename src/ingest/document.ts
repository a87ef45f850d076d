/** Reads a document for ingestion: checks its type, size and encoding, and fingerprints it (SHA-256). */

import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DocumentError } from '../errors.js';

/** The formats read today. PDF, DOCX and HTML need a loader each (a later slice). */
export type DocumentFormat = 'text' | 'markdown';

const FORMATS: Record<string, DocumentFormat> = { '.txt': 'text', '.text': 'text', '.md': 'markdown', '.markdown': 'markdown' };
const LATER = new Set(['.pdf', '.docx', '.doc', '.html', '.htm', '.rtf', '.odt', '.xml']);

/** Largest document read, in bytes (the whole of 16 CFR Part 310 is about 120 kB). */
export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;

export interface SourceDocument {
  readonly file: string;
  readonly format: DocumentFormat;
  /** The text exactly as decoded from UTF-8; every offset counts UTF-16 code units of this string. */
  readonly text: string;
  /** Hex SHA-256 of the file's bytes. */
  readonly sha256: string;
}

const SUPPORTED = 'plain text (.txt) and Markdown (.md)';

/** Reads and checks a document; throws DocumentError saying what is wrong and what is read. */
export async function readDocument(file: string, maxBytes = MAX_DOCUMENT_BYTES): Promise<SourceDocument> {
  const extension = path.extname(file).toLowerCase();
  const format = FORMATS[extension];
  if (!format) {
    const later = LATER.has(extension) ? ` ${extension.slice(1).toUpperCase()} is not read yet (it needs a document loader, a later step);` : '';
    throw new DocumentError(file, `unsupported document type '${extension || '(no extension)'}':${later} studio ingest reads ${SUPPORTED}.`);
  }
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw new DocumentError(file, `cannot read the document (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  if (size > maxBytes) throw new DocumentError(file, `the document is ${size} bytes, over the limit of ${maxBytes} bytes; split it into parts and ingest each.`);
  const bytes = await readFile(file);
  if (bytes.includes(0)) throw new DocumentError(file, `the file is binary (it contains NUL bytes), not ${SUPPORTED}.`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DocumentError(file, 'the file is not valid UTF-8 text; save it as UTF-8 and try again.');
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.trim() === '') throw new DocumentError(file, 'the document is empty: there is no text to ingest.');
  return { file, format, text, sha256: createHash('sha256').update(bytes).digest('hex') };
}
