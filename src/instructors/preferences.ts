/**
 * Preferences a person records in the playground: one question asked of two
 * models (the model under audit first, the baseline second), both answers,
 * the rules the question touches, and which answer is better (first, second,
 * a tie, or both bad) with a reason. Each is a derived graph of its own, in
 * PROV-O terms, on either store:
 *
 *   preference a studio:Preference (prov:Entity): studio:preferred, studio:reason,
 *              studio:question, studio:systemPrompt, prov:generatedAtTime,
 *              prov:wasAttributedTo the person (a prov:Agent named by the
 *              token), prov:wasDerivedFrom the policy and both answers,
 *              studio:concernsRule each rule the question touches
 *   answer     a studio:Response (prov:Entity): studio:responseText, studio:model,
 *              prov:wasAttributedTo the studio:Model (endpoint and name, the
 *              node an audit run of that model uses)
 *
 * `studio train dataset` reads them back (the preferences named query) and
 * adds a preference pair for each "first" or "second"; ties and "both bad"
 * are counted, not paired.
 */

import N3 from 'n3';
import type { Quad } from '@rdfjs/types';
import type { DerivedGraph, GraphStore } from '../store/graph-store.js';
import { sha256 } from '../framers/hierarchy.js';
import { GENERATED_NS } from '../framers/item.js';
import { modelIri } from '../auditors/run-folder.js';
import { dateTimeLiteral, isoDateTime } from '../rdf/date-time.js';
import { PROV, RDF, RDFS, STUDIO } from '../vocabulary.js';

const { namedNode, literal, quad } = N3.DataFactory;

export const PREFERENCE_KIND = 'preference';
/** Which answer is better: the first (the model under audit), the second (the baseline), neither (a tie), or none is acceptable. */
export const PREFERRED = ['first', 'second', 'tie', 'bothBad'] as const;
export type Preferred = (typeof PREFERRED)[number];

/** One model's answer to the question. */
export interface PreferenceAnswer {
  readonly model: string;
  readonly endpoint: string;
  readonly text: string;
}

export interface Preference {
  readonly iri: string;
  readonly policy: string;
  readonly question: string;
  /** The system prompt both models were sent before the question. */
  readonly systemPrompt: string;
  readonly first: PreferenceAnswer;
  readonly second: PreferenceAnswer;
  /** The rules the question touches, sorted. */
  readonly rules: readonly string[];
  readonly preferred: Preferred;
  readonly reason: string;
  /** Who recorded it: the API token's name. */
  readonly recordedBy: string;
  readonly recordedAt: string;
}

/** A person, by the name the tokens file gives their token. */
export function agentIri(name: string): string {
  return `${GENERATED_NS}agent/${sha256(name).slice(0, 32)}`;
}

/** A preference's IRI: its question, answers, verdict, author and time, so the same record twice is one node. */
export function preferenceIri(p: Omit<Preference, 'iri'>): string {
  return `${GENERATED_NS}preference/${sha256(JSON.stringify([p.policy, p.question, p.first, p.second, p.preferred, p.reason, p.recordedBy, p.recordedAt])).slice(0, 32)}`;
}

/** The derived graph one preference is kept in. */
export function preferenceGraph(iri: string): string {
  return `urn:studio:derived:${PREFERENCE_KIND}:${iri.slice(iri.lastIndexOf('/') + 1)}`;
}

/** The triples of one preference. */
export function preferenceQuads(p: Preference): Quad[] {
  const node = namedNode(p.iri);
  const s = (local: string) => namedNode(`${STUDIO}${local}`);
  const prov = (local: string) => namedNode(`${PROV}${local}`);
  const type = namedNode(`${RDF}type`);
  const label = namedNode(`${RDFS}label`);
  const agent = namedNode(agentIri(p.recordedBy));
  const out: Quad[] = [
    quad(node, type, s('Preference')),
    quad(node, s('preferred'), literal(p.preferred)),
    quad(node, s('reason'), literal(p.reason)),
    quad(node, s('question'), literal(p.question)),
    quad(node, s('systemPrompt'), literal(p.systemPrompt)),
    quad(node, prov('generatedAtTime'), dateTimeLiteral(p.recordedAt)),
    quad(node, prov('wasAttributedTo'), agent),
    quad(node, prov('wasDerivedFrom'), namedNode(p.policy)),
    quad(agent, type, prov('Agent')),
    quad(agent, label, literal(p.recordedBy)),
  ];
  for (const [position, answer] of [['first', p.first], ['second', p.second]] as const) {
    const response = namedNode(`${p.iri}/${position}`);
    const model = namedNode(modelIri(answer.endpoint, answer.model));
    out.push(
      quad(node, s(`${position}Answer`), response),
      quad(node, prov('wasDerivedFrom'), response),
      quad(response, type, s('Response')),
      quad(response, s('responseText'), literal(answer.text)),
      quad(response, s('model'), literal(answer.model)),
      quad(response, prov('wasAttributedTo'), model),
      quad(model, type, s('Model')),
      quad(model, label, literal(answer.model)),
      quad(model, s('endpoint'), literal(answer.endpoint)),
    );
  }
  for (const rule of p.rules) out.push(quad(node, s('concernsRule'), namedNode(rule)));
  return out;
}

/** Records a preference in a derived graph of its own; `policySha256` is the policy version the question was asked against. */
export async function recordPreference(store: GraphStore, p: Omit<Preference, 'iri'>, policySha256: string): Promise<{ preference: Preference; graph: DerivedGraph }> {
  const preference: Preference = { ...p, rules: [...p.rules].sort(), iri: preferenceIri(p) };
  const graph = await store.putDerivedGraph({ graph: preferenceGraph(preference.iri), kind: PREFERENCE_KIND, policy: p.policy, policySha256 }, preferenceQuads(preference));
  return { preference, graph };
}

/** A policy's recorded preferences, oldest first (the preferences named query: one row per preference and rule). */
export async function readPreferences(store: GraphStore, policy: string): Promise<Preference[]> {
  const byIri = new Map<string, Preference & { rules: string[] }>();
  for (const row of await store.namedQuery('preferences', { policy })) {
    const iri = String(row.preference);
    let entry = byIri.get(iri);
    if (!entry) {
      entry = {
        iri,
        policy,
        question: String(row.question),
        systemPrompt: String(row.systemPrompt),
        first: { model: String(row.firstModel), endpoint: String(row.firstEndpoint), text: String(row.firstAnswer) },
        second: { model: String(row.secondModel), endpoint: String(row.secondEndpoint), text: String(row.secondAnswer) },
        rules: [],
        preferred: String(row.preferred) as Preferred,
        reason: String(row.reason),
        recordedBy: String(row.recordedBy),
        recordedAt: isoDateTime(String(row.recordedAt)),
      };
      byIri.set(iri, entry);
    }
    if (row.rule !== null && row.rule !== undefined && !entry.rules.includes(String(row.rule))) entry.rules.push(String(row.rule));
  }
  const all = [...byIri.values()];
  for (const p of all) p.rules.sort();
  return all.sort((a, b) => a.recordedAt.localeCompare(b.recordedAt) || a.iri.localeCompare(b.iri));
}
