/**
 * Makes a report in one format and writes it whole or not at all (a
 * temporary file, flushed, then renamed into place).
 */

import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import type { GraphStore } from '../store/graph-store.js';
import { computeFigures } from './figures.js';
import type { ReportData } from './report-data.js';
import { renderHtml } from './render-html.js';
import { renderJsonLd } from './render-jsonld.js';
import { renderMarkdown } from './render-markdown.js';
import { renderPdf } from './render-pdf.js';

export const REPORT_FORMATS = ['html', 'md', 'jsonld', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** A report's content in a format. */
export async function renderReport(data: ReportData, format: ReportFormat, store: GraphStore): Promise<string | Buffer> {
  const figures = computeFigures(data);
  switch (format) {
    case 'html':
      return renderHtml(data, figures);
    case 'md':
      return renderMarkdown(data, figures);
    case 'jsonld':
      return renderJsonLd(data, await store.exportQuads(data.policy.policy));
    case 'pdf':
      return renderPdf(renderHtml(data, figures));
  }
}

/** Writes a file atomically. */
export async function writeReportFile(file: string, content: string | Buffer): Promise<void> {
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporary, file);
}
