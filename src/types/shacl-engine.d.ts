// shacl-engine ships no types; these cover what the studio uses.
declare module 'shacl-engine' {
  import type { DatasetCore, Term } from '@rdfjs/types';
  export class Validator {
    constructor(shapes: DatasetCore, options: { factory: unknown; validations?: unknown; targetResolvers?: unknown });
    validate(data: { dataset: DatasetCore; terms?: Iterable<Term> }, shapes?: { terms: Term[] }[]): Promise<{ conforms: boolean; results: unknown[] }>;
  }
}
declare module 'shacl-engine/lib/parsePath.js' {
  /** A shape's sh:path (or a result's path term) as shacl-engine's steps; null without one. */
  export default function parsePath(pointer: unknown): { start: 'subject' | 'object'; end: 'subject' | 'object'; predicates: import('@rdfjs/types').Term[]; quantifier: string }[] | null;
}
declare module 'shacl-engine/lib/resolveClasses.js' {
  /** The classes named by a pointer's terms and all their subclasses (rdfs:subClassOf*) in the pointer's dataset. */
  export default function resolveClasses(pointer: unknown): Iterable<import('@rdfjs/types').Term>;
}
