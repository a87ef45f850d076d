/**
 * Finding a channel or a section in an answer by any of its names: a
 * channel's label (and the parts of it in parentheses), its alternative
 * labels and contact points (phone, address, URL, e-mail); a section's
 * number or title. Case, punctuation and phone-number formatting do not
 * matter: "dial or text 988" names the "988 Suicide and Crisis Lifeline",
 * "+44 (0)800 123-456" the line written 0800 123456.
 */

import { sectionPattern } from '../../framers/exports/checks.js';

/** Lower case, letters and digits only, single spaces: "Compliance Mailbox!" is "compliance mailbox". */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/'s\b/g, 's')
    .replace(/[^\p{L}\p{N}@]+/gu, ' ')
    .replace(/\b(?:the|a|an|our|your)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The digits of a phone-like name (3 or more, allowing +, spaces, dots, dashes and brackets between them), else undefined. */
function phoneDigits(name: string): string | undefined {
  if (!/^[+\d\s().\-/]+$/.test(name.trim())) return undefined;
  const digits = name.replace(/\D/g, '');
  return digits.length >= 3 ? digits : undefined;
}

/** Runs of digits in a text with their separators taken out: "0800 123-456" is "0800123456". */
function digitRuns(text: string): string[] {
  return [...text.matchAll(/\+?\d[\d\s().\-/]*\d|\d/g)].map((m) => m[0].replace(/\D/g, ''));
}

/** Every name a channel goes by, from its label and alternative names: the label whole, before its parenthesis, each part inside it, and numbers in it. */
export function channelNames(label: string, altNames: readonly string[] = []): string[] {
  const names = new Set<string>();
  const add = (n: string) => {
    const t = n.trim();
    if (t) names.add(t);
  };
  for (const name of [label, ...altNames]) {
    add(name);
    const open = name.indexOf('(');
    if (open > 0) {
      add(name.slice(0, open));
      const inside = name.slice(open + 1, name.lastIndexOf(')') > open ? name.lastIndexOf(')') : undefined);
      for (const part of inside.split(/\s+or\s+|,|;/)) add(part);
    }
    // A number in a name ("988 Suicide and Crisis Lifeline") is a name of its own: "call 988".
    for (const m of name.matchAll(/\+?\d[\d\s().\-/]{1,}\d/g)) if (m[0].replace(/\D/g, '').length >= 3) add(m[0]);
  }
  return [...names];
}

/** The first of the names found in the text, or undefined. */
export function findName(text: string, names: readonly string[]): string | undefined {
  const plain = ` ${normalise(text)} `;
  const lower = text.toLowerCase();
  const runs = digitRuns(text);
  for (const name of names) {
    const digits = phoneDigits(name);
    if (digits) {
      // Long numbers match on their last nine digits, so a country code, a trunk 0 or "(0)" does not matter.
      const tail = (d: string) => (d.length >= 7 ? d.slice(-9) : d);
      if (runs.some((r) => r === digits || (digits.length >= 7 && r.length >= 7 && tail(r) === tail(digits)))) return name;
      continue;
    }
    if (/[@/]|\.\w{2,}$/.test(name) && lower.includes(name.toLowerCase().replace(/^https?:\/\//, '').replace(/\/$/, ''))) return name;
    const n = normalise(name);
    if (n && plain.includes(` ${n} `)) return name;
  }
  return undefined;
}

const STOP = new Set(['of', 'and', 'or', 'to', 'for', 'in', 'on', 'with', 'from']);

/** Two or more words of a name ("company secretary"), for noticing an answer that names it only in part. */
export function partialName(text: string, names: readonly string[]): string | undefined {
  const plain = new Set(normalise(text).split(' '));
  for (const name of names) {
    if (phoneDigits(name)) continue;
    const distinctive = normalise(name).split(' ').filter((w) => w.length > 3 && !STOP.has(w));
    const found = distinctive.filter((w) => plain.has(w) || plain.has(w.replace(/s$/, '')) || plain.has(`${w}s`));
    if (found.length >= 2) return found.join(' ');
  }
  return undefined;
}

/** How a section is cited in an answer: by number, by title after a citing word, by title alone, or another section's number. */
export function findSection(text: string, number: string, title: string): { by: 'number' | 'title' | 'bare-title' | 'other' | 'none'; cue?: string } {
  if (number && new RegExp(sectionPattern(number)).test(text)) return { by: 'number', cue: number };
  const plain = normalise(text);
  const t = normalise(title);
  if (t && t.split(' ').length >= 1) {
    const cited = new RegExp(`(?:section|clause|chapter|part|under|see|per|in|on)\\s+(?:on\\s+)?${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(plain);
    const quoted = new RegExp(`["“(]\\s*(?:the\\s+)?${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*["”)]`, 'i').test(text);
    if (cited || quoted) return { by: 'title', cue: title };
    if (` ${plain} `.includes(` ${t} `)) return { by: 'bare-title', cue: title };
  }
  const other = /\b(?:section|§|clause|s\.)\s*(\d+(?:\.\d+)*)/i.exec(text);
  if (other) return { by: 'other', cue: other[1]! };
  return { by: 'none' };
}

/** Phone numbers and e-mail addresses in an answer that are none of the channel's contact points, when the channel declares contact points of that kind. */
export function strayContacts(text: string, names: readonly string[]): string[] {
  const phones = names.map(phoneDigits).filter((d): d is string => d !== undefined && d.length >= 7);
  const emails = names.filter((n) => /^[^\s@]+@[^\s@]+$/.test(n.trim())).map((n) => n.trim().toLowerCase());
  const tail = (d: string) => d.slice(-9);
  const stray: string[] = [];
  if (phones.length > 0) {
    for (const m of text.matchAll(/\+?\d[\d\s().\-/]{5,}\d/g)) {
      const d = m[0].replace(/\D/g, '');
      if (d.length >= 7 && !phones.some((p) => tail(p) === tail(d))) stray.push(m[0].trim());
    }
  }
  if (emails.length > 0) {
    for (const m of text.matchAll(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g)) if (!emails.includes(m[0].toLowerCase())) stray.push(m[0]);
  }
  return stray;
}
