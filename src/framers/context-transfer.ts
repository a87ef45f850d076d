/**
 * A policy's context sent to a generation worker in parts. postMessage
 * copies its message in the sending thread in one go: the whole context of
 * a 10k-rule policy held the server's thread for about 0.3 s, during which
 * no request was answered. In parts of a few hundred entries, with the
 * sender yielding between them, each copy is a few milliseconds.
 *
 * The parts are the context's large collections (the provisions, the maps
 * of terms, conditions, sections and narrower terms, the conflicts), cut
 * into slices; the small fields travel in the first part. The receiver puts
 * them back together in order; `provision` is rebuilt from the provisions
 * (it holds the same objects, which is what one structured clone kept too).
 */

import { setImmediate as yieldTurn } from 'node:timers/promises';
import type { Condition, DetectedConflict, PolicyContext, Provision, Section, Term } from './policy-context.js';

/** Entries per part. */
export const CONTEXT_SLICE = 500;

type MapFields = 'terms' | 'conditions' | 'sections' | 'narrower';
type Small = Omit<PolicyContext, 'provisions' | 'provision' | 'conflicts' | MapFields>;

/** One part of a context in transit. */
export type ContextPart =
  | { readonly kind: 'small'; readonly small: Small }
  | { readonly kind: 'provisions'; readonly entries: readonly Provision[] }
  | { readonly kind: 'conflicts'; readonly entries: readonly DetectedConflict[] }
  | { readonly kind: MapFields; readonly entries: readonly (readonly [string, unknown])[] };

/** Sends a context as parts through `send`, yielding to the event loop between two parts. */
export async function sendContext(context: PolicyContext, send: (part: ContextPart) => void): Promise<void> {
  const { provisions, provision: _byIri, conflicts, terms, conditions, sections, narrower, ...small } = context;
  send({ kind: 'small', small });
  const sliced = async (entries: readonly unknown[], part: (slice: readonly unknown[]) => ContextPart) => {
    for (let start = 0; start < entries.length; start += CONTEXT_SLICE) {
      await yieldTurn();
      send(part(entries.slice(start, start + CONTEXT_SLICE)));
    }
  };
  await sliced(provisions, (entries) => ({ kind: 'provisions', entries: entries as Provision[] }));
  await sliced(conflicts, (entries) => ({ kind: 'conflicts', entries: entries as DetectedConflict[] }));
  const maps: [MapFields, ReadonlyMap<string, unknown>][] = [['terms', terms], ['conditions', conditions], ['sections', sections], ['narrower', narrower]];
  for (const [kind, map] of maps) await sliced([...map], (entries) => ({ kind, entries: entries as [string, unknown][] }));
}

/** Puts a context back together from its parts, in the order they were sent. */
export class ContextAssembler {
  private small: Small | undefined;
  private readonly provisions: Provision[] = [];
  private readonly conflicts: DetectedConflict[] = [];
  private readonly maps = { terms: new Map<string, Term>(), conditions: new Map<string, Condition>(), sections: new Map<string, Section>(), narrower: new Map<string, readonly string[]>() };

  add(part: ContextPart): void {
    if (part.kind === 'small') this.small = part.small;
    else if (part.kind === 'provisions') this.provisions.push(...part.entries);
    else if (part.kind === 'conflicts') this.conflicts.push(...part.entries);
    else {
      const map = this.maps[part.kind] as Map<string, unknown>;
      for (const [key, value] of part.entries) map.set(key, value);
    }
  }

  context(): PolicyContext {
    if (!this.small) throw new Error('a policy context arrived without its first part');
    const provision = new Map(this.provisions.map((p) => [p.iri, p]));
    return { ...this.small, provisions: this.provisions, provision, conflicts: this.conflicts, ...this.maps };
  }
}
