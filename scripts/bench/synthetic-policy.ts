/**
 * Writes a synthetic policy of N rules (about 10 triples each) that passes
 * the shapes: role, action and asset hierarchies (an action takes its object
 * "on", as the rules' text says: studio:withObject), sections of 100 rules,
 * an exception on every 10th rule and a cross-reference on every 7th.
 *
 *   npx tsx scripts/bench/synthetic-policy.ts 10000 bench-out/synthetic-10000.ttl
 */

import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

const KINDS = ['Obligation', 'Prohibition', 'Permission'] as const;
const BEHAVIOURS = ['Refuse', 'Warn', 'CiteSection', 'AskForInformation', 'Inform'] as const;

/** Writes the policy to `file`, resolving when it is flushed. */
export async function writeSyntheticPolicy(rules: number, file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const out = createWriteStream(file);
  const write = (text: string) => {
    if (!out.write(text)) return new Promise<void>((resolve) => out.once('drain', () => resolve()));
    return undefined;
  };
  await write(`@prefix studio: <https://w3id.org/alignment-studio/ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix syn: <https://example.org/synthetic#> .

syn:regulation a studio:Regulation ; dcterms:title "Synthetic regulation of ${rules} rules" ; studio:authorityRank 2 .
syn:policy a studio:Policy ; dcterms:title "Synthetic policy" ; studio:version "1" ; studio:implements syn:regulation .
syn:channel a studio:Channel ; rdfs:label "synthetic hotline" .
syn:amount a studio:Quantity ; rdfs:label "amount" .
syn:approved a studio:Circumstance ; rdfs:label "approved" .
syn:cond-small a studio:ThresholdCondition ; rdfs:label "amount at most 50" ; studio:quantity syn:amount ; studio:maxInclusive "50"^^xsd:decimal .
syn:cond-approved a studio:CircumstanceCondition ; rdfs:label "approved" ; studio:circumstance syn:approved .
syn:cond-external a studio:AudienceCondition ; rdfs:label "external" ; studio:audience studio:External .
`);
  const terms = Math.max(10, Math.round(Math.sqrt(rules) * 2));
  for (let i = 0; i < terms; i++) {
    const parent = (kind: string, top: string) => (i < 5 ? top : `syn:${kind}-${Math.floor(i / 5) - 1}`);
    await write(
      `syn:role-${i} a studio:Role ; rdfs:label "role ${i}" ; studio:broader ${parent('role', 'studio:Employee')} .\n` +
        `syn:action-${i} a studio:Action ; rdfs:label "action ${i}" ; studio:withObject "action ${i} on {object}"${i >= 5 ? ` ; studio:broader syn:action-${Math.floor(i / 5) - 1}` : ''} .\n` +
        `syn:asset-${i} a studio:Asset ; rdfs:label "asset ${i}" ; studio:broader ${parent('asset', 'studio:Information')} .\n`,
    );
  }
  const sections = Math.ceil(rules / 100);
  for (let s = 0; s < sections; s++) {
    await write(
      `syn:section-${s} a studio:Section ; studio:number "${s + 1}" ; dcterms:title "Section ${s + 1}" ; studio:sourceText "Synthetic provisions ${s * 100 + 1} to ${s * 100 + 100}." ; studio:partOf syn:regulation .\n`,
    );
  }
  for (let r = 0; r < rules; r++) {
    const kind = KINDS[r % 3]!;
    const behaviour = BEHAVIOURS[r % BEHAVIOURS.length]!;
    const lines = [
      `syn:rule-${r} a studio:${kind}`,
      `studio:inPolicy syn:policy`,
      `studio:section syn:section-${Math.floor(r / 100)}`,
      `rdfs:label "rule ${r}"`,
      `studio:text "Role ${r % terms} ${kind === 'Prohibition' ? 'must not' : kind === 'Obligation' ? 'must' : 'may'} perform action ${(r * 7) % terms} on asset ${(r * 13) % terms}."`,
      `studio:bearer syn:role-${r % terms}`,
      `studio:action syn:action-${(r * 7) % terms}`,
      `studio:target syn:asset-${(r * 13) % terms}`,
      `studio:expectedBehaviour studio:${behaviour}`,
    ];
    if (r % 4 === 0) lines.push('studio:condition syn:cond-external');
    if (r % 7 === 6) lines.push(`studio:refersTo syn:rule-${r - 6}`);
    let text = lines.join(' ;\n    ') + ' .\n';
    if (r % 10 === 9) {
      text += `syn:exception-${r} a studio:Exception ; studio:exceptionTo syn:rule-${r} ; studio:inPolicy syn:policy ; studio:section syn:section-${Math.floor(r / 100)} ; rdfs:label "exception to rule ${r}" ; studio:text "Rule ${r} does not apply when approved." ; studio:condition syn:cond-${r % 20 === 9 ? 'approved' : 'small'} ; studio:expectedBehaviour studio:Inform .\n`;
    }
    await write(text);
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rules = Number(process.argv[2] ?? 1000);
  const file = process.argv[3] ?? `bench-out/synthetic-${rules}.ttl`;
  await writeSyntheticPolicy(rules, file);
  process.stdout.write(`${file}\n`);
}
