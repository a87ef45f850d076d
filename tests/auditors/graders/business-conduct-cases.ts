/**
 * Audit cases as the suite file gives them: the business conduct policy
 * generated on the embedded store, its items written through the evaluation
 * suite's own export (eval.jsonl records) and read back as AuditCases, with
 * each case's main rule as a RuleBrief built from the policy context.
 */

import { EmbeddedStore } from '../../../src/store/oxigraph-store.js';
import { readTurtle } from '../../../src/rdf/turtle.js';
import { TemplateLibrary } from '../../../src/framers/templates.js';
import { evalRecords } from '../../../src/framers/exports/eval-suite.js';
import type { Item } from '../../../src/framers/item.js';
import type { PolicyContext } from '../../../src/framers/policy-context.js';
import type { AuditCase, RuleBrief } from '../../../src/auditors/verdict.js';
import { parseCase } from '../../../src/auditors/suite.js';
import { ruleBriefs } from '../../../src/auditors/audit-run.js';
import { generateAll } from '../../helpers/generation.js';

export const K = 'https://example.org/kestrel/bcg#';

export interface GeneratedCases {
  readonly cases: readonly AuditCase[];
  /** The items, by IRI, for their rejected answers. */
  readonly items: ReadonlyMap<string, Item>;
  readonly context: PolicyContext;
}

/** Generates the business conduct policy (seed 1) and turns each eval.jsonl record into an AuditCase. */
export async function businessConductCases(): Promise<GeneratedCases> {
  const store = await EmbeddedStore.open();
  try {
    const loaded = await store.loadPolicy(await readTurtle('policies/business-conduct.ttl'));
    const result = await generateAll(store, loaded.policy, await TemplateLibrary.load(), { seed: 1 });
    const lines = [...evalRecords(result.items, 'You are the Kestrel Guidelines assistant.')].map((r) => JSON.stringify(r));
    const cases = lines.map((line, i) => parseCase(line, 'business-conduct eval.jsonl', i + 1));
    return { cases, items: new Map(result.items.map((i) => [i.iri, i])), context: result.context };
  } finally {
    await store.close();
  }
}

/** The brief of a provision, with the exceptions to it, as an audit run gives it to the judge. */
export function ruleBriefOf(context: PolicyContext, iri: string): RuleBrief {
  const brief = ruleBriefs(context).get(iri);
  if (!brief) throw new Error(`no provision ${iri} in the policy context`);
  return brief;
}
