/**
 * Policy packs: the rules that apply in a deployment context compiled into
 * one system prompt, without an LLM. Instructions are ordered by precedence:
 * a rule that prevails over another in the context comes before it, and
 * otherwise higher authority first, then the later rule, then section order.
 * Each instruction cites its section. The cheapest alignment a team can ship,
 * and the baseline an audit measures a fine-tuned model against: the audit
 * runs "model + pack as system prompt" (policyPackText, or the file).
 *
 * A pack is an artifact in the graph, a studio:PolicyPack prov:wasDerivedFrom
 * each rule it states, in a derived graph per context.
 */

import { createHash } from 'node:crypto';
import path from 'node:path';
import N3 from 'n3';
import type { Quad } from '@rdfjs/types';
import type { DerivedGraph, GraphStore } from '../store/graph-store.js';
import { readPolicyContext, RULE_KINDS, type PolicyContext, type Provision } from '../framers/policy-context.js';
import { PROV, RDF, STUDIO } from '../vocabulary.js';
import { writeFileAtomic } from './atomic-files.js';
import { appliesInContext, readDeploymentContext, type DeploymentContext } from './deployment-context.js';
import { readContextResolutions, recordContextResolutions } from './context-precedence.js';
import { dateTimeLiteral } from '../rdf/date-time.js';

const { namedNode, literal, quad } = N3.DataFactory;

export const POLICY_PACK_KIND = 'policy-pack';

export interface PolicyPack {
  readonly iri: string;
  readonly policy: string;
  readonly policySha256: string;
  readonly context: string;
  /** The system prompt. */
  readonly text: string;
  /** The rules stated, in the order stated. */
  readonly rules: readonly string[];
  readonly sha256: string;
}

interface Ranked {
  readonly rule: Provision;
  readonly rank: number;
  readonly effectiveFrom: string;
}

/** Compiles the pack of a context from the graph (recording the context's resolutions first, so the order follows what the graph holds). */
export async function compilePolicyPack(store: GraphStore, policyIri: string, contextIri: string): Promise<PolicyPack> {
  const policy = await readPolicyContext(store, policyIri);
  const context = await readDeploymentContext(store, policyIri, contextIri);
  await recordContextResolutions(store, context);
  const resolutions = await readContextResolutions(store, context.iri);
  const inputs = new Map((await store.namedQuery('rule-ranks', { policy: policyIri })).map((r) => [String(r.rule), r]));
  const rules: Ranked[] = policy.provisions
    .filter((p) => RULE_KINDS.includes(p.kind) && appliesInContext(p, policy, context))
    .map((rule) => {
      const row = inputs.get(rule.iri);
      return { rule, rank: row?.rank === null || row?.rank === undefined ? 0 : Number(row.rank), effectiveFrom: row?.effectiveFrom ? String(row.effectiveFrom) : '' };
    });
  const beats = new Map<string, Set<string>>();
  for (const r of resolutions.values()) {
    if (!r.winner || !r.loser) continue;
    beats.set(r.winner, (beats.get(r.winner) ?? new Set()).add(r.loser));
  }
  const ordered = precedenceOrder(rules, beats);
  const text = packText(policy, context, ordered.map((r) => r.rule), beats);
  const sha256 = createHash('sha256').update(text).digest('hex');
  return {
    iri: `urn:studio:pack:${sha256.slice(0, 32)}`,
    policy: policyIri,
    policySha256: policy.policy.sha256,
    context: context.iri,
    text,
    rules: ordered.map((r) => r.rule.iri),
    sha256,
  };
}

/** Just the text of a context's pack: what an audit sends as the system prompt. */
export async function policyPackText(store: GraphStore, policyIri: string, contextIri: string): Promise<string> {
  return (await compilePolicyPack(store, policyIri, contextIri)).text;
}

/**
 * Winners before the rules they beat (a topological order), and otherwise
 * higher rank, later effective date, section number, IRI. A cycle of
 * resolutions (which conflict detection reports as a defect) is broken by
 * the base order.
 */
function precedenceOrder(rules: readonly Ranked[], beats: ReadonlyMap<string, ReadonlySet<string>>): Ranked[] {
  const base = [...rules].sort(compareBase);
  const present = new Set(base.map((r) => r.rule.iri));
  const waiting = new Map<string, number>(base.map((r) => [r.rule.iri, 0]));
  for (const [winner, losers] of beats) {
    if (!present.has(winner)) continue;
    for (const loser of losers) if (present.has(loser)) waiting.set(loser, waiting.get(loser)! + 1);
  }
  const out: Ranked[] = [];
  const done = new Set<string>();
  while (out.length < base.length) {
    const next = base.find((r) => !done.has(r.rule.iri) && waiting.get(r.rule.iri) === 0) ?? base.find((r) => !done.has(r.rule.iri))!;
    out.push(next);
    done.add(next.rule.iri);
    for (const loser of beats.get(next.rule.iri) ?? []) if (waiting.has(loser)) waiting.set(loser, waiting.get(loser)! - 1);
  }
  return out;
}

