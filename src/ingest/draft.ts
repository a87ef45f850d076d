/**
 * The draft policy as RDF: the regulation (with its SHA-256), its sections with
 * their offsets and text, and every candidate provision typed studio:Draft,
 * with its source span (PROV) and studio:Unresolved placeholders for what the
 * text does not say (bearer, action, expected behaviour, what a threshold measures).
 */

import { createHash } from 'node:crypto';
import N3 from 'n3';
import type { Quad } from '@rdfjs/types';
import { DCTERMS, PROV, RDF, RDFS, SKOS, STUDIO, XSD } from '../vocabulary.js';
import { mediaType, type SourceDocument } from './document.js';
import type { DraftProvision } from './provisions.js';
import type { Bound } from './quantities.js';
import type { DocumentSection } from './structure.js';
import type { LlmDrafting, ResolvedField } from './llm-fields.js';

const { namedNode, literal, quad } = N3.DataFactory;

export interface DraftOptions {
  /** The draft policy's IRI; every other IRI of the draft is made in its namespace. */
  readonly policyIri: string;
  /** The version of the studio that drafted it, named in the provenance. */
  readonly agent: string;
  /** The language model's answers, with what the provenance says of the model and prompt (`studio ingest --llm`). */
  readonly llm?: LlmDrafting;
}

/** The namespace of a policy IRI: up to its last "#" or "/", or the IRI and "#". */
export function namespaceOf(policyIri: string): string {
  const cut = Math.max(policyIri.lastIndexOf('#'), policyIri.lastIndexOf('/'));
  return cut > policyIri.indexOf('//') + 1 ? policyIri.slice(0, cut + 1) : `${policyIri}#`;
}

/** Amounts in these units become threshold conditions; durations ("within 30 days") are deadlines, not conditions, and stay in the review. */
export const THRESHOLD_UNITS: ReadonlySet<string> = new Set(['USD', 'EUR', 'GBP', 'percent']);
export const BOUND_WORDS: Readonly<Record<Bound, string>> = { minExclusive: 'more than', minInclusive: 'at least', maxExclusive: 'less than', maxInclusive: 'at most' };

