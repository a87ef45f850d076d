/**
 * Imported test cases as RDF, for a derived graph of their own (one per
 * policy and source file, replaced when the file is imported again):
 *
 *   case     a studio:ImportedScenario (prov:Entity) with the conversation
 *            (studio:messages) and what the answer must do (studio:expects),
 *            prov:wasDerivedFrom the rules it tests, prov:hadPrimarySource
 *            the file and studio:sourceLine its line there; the test file's
 *            own assertions (promptfoo asserts that are not expectations) as
 *            studio:fileAssertion nodes, a studio:FileAssertion each with
 *            studio:assertionType, rdf:value and studio:sourceLine
 *   file     a studio:TestCaseFile (prov:Entity): its path (rdfs:label) and
 *            SHA-256 (studio:contentHash); its IRI is made from the hash
 *   import   a studio:SuiteImport (prov:Activity) that prov:used the file and
 *            the policy, and generated the cases
 */

import path from 'node:path';
import N3 from 'n3';
import type { Quad } from '@rdfjs/types';
import { PROV, RDF, RDFS, STUDIO, XSD } from '../../vocabulary.js';
import { sha256 } from '../../framers/hierarchy.js';
import { GENERATED_NS } from '../../framers/item.js';
import { expectationIri } from '../../framers/expectations.js';
import { dateTimeLiteral } from '../../rdf/date-time.js';
import type { ImportedRecord } from './import-suite.js';

const { namedNode, literal, quad } = N3.DataFactory;
const TYPE = namedNode(`${RDF}type`);
const LABEL = namedNode(`${RDFS}label`);
const JSON_TYPE = namedNode(`${RDF}JSON`);
const VALUE = namedNode(`${RDF}value`);
const INTEGER = namedNode(`${XSD}integer`);
const s = (local: string) => namedNode(`${STUDIO}${local}`);
const prov = (local: string) => namedNode(`${PROV}${local}`);

/** The kind of derived graph imported cases are kept in. */
export const IMPORTED_KIND = 'imported';

/** The derived graph of one source file's cases for one policy. */
export function importedGraphIri(policy: string, file: string): string {
  return `${GENERATED_NS}graph/imported/${sha256(JSON.stringify([policy, path.resolve(file)])).slice(0, 32)}`;
}

/** The IRI of a test-case file: its content. */
export function testCaseFileIri(fileSha256: string): string {
  return `${GENERATED_NS}test-case-file/${fileSha256.slice(0, 32)}`;
}

/** The triples of one import: the file, the activity and every case imported. */
export function importQuads(policy: string, source: { file: string; sha256: string }, records: readonly ImportedRecord[], at: string): Quad[] {
  const file = namedNode(testCaseFileIri(source.sha256));
  const activity = namedNode(`${GENERATED_NS}suite-import/${sha256(JSON.stringify([policy, source.sha256, at])).slice(0, 32)}`);
  const out: Quad[] = [
    quad(file, TYPE, s('TestCaseFile')),
    quad(file, LABEL, literal(source.file)),
    quad(file, s('contentHash'), literal(source.sha256)),
    quad(activity, TYPE, s('SuiteImport')),
    quad(activity, prov('used'), file),
    quad(activity, prov('used'), namedNode(policy)),
    quad(activity, prov('startedAtTime'), dateTimeLiteral(at)),
  ];
  for (const r of records) {
    const c = namedNode(r.id);
    out.push(
      quad(c, TYPE, s('ImportedScenario')),
      quad(c, s('family'), literal(r.metadata.family)),
      quad(c, s('messages'), literal(JSON.stringify(r.messages), JSON_TYPE)),
      quad(c, s('reference'), literal(r.reference)),
      quad(c, prov('wasGeneratedBy'), activity),
      quad(c, prov('hadPrimarySource'), file),
      quad(c, s('sourceLine'), literal(String(r.metadata.source.line), INTEGER)),
    );
    for (const rule of r.metadata.rules) out.push(quad(c, prov('wasDerivedFrom'), namedNode(rule)));
    (r.assertions ?? []).forEach((a, i) => {
      const node = namedNode(`${r.id}/assertion/${i + 1}`);
      out.push(
        quad(c, s('fileAssertion'), node),
        quad(node, TYPE, s('FileAssertion')),
        quad(node, s('assertionType'), literal(a.type)),
        quad(node, VALUE, literal(a.value)),
        quad(node, s('sourceLine'), literal(String(a.line), INTEGER)),
      );
    });
    const kinds = new Set<string>();
    for (const e of r.expectations) {
      if (!kinds.has(e.kind)) out.push(quad(c, s('expects'), namedNode(expectationIri(e.kind))));
      kinds.add(e.kind);
      if (e.channel) out.push(quad(c, s('expectsChannel'), namedNode(e.channel.iri)));
      if (e.section) out.push(quad(c, s('expectsSection'), namedNode(e.section.iri)));
    }
  }
  return out;
}