function compareBase(a: Ranked, b: Ranked): number {
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (a.effectiveFrom !== b.effectiveFrom) return a.effectiveFrom < b.effectiveFrom ? 1 : -1;
  const bySection = compareSection(a.rule.section?.number ?? '', b.rule.section?.number ?? '');
  if (bySection !== 0) return bySection;
  return a.rule.iri < b.rule.iri ? -1 : a.rule.iri > b.rule.iri ? 1 : 0;
}

/** 4.2 before 4.10. */
function compareSection(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  return a.localeCompare(b);
}

function packText(policy: PolicyContext, context: DeploymentContext, rules: readonly Provision[], beats: ReadonlyMap<string, ReadonlySet<string>>): string {
  const title = policy.policy.title ?? 'policy';
  const number = new Map(rules.map((r, i) => [r.iri, i + 1]));
  const exceptions = new Map<string, Provision[]>();
  for (const p of policy.provisions) {
    if (p.kind !== 'Exception') continue;
    for (const base of p.exceptionTo) exceptions.set(base, [...(exceptions.get(base) ?? []), p]);
  }
  const lines = [
    context.persona,
    '',
    `You are bound by the ${title}. The instructions below are its rules that apply here, in order of precedence: where two of them conflict, the one listed first prevails. When you rely on an instruction, cite its section as given in brackets. When a request is refused, say so plainly and, where an instruction names a channel, direct the person there.`,
    '',
  ];
  for (const rule of rules) {
    const parts = [`${number.get(rule.iri)}. [§${rule.section?.number ?? '?'}] ${rule.text}`];
    for (const channel of rule.channel) parts.push(`Direct people to: ${policy.terms.get(channel)?.label ?? channel}.`);
    for (const e of exceptions.get(rule.iri) ?? []) parts.push(`Except [§${e.section?.number ?? '?'}]: ${e.text}`);
    const over = [...(beats.get(rule.iri) ?? [])].map((l) => number.get(l)).filter((n): n is number => n !== undefined).sort((a, b) => a - b);
    if (over.length > 0) parts.push(`Where it conflicts with ${over.map((n) => `instruction ${n}`).join(', ')}, this one prevails.`);
    lines.push(parts.join(' '));
  }
  return lines.join('\n') + '\n';
}

/** The derived graph holding a context's pack. */
export function packGraphIri(context: string): string {
  return `urn:studio:derived:policy-pack:${createHash('sha256').update(context).digest('hex').slice(0, 32)}`;
}

/** The pack as an artifact: a studio:PolicyPack derived from each rule it states. */
export function packQuads(pack: PolicyPack, file: string | undefined, at: string): Quad[] {
  const node = namedNode(pack.iri);
  const quads: Quad[] = [
    quad(node, namedNode(`${RDF}type`), namedNode(`${STUDIO}PolicyPack`)),
    quad(node, namedNode(`${STUDIO}inContext`), namedNode(pack.context)),
    quad(node, namedNode(`${PROV}wasDerivedFrom`), namedNode(pack.policy)),
    quad(node, namedNode(`${STUDIO}sha256`), literal(pack.sha256)),
    quad(node, namedNode(`${STUDIO}policySha256`), literal(pack.policySha256)),
    quad(node, namedNode(`${STUDIO}packText`), literal(pack.text)),
    quad(node, namedNode(`${PROV}generatedAtTime`), dateTimeLiteral(at)),
  ];
  if (file) quads.push(quad(node, namedNode(`${STUDIO}file`), literal(file)));
  for (const rule of pack.rules) quads.push(quad(node, namedNode(`${PROV}wasDerivedFrom`), namedNode(rule)));
  return quads;
}

/** Compiles a context's pack, writes it to `file` (if given) and records it in the graph, replacing the context's last pack. */
export async function writePolicyPack(store: GraphStore, policyIri: string, contextIri: string, file?: string): Promise<{ pack: PolicyPack; graph: DerivedGraph }> {
  const pack = await compilePolicyPack(store, policyIri, contextIri);
  if (file) await writeFileAtomic(file, pack.text);
  const graph = await store.putDerivedGraph(
    { graph: packGraphIri(contextIri), kind: POLICY_PACK_KIND, policy: policyIri, policySha256: pack.policySha256 },
    packQuads(pack, file ? path.relative(process.cwd(), path.resolve(file)) : undefined, new Date().toISOString()),
  );
  return { pack, graph };
}
