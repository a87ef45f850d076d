/**
 * A report as JSON-LD, in PROV-O and EARL terms: each run's graph as
 * `writeRunGraph` makes it (the run a prov:Activity, each verdict an
 * earl:Assertion with its evidence, the response), the policy's rules, and
 * the report itself as a prov:Entity derived from the runs, carrying per run
 * the digest of the journals it summarises (lines and chain heads). Written
 * with the studio's RDF export (serializeQuads), under a context of the
 * studio's prefixes.
 */

import N3 from 'n3';
import type { Quad } from '@rdfjs/types';
import { runQuads, resultQuads } from '../auditors/to-rdf.js';
import type { GraderRef } from '../auditors/verdict.js';
import { sha256 } from '../framers/hierarchy.js';
import { GENERATED_NS } from '../framers/item.js';
import { serializeQuads } from '../rdf/serialize.js';
import { PREFIXES, PROV, RDF, STUDIO, XSD } from '../vocabulary.js';
import type { ReportDigest } from './journal-digest.js';
import type { ReportData } from './report-data.js';
import { dateTimeLiteral } from '../rdf/date-time.js';

const { namedNode, literal, quad } = N3.DataFactory;
const s = (local: string) => namedNode(`${STUDIO}${local}`);
const TYPE = namedNode(`${RDF}type`);
const INTEGER = namedNode(`${XSD}integer`);

/** The properties a report's digest is written with, read back by verify. */
export const DIGEST_TERMS = {
  digest: `${STUDIO}journalDigest`,
  order: `${STUDIO}runOrder`,
  runId: `${STUDIO}runId`,
  of: `${STUDIO}digestOf`,
  resultLines: `${STUDIO}resultLines`,
  resultsHead: `${STUDIO}resultsChainHead`,
  humanLines: `${STUDIO}humanLines`,
  humanHead: `${STUDIO}humanChainHead`,
  policy: `${STUDIO}reportPolicy`,
  generatedAt: `${PROV}generatedAtTime`,
} as const;

/** The IRI of a report: its digest. */
export function reportIri(digest: ReportDigest): string {
  return `${GENERATED_NS}report/${sha256(JSON.stringify(digest)).slice(0, 32)}`;
}

/** The report's own triples: what it was derived from and the digest of each run's journals. */
export function digestQuads(digest: ReportDigest): Quad[] {
  const report = namedNode(reportIri(digest));
  const out: Quad[] = [
    quad(report, TYPE, namedNode(`${PROV}Entity`)),
    quad(report, TYPE, s('Report')),
    quad(report, namedNode(DIGEST_TERMS.policy), namedNode(digest.policy)),
    quad(report, namedNode(`${PROV}wasDerivedFrom`), namedNode(digest.policy)),
    quad(report, namedNode(DIGEST_TERMS.generatedAt), dateTimeLiteral(digest.generatedAt)),
  ];
  digest.runs.forEach((run, i) => {
    const node = namedNode(`${report.value}#run-${i + 1}`);
    out.push(
      quad(report, namedNode(`${PROV}wasDerivedFrom`), namedNode(run.iri)),
      quad(report, namedNode(DIGEST_TERMS.digest), node),
      quad(node, TYPE, s('JournalDigest')),
      quad(node, namedNode(DIGEST_TERMS.order), literal(String(i + 1), INTEGER)),
      quad(node, namedNode(DIGEST_TERMS.of), namedNode(run.iri)),
      quad(node, namedNode(DIGEST_TERMS.runId), literal(run.run)),
      quad(node, namedNode(DIGEST_TERMS.resultLines), literal(String(run.results.lines), INTEGER)),
      quad(node, namedNode(DIGEST_TERMS.resultsHead), literal(run.results.head)),
      quad(node, namedNode(DIGEST_TERMS.humanLines), literal(String(run.human.lines), INTEGER)),
      quad(node, namedNode(DIGEST_TERMS.humanHead), literal(run.human.head)),
    );
  });
  return out;
}

/** Renders a report as JSON-LD; `policyQuads` are the policy's own triples (store.exportQuads). */
export function renderJsonLd(data: ReportData, policyQuads: readonly Quad[]): string {
  const quads: Quad[] = [...policyQuads, ...digestQuads(data.digest)];
  for (const run of data.runs) {
    const graders = new Map<string, GraderRef>();
    for (const r of run.results) for (const v of [...r.record.verdicts, ...r.human.map((h) => h.verdict)]) graders.set(v.grader.id, v.grader);
    const tested = new Set(run.results.flatMap((r) => r.record.rules));
    const texts = new Map([...run.ruleTexts].filter(([rule]) => tested.has(rule)));
    quads.push(...runQuads(run.manifest, [...graders.values()], texts));
    for (const r of run.results) quads.push(...resultQuads(run.manifest, r.record, r.human));
  }
  const graph = JSON.parse(serializeQuads(quads, 'jsonld')) as unknown[];
  return `${JSON.stringify({ '@context': PREFIXES, '@graph': graph }, null, 1)}\n`;
}
