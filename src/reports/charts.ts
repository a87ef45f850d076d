/**
 * Charts as inline SVG, so a report draws them with no script and no
 * network: stacked bars (outcomes per run) and grouped bars (pass rates per
 * section or rule kind, one bar per run). Each bar links to the results
 * behind it. Every label is escaped.
 */

import { escapeHtml } from './escape.js';

export interface Segment {
  readonly value: number;
  readonly color: string;
  readonly title: string;
  readonly href?: string;
}

const LABEL_WIDTH = 220;
const BAR_WIDTH = 420;
const ROW = 24;

function link(href: string | undefined, inner: string): string {
  return href ? `<a href="${escapeHtml(href)}">${inner}</a>` : inner;
}

/** One horizontal bar per row, its segments stacked; bars scale to the longest row. */
export function stackedBars(title: string, rows: readonly { readonly label: string; readonly segments: readonly Segment[] }[]): string {
  const max = Math.max(1, ...rows.map((r) => r.segments.reduce((sum, s) => sum + s.value, 0)));
  const height = rows.length * ROW + 30;
  const out = [`<svg class="chart" role="img" aria-label="${escapeHtml(title)}" xmlns="http://www.w3.org/2000/svg" width="${LABEL_WIDTH + BAR_WIDTH + 60}" height="${height}" viewBox="0 0 ${LABEL_WIDTH + BAR_WIDTH + 60} ${height}">`, `<title>${escapeHtml(title)}</title>`];
  rows.forEach((row, i) => {
    const y = 10 + i * ROW;
    out.push(`<text x="${LABEL_WIDTH - 6}" y="${y + 15}" text-anchor="end" font-size="12">${escapeHtml(row.label)}</text>`);
    let x = LABEL_WIDTH;
    for (const s of row.segments) {
      if (s.value <= 0) continue;
      const w = Math.max(1, (s.value / max) * BAR_WIDTH);
      out.push(link(s.href, `<rect class="bar" x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${ROW - 6}" fill="${s.color}"><title>${escapeHtml(s.title)}</title></rect>`));
      x += w;
    }
    const total = row.segments.reduce((sum, s) => sum + s.value, 0);
    out.push(`<text x="${(x + 4).toFixed(1)}" y="${y + 15}" font-size="12">${total}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/** Per group, one bar per series, as a percentage (0 to 100); a missing rate draws no bar. */
export function groupedRates(
  title: string,
  series: readonly { readonly name: string; readonly color: string }[],
  groups: readonly { readonly label: string; readonly bars: readonly { readonly rate?: number; readonly href?: string; readonly title: string }[] }[],
): string {
  const barHeight = 12;
  const groupHeight = series.length * (barHeight + 2) + 10;
  const legend = 22;
  const height = legend + groups.length * groupHeight + 10;
  const width = LABEL_WIDTH + BAR_WIDTH + 60;
  const out = [`<svg class="chart" role="img" aria-label="${escapeHtml(title)}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`, `<title>${escapeHtml(title)}</title>`];
  series.forEach((s, i) => {
    const x = LABEL_WIDTH + i * 140;
    out.push(`<rect x="${x}" y="4" width="10" height="10" fill="${s.color}"/><text x="${x + 14}" y="13" font-size="11">${escapeHtml(s.name)}</text>`);
  });
  groups.forEach((group, g) => {
    const y0 = legend + g * groupHeight;
    out.push(`<text x="${LABEL_WIDTH - 6}" y="${y0 + 12}" text-anchor="end" font-size="12">${escapeHtml(group.label)}</text>`);
    group.bars.forEach((bar, i) => {
      if (bar.rate === undefined) return;
      const y = y0 + i * (barHeight + 2);
      const w = Math.max(1, (bar.rate / 100) * BAR_WIDTH);
      out.push(link(bar.href, `<rect class="bar" x="${LABEL_WIDTH}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${series[i]?.color ?? '#888'}"><title>${escapeHtml(bar.title)}</title></rect>`));
      out.push(`<text x="${(LABEL_WIDTH + w + 4).toFixed(1)}" y="${y + 10}" font-size="10">${bar.rate}%</text>`);
    });
  });
  out.push('</svg>');
  return out.join('\n');
}