/** The draft's triples. */
export function draftQuads(document: SourceDocument, sections: readonly DocumentSection[], provisions: readonly DraftProvision[], options: DraftOptions): Quad[] {
  const ns = namespaceOf(options.policyIri);
  const out: Quad[] = [];
  const iri = (local: string) => namedNode(`${ns}${local}`);
  const s = (p: string) => namedNode(`${STUDIO}${p}`);
  const add = (subject: N3.NamedNode, predicate: N3.NamedNode, object: N3.NamedNode | N3.Literal) => out.push(quad(subject, predicate, object));
  const a = namedNode(`${RDF}type`);
  const label = namedNode(`${RDFS}label`);
  const title = namedNode(`${DCTERMS}title`);
  const integer = (n: number) => literal(String(n), namedNode(`${XSD}integer`));

  const regulation = iri('regulation');
  const policy = namedNode(options.policyIri);
  const activity = iri('ingestion');
  const documentTitle = sections.find((x) => x.heading && x.level > 0)?.title ?? document.file;
  add(regulation, a, s('Regulation'));
  add(regulation, a, namedNode(`${PROV}Entity`));
  add(regulation, title, literal(documentTitle));
  add(regulation, namedNode(`${DCTERMS}source`), literal(document.file));
  add(regulation, s('sha256'), literal(document.sha256));
  add(regulation, namedNode(`${DCTERMS}format`), literal(mediaType(document.format)));
  if (document.format === 'pdf' || document.format === 'docx' || document.format === 'html') {
    add(regulation, s('textSha256'), literal(createHash('sha256').update(document.text).digest('hex')));
  }
  const pageAt = (offset: number) => document.pages?.find((p) => offset <= p.end)?.page ?? document.pages?.at(-1)?.page;
  add(policy, a, s('Policy'));
  add(policy, title, literal(`Draft rules from ${documentTitle}`));
  add(policy, s('implements'), regulation);
  add(policy, s('version'), literal(`draft ${document.sha256.slice(0, 12)}`));
  add(policy, namedNode(`${PROV}wasGeneratedBy`), activity);
  add(policy, namedNode(`${SKOS}note`), literal(options.llm
    ? `Drafted from the text, with the bearer, action, target, counterparty, circumstances, quantities and behaviours named by the language model ${options.llm.model}. Review every studio:Draft provision, keep, rename or replace every studio:ProposedTerm, and replace every studio:Unresolved placeholder with a term of the policy.`
    : 'Drafted from the text without a language model. Review every studio:Draft provision and replace every studio:Unresolved placeholder with a term of the policy.'));
  add(activity, a, namedNode(`${PROV}Activity`));
  add(activity, label, literal(`${options.agent}, without a language model`));
  add(activity, namedNode(`${PROV}used`), regulation);
  const modelStep = options.llm ? iri('ingestion-llm') : undefined;
  if (options.llm && modelStep) {
    const llm = options.llm;
    const prompt = iri(`prompt-${llm.prompt.id.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')}-v${llm.prompt.version}`);
    const model = iri('model');
    add(modelStep, a, namedNode(`${PROV}Activity`));
    add(modelStep, label, literal(`${options.agent}, fields named by ${llm.model}`));
    add(modelStep, namedNode(`${PROV}wasInformedBy`), activity);
    add(modelStep, namedNode(`${PROV}used`), prompt);
    add(modelStep, namedNode(`${PROV}wasAssociatedWith`), model);
    add(modelStep, s('model'), literal(llm.model));
    if (llm.servedModel !== llm.model) add(modelStep, s('servedModel'), literal(llm.servedModel));
    add(modelStep, s('modelParameters'), literal(JSON.stringify(llm.parameters), namedNode(`${RDF}JSON`)));
    add(prompt, a, namedNode(`${PROV}Plan`));
    add(prompt, label, literal(llm.prompt.id));
    add(prompt, s('templateVersion'), integer(llm.prompt.version));
    add(prompt, s('contentHash'), literal(llm.prompt.contentHash));
    add(model, a, namedNode(`${PROV}SoftwareAgent`));
    add(model, label, literal(`${llm.model} at ${llm.endpoint}`));
    add(modelStep, namedNode(`${PROV}influenced`), policy);
  }

  const sectionIri = (x: DocumentSection) => iri(x.key);
  for (const x of sections) {
    const node = sectionIri(x);
    add(node, a, s('Section'));
    add(node, s('partOf'), x.parent ? sectionIri(x.parent) : regulation);
    add(node, title, literal(x.title));
    if (x.number) add(node, s('number'), literal(x.number));
    const own = document.text.slice(x.bodyStart, x.end).trim();
    if (own) add(node, s('sourceText'), literal(own));
    add(node, s('startOffset'), integer(x.start));
    add(node, s('endOffset'), integer(x.end));
    const page = pageAt(x.start);
    if (page !== undefined) add(node, s('page'), integer(page));
  }

  const declared = new Set<string>();
  const placeholder = (local: string, type: string, text: string) => {
    const node = iri(local);
    if (!declared.has(local)) {
      declared.add(local);
      add(node, a, s(type));
      add(node, a, s('Unresolved'));
      add(node, label, literal(text));
    }
    return node;
  };
  const behaviour = () => placeholder('unresolved-behaviour', 'Behaviour', 'expected behaviour (to be chosen)');
  const bearer = () => placeholder('unresolved-bearer', 'Role', 'bearer (to be named)');
  // A field the model named: a term of the policy, or a term it proposes (one per class and label, shared by the provisions that name it).
  const field = (f: ResolvedField): N3.NamedNode => {
    if (f.iri) return namedNode(f.iri);
    const { termClass, label: text } = f.proposed!;
    const local = `${termClass.toLowerCase()}-${slug(text)}`;
    const node = iri(local);
    if (!declared.has(local)) {
      declared.add(local);
      add(node, a, s(termClass));
      add(node, a, s('ProposedTerm'));
      add(node, label, literal(text));
      // Said from the activity's side: a term's shape is closed to properties outside the vocabulary.
      add(modelStep!, namedNode(`${PROV}generated`), node);
    }
    return node;
  };

  const byId = new Map(provisions.map((p) => [p.id, p]));
  for (const p of provisions) {
    const node = iri(p.id);
    if (p.kind === 'Exception' && p.qualifies.length === 0) {
      // An exception with nothing found to qualify would break the shapes: it is kept as a note on its section.
      add(sectionIri(p.section), namedNode(`${SKOS}note`), literal(`Exception found, but not what it qualifies (${p.cues.map((c) => c.text).join(', ')}, offsets ${p.start}-${p.end}): ${p.text}`));
      continue;
    }
    add(node, a, s(p.kind));
    add(node, a, s('Draft'));
    add(node, s('inPolicy'), policy);
    add(node, s('section'), sectionIri(p.section));
    add(node, s('text'), literal(p.text));
    add(node, label, literal(`${p.section.number ?? p.section.title} ${p.kind.toLowerCase()}: ${shorten(p.text, 8)}`));
    add(node, namedNode(`${SKOS}note`), literal(`cue words: ${p.cues.map((c) => c.text).join(', ')}${p.leadIn ? ` (in the lead-in of its list, offsets ${p.leadIn.start}-${p.leadIn.end}: ${p.leadIn.text})` : ''}`));
    const span = iri(`span-${p.start}-${p.end}`);
    add(node, namedNode(`${DCTERMS}source`), span);
    add(span, a, namedNode(`${PROV}Entity`));
    add(span, namedNode(`${PROV}wasQuotedFrom`), regulation);
    add(span, namedNode(`${PROV}wasGeneratedBy`), activity);
    add(span, namedNode(`${PROV}value`), literal(p.text));
    add(span, s('startOffset'), integer(p.start));
    add(span, s('endOffset'), integer(p.end));
    const page = pageAt(p.start);
    if (page !== undefined) add(span, s('page'), integer(page));
    for (const r of p.references) if (r.target) add(node, s('refersTo'), sectionIri(r.target));
    const outcome = options.llm?.outcomes.get(p.id);
    const fields = outcome?.ok ? outcome.fields : undefined;
    // prov:influenced is the inverse of prov:wasInfluencedBy, said from the activity: a provision's shape is closed.
    if (fields) add(modelStep!, namedNode(`${PROV}influenced`), node);
    if (outcome && !outcome.ok) add(node, namedNode(`${SKOS}note`), literal(`The language model's answers were not used (asked ${outcome.attempts} times): ${outcome.problem}`));

    if (p.kind === 'Definition') {
      add(node, s('defines'), placeholder(`${p.id}-term`, 'Term', p.term ?? 'term'));
      continue;
    }
    if (fields) for (const b of fields.behaviours) add(node, s('expectedBehaviour'), s(b));
    else add(node, s('expectedBehaviour'), behaviour());
    if (p.kind === 'Exception') {
      for (const target of p.qualifies) add(node, s('exceptionTo'), iri(byId.get(target)!.id));
      const clause = p.exceptions[0]!;
      const condition = iri(`${p.id}-condition`);
      add(node, s('condition'), condition);
      add(condition, a, s('CircumstanceCondition'));
      add(condition, label, literal(`${clause.cue.text} ${clause.condition}`.trim()));
      add(condition, s('circumstance'), fields?.circumstance ? field(fields.circumstance) : placeholder(`${p.id}-circumstance`, 'Circumstance', clause.condition || p.text));
    } else {
      add(node, s('bearer'), fields?.bearer ? field(fields.bearer) : bearer());
      add(node, s('action'), fields?.action ? field(fields.action) : placeholder(`${p.id}-action`, 'Action', `action of ${p.id} (to be named)`));
      if (fields?.target) add(node, s('target'), field(fields.target));
      if (fields?.counterparty) add(node, s('counterparty'), field(fields.counterparty));
    }
    let kept = 0;
    p.quantities.forEach((q, n) => {
      if (!q.bound || !THRESHOLD_UNITS.has(q.unit)) return;
      const named = fields?.quantities[kept++];
      const condition = iri(`${p.id}-threshold-${n + 1}`);
      add(node, s('condition'), condition);
      add(condition, a, s('ThresholdCondition'));
      add(condition, label, literal(`${BOUND_WORDS[q.bound]} ${q.value} ${q.unit}`));
      add(condition, s('quantity'), named ? field(named) : placeholder(`${p.id}-quantity-${n + 1}`, 'Quantity', `quantity in ${q.unit} (to be named)`));
      add(condition, s(q.bound), literal(String(q.value), namedNode(`${XSD}decimal`)));
      add(condition, s('unit'), literal(q.unit));
    });
  }
  // Each subject's triples together, subjects in the order they first appear, so the Turtle reads one block per node.
  const order = new Map<string, number>();
  for (const q of out) if (!order.has(q.subject.value)) order.set(q.subject.value, order.size);
  return out.map((q, i) => ({ q, i })).sort((x, y) => order.get(x.q.subject.value)! - order.get(y.q.subject.value)! || x.i - y.i).map((x) => x.q);
}

/** A label as the local part of an IRI: lower case words joined by hyphens, at most 60 characters. */
function slug(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60).replace(/-+$/, '') || 'term';
}

/** The first words of a text, with "..." when there are more. */
export function shorten(text: string, words: number): string {
  const all = text.split(/\s+/).filter(Boolean);
  return all.length <= words ? all.join(' ') : `${all.slice(0, words).join(' ')} ...`;
}
