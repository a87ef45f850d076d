/**
 * A document's structure: headings (Markdown "#", "§ 310.4", "2.3.1 Title") and
 * numbered paragraphs ((a), (1), (i), (A)) as a tree of sections, each with its
 * character offsets in the document.
 */

import type { TextLayout } from './document.js';

/** The kinds of paragraph marker, outermost first, as US regulations nest them: (a)(1)(i)(A). */
const MARKER_KINDS = ['letter', 'digit', 'roman', 'upper'] as const;
type MarkerKind = (typeof MARKER_KINDS)[number];

export interface DocumentSection {
  /** Stable within the document: built from the section's number path, or its position. */
  readonly key: string;
  /** The number as printed ("310.4", "2.3.1", "(a)"), if any. */
  readonly marker?: string;
  /** Full number for references: "310.4(a)(1)", "2.3". */
  readonly number?: string;
  readonly title: string;
  readonly parent?: DocumentSection;
  /** Offsets of the section's own text (up to the next section of any level): [start, end). */
  readonly start: number;
  readonly end: number;
  /** Where the text after the heading or marker starts. */
  readonly bodyStart: number;
  /** Whether it is a heading (a section of the outline) rather than a numbered paragraph. */
  readonly heading: boolean;
  /** For headings, its outline level (1 = top); for paragraphs, the marker kind's depth below the heading. */
  readonly level: number;
  readonly kind?: MarkerKind;
}

interface Line {
  readonly text: string;
  readonly start: number;
}

function linesOf(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (const raw of text.split('\n')) {
    lines.push({ text: raw.replace(/\r$/, ''), start });
    start += raw.length + 1;
  }
  return lines;
}

const ROMAN = /^(?=[ivxl]+$)l?x{0,3}(ix|iv|v?i{0,3})$/;

/** The kind of a paragraph marker; a lone roman letter counts as a letter when it follows its predecessor letter. */
function markerKind(label: string, openLetter: string | undefined): MarkerKind | undefined {
  if (/^\d{1,3}$/.test(label)) return 'digit';
  if (/^[A-Z]$/.test(label)) return 'upper';
  if (/^[a-z]{1,5}$/.test(label)) {
    const letterNext = label.length === 1 && openLetter !== undefined && label.charCodeAt(0) === openLetter.charCodeAt(0) + 1;
    if (ROMAN.test(label) && !letterNext && label !== 'l') return 'roman';
    if (label.length === 1) return 'letter';
    if (/^([a-z])\1+$/.test(label)) return 'letter'; // (aa), (bb) after (z)
  }
  return undefined;
}

const MD_HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;
const SECTION_SIGN = /^§+\s*(\d+[\w.-]*?)\.?\s+(\S.*)$/;
const DOTTED = /^(\d+(?:\.\d+)+|\d+\.)\s+(\S.*)$/;
const PARAGRAPH = /^\s*\(([a-zA-Z]{1,5}|\d{1,3})\)\s*/;

/** A numbered line counts as a heading when it reads like a title: short, and not a full sentence of text. */
function isTitleLike(text: string): boolean {
  return text.length <= 90 && !/[;:]/.test(text) && text.split(/\s+/).length <= 12 && text.split(/(?<=[.!?])\s+/).length <= 1;
}

/** The heading number and title of a heading line, if it is one. */
function headingOf(line: string, format: TextLayout): { level: number; marker?: string; title: string } | undefined {
  const md = format === 'markdown' ? MD_HEADING.exec(line) : null;
  const text = md ? md[2]! : line.trim();
  const section = SECTION_SIGN.exec(text);
  const dotted = section ? null : DOTTED.exec(text);
  // Under a Markdown heading a bare number is a chapter number too ("## 2 Conflicts of interest").
  const bare = md && !section && !dotted ? /^(\d{1,3})\s+(\S.*)$/.exec(text) : null;
  const marker = section?.[1] ?? dotted?.[1]?.replace(/\.$/, '') ?? bare?.[1];
  const rest = section?.[2] ?? dotted?.[2] ?? bare?.[2] ?? text;
  if (md) return { level: md[1]!.length, marker, title: rest.replace(/\.$/, '') };
  if (!marker || !isTitleLike(rest)) return undefined;
  return { level: section ? 1 : marker.split('.').length, marker, title: rest.replace(/\.$/, '') };
}

