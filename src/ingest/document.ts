/**
 * Reads a document for ingestion: checks its type, size, encoding and language, fingerprints its bytes
 * (SHA-256), and gives its text. Plain text and Markdown are read as they are; PDF (its text layer, page by
 * page), DOCX and HTML are turned into text first, and every offset then counts characters of that text.
 */

import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DocumentError } from '../errors.js';
import { docxToText, UnreadableDocx } from './readers/docx.js';
import { htmlToText } from './readers/html.js';
import { pdfToText, UnreadablePdf } from './readers/pdf.js';
import { languageOf } from './language.js';

/** The formats read. */
export type DocumentFormat = 'text' | 'markdown' | 'pdf' | 'docx' | 'html';

/** How the text given to the outline reader is laid out: Markdown headings (from Markdown, HTML, DOCX), or plain lines. */
export type TextLayout = 'text' | 'markdown';

const FORMATS: Record<string, DocumentFormat> = {
  '.txt': 'text', '.text': 'text', '.md': 'markdown', '.markdown': 'markdown',
  '.pdf': 'pdf', '.docx': 'docx', '.html': 'html', '.htm': 'html', '.xhtml': 'html',
};
const LAYOUT: Record<DocumentFormat, TextLayout> = { text: 'text', markdown: 'markdown', pdf: 'text', docx: 'markdown', html: 'markdown' };
const MEDIA_TYPES: Record<DocumentFormat, string> = {
  text: 'text/plain', markdown: 'text/markdown', pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', html: 'text/html',
};

/** Largest document read, in bytes (the whole of 16 CFR Part 310 is about 120 kB of text; a 50-page PDF about 1 MB). */
export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;

export interface PageSpan {
  readonly page: number;
  readonly start: number;
  readonly end: number;
}

export interface SourceDocument {
  readonly file: string;
  readonly format: DocumentFormat;
  /** The text the outline and the provisions are read from; every offset counts UTF-16 code units of this string. */
  readonly text: string;
  /** Hex SHA-256 of the file's bytes. */
  readonly sha256: string;
  /** How `text` is laid out (defaults to the format's own). */
  readonly layout?: TextLayout;
  /** For a PDF: where each page's text is. */
  readonly pages?: readonly PageSpan[];
  /** What the reader noticed without refusing the document (pages with no text, ...). */
  readonly warnings?: readonly string[];
}

export interface ReadOptions {
  readonly maxBytes?: number;
  /** Ingest text that does not read as English (the deontic cues are English words). */
  readonly anyLanguage?: boolean;
}

const SUPPORTED = 'plain text (.txt), Markdown (.md), PDF (.pdf), Word (.docx) and HTML (.html)';

/** The media type of a format, for the draft's dcterms:format. */
export const mediaType = (format: DocumentFormat): string => MEDIA_TYPES[format];

/** The layout of a document's text. */
export const layoutOf = (document: SourceDocument): TextLayout => document.layout ?? LAYOUT[document.format];

/** Reads and checks a document; throws DocumentError saying what is wrong and what to do. */
export async function readDocument(file: string, options: ReadOptions | number = {}): Promise<SourceDocument> {
  const { maxBytes = MAX_DOCUMENT_BYTES, anyLanguage = false } = typeof options === 'number' ? { maxBytes: options } : options;
  const extension = path.extname(file).toLowerCase();
  const format = FORMATS[extension];
  if (!format) throw new DocumentError(file, `unsupported document type '${extension || '(no extension)'}': studio ingest reads ${SUPPORTED}.`);
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw new DocumentError(file, `cannot read the document (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  if (size > maxBytes) throw new DocumentError(file, `the document is ${size} bytes, over the limit of ${maxBytes} bytes; split it into parts and ingest each, or raise the limit with --max-bytes.`);
  return decodeDocument(file, format, await readFile(file), anyLanguage);
}

/** Turns a document's bytes into its text, refusing what cannot be read. */
export async function decodeDocument(file: string, format: DocumentFormat, bytes: Buffer, anyLanguage = false): Promise<SourceDocument> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const warnings: string[] = [];
  let text: string;
  let pages: PageSpan[] | undefined;
  try {
    if (format === 'pdf') {
      const pdf = await pdfToText(bytes);
      text = pdf.text;
      pages = [...pdf.pages];
      const blank = pages.filter((p) => text.slice(p.start, p.end).trim() === '').map((p) => p.page);
      if (blank.length === pages.length) {
        throw new DocumentError(file, `the PDF has no text layer on any of its ${pages.length} page(s): it looks scanned. Run OCR on it first (for example ocrmypdf) and ingest the result.`);
      }
      if (blank.length > 0) warnings.push(`page(s) ${blank.join(', ')} of ${pages.length} have no text layer (scanned?): their content is not in the draft.`);
    } else if (format === 'docx') {
      text = await docxToText(bytes);
    } else {
      if (bytes.includes(0)) throw new DocumentError(file, `the file is binary (it contains NUL bytes), not ${format === 'html' ? 'HTML' : 'text'}.`);
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        throw new DocumentError(file, 'the file is not valid UTF-8 text; save it as UTF-8 and try again.');
      }
      if (text.startsWith('\uFEFF')) text = text.slice(1);
      if (format === 'html') text = htmlToText(text);
    }
  } catch (error) {
    if (error instanceof UnreadablePdf || error instanceof UnreadableDocx) throw new DocumentError(file, error.message);
    throw error;
  }
  if (text.trim() === '') throw new DocumentError(file, 'the document is empty: there is no text to ingest.');
  const language = languageOf(text);
  if (language.code !== 'eng' && language.code !== 'und') {
    const message = `the text reads as ${language.name} (ISO 639-3 '${language.code}'), not English: the deontic cues (shall, must, may, except ...) are English words`;
    if (!anyLanguage) throw new DocumentError(file, `${message}. Translate it first, or pass --any-language to ingest it anyway.`);
    warnings.push(`${message}; ingested anyway (--any-language), expect few provisions.`);
  }
  return { file, format, text, sha256, layout: LAYOUT[format], ...(pages ? { pages } : {}), warnings };
}
