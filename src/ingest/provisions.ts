/**
 * Candidate atomic provisions of a document: each clause with deontic language
 * (a rule), each definition, and each exception with what it qualifies. Every
 * offset is absolute in the document's text.
 */

import { deonticCues, imperativeCue, modalityOf, type Cue, type Modality } from './deontic.js';
import { deemingOf, definitionOf } from './definitions.js';
import { exceptionClauses, type ExceptionClause } from './exceptions.js';
import { quantities, type QuantityMatch } from './quantities.js';
import { references, type Reference } from './references.js';
import { clauses, sentences } from './sentences.js';
import type { DocumentSection } from './structure.js';

export type ProvisionKind = Modality | 'Exception' | 'Definition';

export interface DraftProvision {
  readonly id: string;
  readonly kind: ProvisionKind;
  readonly section: DocumentSection;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** The words that decided the kind. */
  readonly cues: readonly Cue[];
  /** For a definition: the term defined. */
  readonly term?: string;
  /** Exception clauses inside the provision (for a rule), or the one it is (for an exception). */
  readonly exceptions: readonly ExceptionClause[];
  /** For an exception: the ids of the provisions it qualifies. */
  readonly qualifies: readonly string[];
  readonly quantities: readonly QuantityMatch[];
  readonly references: readonly Reference[];
  /** For an item of a list ("(1) Solicit a gift ..."): the lead-in whose modal verb it completes ("an employee may not:"). */
  readonly leadIn?: { readonly start: number; readonly end: number; readonly text: string };
}

const shift = <T extends { start: number; end: number }>(x: T, by: number): T => ({ ...x, start: x.start + by, end: x.end + by });
const shiftClause = (c: ExceptionClause, by: number): ExceptionClause => ({ ...c, start: c.start + by, end: c.end + by, cue: shift(c.cue, by) });

/** The sections under a section (itself included). */
function within(section: DocumentSection, sections: readonly DocumentSection[]): Set<DocumentSection> {
  const inside = new Set([section]);
  for (const s of sections) for (let p = s.parent; p; p = p.parent) if (inside.has(p)) inside.add(s);
  return inside;
}

