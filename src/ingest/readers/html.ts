/**
 * HTML to the text ingestion reads: headings become Markdown headings ("## § 2635.202 ..."), block elements
 * (paragraphs, list items, table rows, divisions) become paragraphs separated by a blank line, inline markup
 * disappears, entities are decoded; scripts, styles and the head are left out.
 */

import { Parser } from 'htmlparser2';

const BLOCKS = new Set(['p', 'div', 'li', 'tr', 'br', 'blockquote', 'dd', 'dt', 'section', 'article', 'pre', 'table', 'ul', 'ol', 'dl', 'hr', 'header', 'footer', 'main', 'nav', 'aside', 'figure', 'figcaption', 'caption', 'td', 'th', 'body']);
const SKIPPED = new Set(['script', 'style', 'head', 'template', 'noscript', 'svg']);

/** The text of an HTML document, laid out as Markdown headings and paragraphs. */
export function htmlToText(html: string): string {
  const blocks: string[] = [];
  let current = '';
  let heading = 0;
  let skipping = 0;
  const flush = () => {
    const text = current.replace(/\s+/g, ' ').trim();
    if (text) blocks.push(heading > 0 ? `${'#'.repeat(heading)} ${text}` : text);
    current = '';
  };
  const parser = new Parser(
    {
      onopentag(name) {
        if (SKIPPED.has(name)) skipping++;
        else if (/^h[1-6]$/.test(name)) {
          flush();
          heading = Number(name[1]);
        } else if (BLOCKS.has(name)) flush();
      },
      ontext(text) {
        if (skipping === 0) current += text;
      },
      onclosetag(name) {
        if (SKIPPED.has(name)) skipping = Math.max(0, skipping - 1);
        else if (/^h[1-6]$/.test(name)) {
          flush();
          heading = 0;
        } else if (BLOCKS.has(name)) flush();
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  flush();
  return blocks.join('\n\n') + (blocks.length > 0 ? '\n' : '');
}