/** A paragraph's title: its own heading phrase ("(a) Abusive conduct generally.") or its first words. */
function paragraphTitle(marker: string, body: string): string {
  const lead = /^([A-Z][^.;:]{0,60})\.\s/.exec(body);
  if (lead && lead[1]!.split(/\s+/).length <= 8) return `${marker} ${lead[1]}`;
  const words = body.split(/\s+/).filter(Boolean);
  return `${marker} ${words.slice(0, 8).join(' ')}${words.length > 8 ? ' ...' : ''}`.trim();
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();

/** Reads the outline of a document: every heading and numbered paragraph, in document order. */
export function parseStructure(text: string, format: TextLayout): DocumentSection[] {
  const sections: (DocumentSection & { end: number })[] = [];
  const stack: DocumentSection[] = [];
  const keys = new Set<string>();
  const uniqueKey = (base: string) => {
    let key = base || `s${sections.length + 1}`;
    for (let n = 2; keys.has(key); n++) key = `${base}-${n}`;
    keys.add(key);
    return key;
  };
  const headingAbove = () => [...stack].reverse().find((s) => s.heading);

  for (const line of linesOf(text)) {
    if (line.text.trim() === '') continue;
    const heading = headingOf(line.text, format);
    if (heading) {
      while (stack.length > 0 && (!stack.at(-1)!.heading || stack.at(-1)!.level >= heading.level)) stack.pop();
      const parent = stack.at(-1);
      const section = {
        key: uniqueKey(`sec-${slug(heading.marker ?? heading.title)}`),
        marker: heading.marker,
        number: heading.marker,
        title: heading.title,
        parent,
        start: line.start,
        end: text.length,
        bodyStart: line.start + line.text.length,
        heading: true,
        level: heading.level,
      };
      sections.push(section);
      stack.push(section);
      continue;
    }
    const paragraph = PARAGRAPH.exec(line.text);
    if (!paragraph) continue;
    const label = paragraph[1]!;
    const openLetter = [...stack].reverse().find((s) => s.kind === 'letter')?.marker?.slice(1, -1);
    const kind = markerKind(label, openLetter);
    if (!kind) continue;
    const depth = MARKER_KINDS.indexOf(kind) + 1;
    while (stack.length > 0 && !stack.at(-1)!.heading && stack.at(-1)!.level >= depth) stack.pop();
    const parent = stack.at(-1);
    const marker = `(${label})`;
    const above = parent ?? headingAbove();
    const number = above?.number ? `${above.number}${marker}` : marker;
    const bodyStart = line.start + paragraph[0].length;
    const section = {
      key: uniqueKey(`sec-${slug(number)}`),
      marker,
      number,
      title: paragraphTitle(marker, line.text.slice(paragraph[0].length)),
      parent,
      start: line.start,
      end: text.length,
      bodyStart,
      heading: false,
      level: depth,
      kind,
    };
    sections.push(section);
    stack.push(section);
  }
  for (let i = 0; i + 1 < sections.length; i++) sections[i]!.end = sections[i + 1]!.start;
  // Text before the first heading (a preamble, or a document with no headings at all) is a section of its own.
  const firstStart = sections[0]?.start ?? text.length;
  if (text.slice(0, firstStart).trim() !== '') {
    sections.unshift({ key: uniqueKey('sec-preamble'), title: 'Text before the first heading', start: 0, end: firstStart, bodyStart: 0, heading: true, level: 0 });
  }
  return sections;
}