/** Finds the candidate provisions of every section, in document order. */
export function findProvisions(text: string, sections: readonly DocumentSection[]): DraftProvision[] {
  const provisions: DraftProvision[] = [];
  const counters = new Map<DocumentSection, number>();
  const nextId = (section: DocumentSection) => {
    const n = (counters.get(section) ?? 0) + 1;
    counters.set(section, n);
    return `${section.key}-p${n}`;
  };

  // The first sentence of a list item, keyed by its start, with the rule of the lead-in it completes.
  const items = new Map<number, DraftProvision>();
  // Sections whose first sentence completes the sentence of their parent ("... means any person who:", "provided that:").
  const continuing = new Set(sections.filter((x) => x.parent && text.slice(x.parent.bodyStart, x.parent.end).trim().endsWith(':')));

  for (const section of sections) {
    const ofSection = sentences(text, section.bodyStart, section.end);
    for (const sentence of ofSection) {
      const sentenceText = text.slice(sentence.start, sentence.end);
      const item = items.get(sentence.start);
      if (item) {
        provisions.push(itemProvision(text, nextId(section), section, sentence, item, sections));
        continue;
      }
      // An item that completes its parent's sentence is not an order even when it opens with a verb ("Contain information ..."),
      // nor a deeming of its own ("An employee whose presence is deemed to be essential ...").
      const orders = !(continuing.has(section) && sentence === ofSection[0]);
      const definition = definitionOf(sentenceText) ?? (orders && deonticCues(sentenceText).length === 0 ? deemingOf(sentenceText) : undefined);
      if (definition) {
        provisions.push({
          id: nextId(section), kind: 'Definition', section, start: sentence.start, end: sentence.end, text: sentenceText,
          cues: [shift(definition.cue, sentence.start)], term: definition.term, exceptions: [], qualifies: [],
          quantities: [], references: references(sentenceText, section, sections).map((r) => shift(r, sentence.start)),
        });
        continue;
      }
      const rulesOfSentence: DraftProvision[] = [];
      const pending: ExceptionClause[] = [];
      const hasCue = (clause: string) => deonticCues(clause).length > 0;
      // Whether a piece states a rule: a deontic cue in it, or an order opening it (read with the rest of the
      // sentence, so that compromise tags the verb in context).
      const statesRule = (piece: { start: number; end: number }) => {
        const own = text.slice(piece.start, piece.end);
        if (deonticCues(own).some((c) => !exceptionClauses(own).some((e) => e.kind !== 'inapplicability' && c.start >= e.start && c.end <= e.end))) return true;
        const verb = orders ? imperativeCue(text.slice(piece.start, sentence.end)) : undefined;
        return verb !== undefined && verb.start < piece.end - piece.start;
      };
      const clausesOfSentence = clauses(text, sentence, hasCue, statesRule);
      for (const clause of clausesOfSentence) {
        const clauseText = text.slice(clause.start, clause.end);
        const exceptions = exceptionClauses(clauseText);
        const modality = modalityOf(clauseText, exceptions.filter((e) => e.kind !== 'inapplicability'), orders);
        const absoluteExceptions = exceptions.map((e) => shiftClause(e, clause.start));
        const inapplicable = exceptions.some((e) => e.kind === 'inapplicability');
        // "... does not apply to X" states no rule of its own even with "shall" in it: it is an exception.
        if (!modality || (inapplicable && !deonticCues(clauseText).some((c) => c.modality !== 'Prohibition'))) {
          // Only "does not apply" and "notwithstanding" make an exception of a clause that states no rule; an "unless"
          // in a clause with no deontic language belongs to a rule the text states in a way not read here.
          const standalone = absoluteExceptions.filter((e) => e.kind !== 'exception');
          if (standalone.length > 0) pending.push(...standalone.map((e) => ({ ...e, start: clause.start, end: clause.end })));
          continue;
        }
        const rule: DraftProvision = {
          id: nextId(section), kind: modality.modality, section, start: clause.start, end: clause.end, text: clauseText,
          cues: modality.cues.map((c) => shift(c, clause.start)), exceptions: absoluteExceptions, qualifies: [],
          quantities: quantities(clauseText).map((q) => shift(q, clause.start)),
          references: references(clauseText, section, sections).map((r) => shift(r, clause.start)),
        };
        const listed = clausesOfSentence.length === 1 && sentence === ofSection.at(-1) ? listItems(text, rule, sections) : [];
        if (listed.length > 0) {
          // The lead-in of a list of actions or things ("an employee may not:"): each item is a provision of its own.
          const ids = listed.map((x) => `${x.key}-p1`);
          listed.forEach((x) => items.set(sentences(text, x.bodyStart, x.end)[0]!.start, rule));
          for (const e of absoluteExceptions.filter((x) => x.kind === 'exception')) {
            provisions.push(exceptionProvision(text, nextId(section), section, e, ids, sections, e.start, e.end));
          }
          continue;
        }
        provisions.push(rule);
        rulesOfSentence.push(rule);
        for (const e of absoluteExceptions.filter((x) => x.kind === 'exception')) {
          provisions.push(exceptionProvision(text, nextId(section), section, e, [rule.id], sections, e.start, e.end));
        }
      }
      for (const e of pending) {
        const refs = references(text.slice(e.start, e.end), section, sections).map((r) => shift(r, e.start));
        const targets = qualifiedBy(e, refs, rulesOfSentence, provisions, section, sections);
        provisions.push(exceptionProvision(text, nextId(section), section, e, targets, sections, e.start, e.end));
      }
    }
  }
  // List items are drafted where they stand; their lead-in's exceptions come before them.
  return provisions.sort((a, b) => a.start - b.start);
}

