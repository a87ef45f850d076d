/** Makes a report in one format (the CLI writes it with writeDurably, whole or not at all). */

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
