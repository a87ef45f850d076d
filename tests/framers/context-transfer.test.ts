/** A policy's context sent in parts (as generateInThread sends it to its worker) arrives whole: the same fields, the same order, provisions shared with their map. */

import { describe, expect, it } from 'vitest';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { readPolicyContext, type PolicyContext } from '../../src/framers/policy-context.js';
import { CONTEXT_SLICE, ContextAssembler, sendContext, type ContextPart } from '../../src/framers/context-transfer.js';

/** Sends a context through structured clones, as postMessage does, and puts it back together. */
async function roundTrip(context: PolicyContext): Promise<{ context: PolicyContext; parts: ContextPart[] }> {
  const parts: ContextPart[] = [];
  await sendContext(context, (part) => parts.push(structuredClone(part)));
  const assembler = new ContextAssembler();
  for (const part of parts) assembler.add(part);
  return { context: assembler.context(), parts };
}

describe('sending a policy context in parts', () => {
  it('gives back the sample policy context whole', async () => {
    const store = await EmbeddedStore.open();
    try {
      const { policy } = await store.loadPolicy(await readTurtle('policies/gifts-code.ttl'));
      const context = await readPolicyContext(store, policy);
      const { context: arrived } = await roundTrip(context);
      expect(arrived).toEqual(context);
      expect([...arrived.provision.keys()]).toEqual([...context.provision.keys()]);
      expect([...arrived.terms.keys()]).toEqual([...context.terms.keys()]);
      for (const provision of arrived.provisions) expect(arrived.provision.get(provision.iri)).toBe(provision);
    } finally {
      await store.close();
    }
  });

  it('cuts large collections into slices and keeps their order', async () => {
    const store = await EmbeddedStore.open();
    try {
      const { policy } = await store.loadPolicy(await readTurtle('policies/gifts-code.ttl'));
      const sample = await readPolicyContext(store, policy);
      // Many more provisions and terms than one slice holds, each with an IRI of its own.
      const provisions = Array.from({ length: CONTEXT_SLICE * 2 + 7 }, (_, i) => ({ ...sample.provisions[i % sample.provisions.length]!, iri: `urn:test:rule-${String(i).padStart(5, '0')}` }));
      const termEntries = Array.from({ length: CONTEXT_SLICE + 3 }, (_, i) => [`urn:test:term-${i}`, [...sample.terms.values()][i % sample.terms.size]!] as const);
      const context: PolicyContext = { ...sample, provisions, provision: new Map(provisions.map((p) => [p.iri, p])), terms: new Map(termEntries) };
      const { context: arrived, parts } = await roundTrip(context);
      expect(arrived).toEqual(context);
      expect(parts.filter((p) => p.kind === 'provisions').map((p) => p.entries.length)).toEqual([CONTEXT_SLICE, CONTEXT_SLICE, 7]);
      expect(parts.filter((p) => p.kind === 'terms').length).toBe(2);
      expect(arrived.provisions.map((p) => p.iri)).toEqual(provisions.map((p) => p.iri));
    } finally {
      await store.close();
    }
  });

  it('refuses to build a context whose first part never came', () => {
    expect(() => new ContextAssembler().context()).toThrow(/without its first part/);
  });
});