/** Words after a lead-in's modal verb that make its list a list of conditions or examples, not of things allowed or forbidden. */
const CONDITIONS = /\b(?:if|provided|unless|that|whether|where|when|including|include|includes|following\s+categories|such\s+as)\b/i;

/**
 * The items a rule enumerates: its sentence ends with a colon after its modal verb ("an employee may not,
 * directly or indirectly:", "the following may be given ...:"), and each child paragraph that states no rule
 * or definition of its own completes it. A list of conditions ("provided that:", "if:") enumerates nothing.
 */
function listItems(text: string, rule: DraftProvision, sections: readonly DocumentSection[]): DocumentSection[] {
  if (!rule.text.trimEnd().endsWith(':') || rule.cues.length === 0) return [];
  const afterCue = rule.text.slice(rule.cues.at(-1)!.end - rule.start);
  if (CONDITIONS.test(afterCue)) return [];
  return sections.filter((x) => x.parent === rule.section).filter((x) => {
    const first = sentences(text, x.bodyStart, x.end)[0];
    if (!first) return false;
    const own = text.slice(first.start, first.end);
    return deonticCues(own).length === 0 && !definitionOf(own) && !deemingOf(own);
  });
}

/** A list item as a provision: its first clause, with the modality, cues and exceptions of its lead-in. */
function itemProvision(text: string, id: string, section: DocumentSection, sentence: { start: number; end: number }, leadIn: DraftProvision, sections: readonly DocumentSection[]): DraftProvision {
  const own = text.slice(sentence.start, sentence.end);
  const stop = own.search(/;|,?\s+(?:or|and)\s*$|\.$/);
  const end = sentence.start + (stop === -1 ? own.length : stop);
  const itemText = text.slice(sentence.start, end);
  return {
    id, kind: leadIn.kind, section, start: sentence.start, end, text: itemText, cues: leadIn.cues,
    exceptions: leadIn.exceptions.filter((e) => e.kind === 'exception'), qualifies: [],
    quantities: quantities(itemText).map((q) => shift(q, sentence.start)),
    references: references(itemText, section, sections).map((r) => shift(r, sentence.start)),
    leadIn: { start: leadIn.start, end: leadIn.end, text: leadIn.text },
  };
}

/**
 * What an exception that states no rule of its own qualifies: the rules of its
 * sentence; else the rules of the sections it names ("paragraph (a) of this
 * section does not apply to ..."); else the nearest rule before it in its section or above.
 */
function qualifiedBy(
  clause: ExceptionClause,
  refs: readonly Reference[],
  sameSentence: readonly DraftProvision[],
  before: readonly DraftProvision[],
  section: DocumentSection,
  sections: readonly DocumentSection[],
): string[] {
  if (sameSentence.length > 0) return sameSentence.map((r) => r.id);
  const rules = before.filter((p) => p.kind !== 'Exception' && p.kind !== 'Definition');
  const named = refs.flatMap((r) => (r.target ? [within(r.target, sections)] : []));
  if (named.length > 0) {
    const hits = rules.filter((p) => named.some((set) => set.has(p.section)));
    if (hits.length > 0) return hits.map((p) => p.id);
  }
  for (let s: DocumentSection | undefined = section; s; s = s.parent) {
    const inside = within(s, sections);
    const last = rules.filter((p) => inside.has(p.section) && p.end <= clause.start).at(-1);
    if (last) return [last.id];
  }
  return [];
}

function exceptionProvision(
  text: string, id: string, section: DocumentSection, clause: ExceptionClause, qualifies: string[],
  sections: readonly DocumentSection[], start: number, end: number,
): DraftProvision {
  const span = text.slice(start, end);
  return {
    id, kind: 'Exception', section, start, end, text: span, cues: [clause.cue], exceptions: [clause], qualifies,
    quantities: quantities(span).map((q) => shift(q, start)),
    references: references(span, section, sections).map((r) => shift(r, start)),
  };
}
