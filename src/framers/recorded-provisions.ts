/**
 * The provisions' part of a generation context, kept in the dataset folder's
 * record so that `studio generate --changed` reads from the store only the
 * provisions a change touches. The two context queries whose rows are per
 * provision (generation-provisions, generation-relations) are most of the
 * context's cost: at 10,000 rules about a second, against a tenth for the
 * rest. A run records their rows; a selective run takes the earlier run's
 * rows of every provision it need not read again and reads the others with
 * the `-of` twins, which take the provisions as a table; the other context
 * queries are read whole, as always. The rows then are the ones a whole read
 * gives (up to order, which policyContext sorts away), so is the context.
 */

import type { GraphStore, ReadOptions, Row, Value } from '../store/graph-store.js';
import { CONTEXT_QUERIES, loadedPolicy, policyContext, type ContextQuery, type ContextRows, type PolicyContext } from './policy-context.js';

/** The context queries whose rows are per provision, each with the columns it answers, in order. */
export const PROVISION_QUERIES = {
  'generation-provisions': ['provision', 'kind', 'label', 'text', 'section', 'sectionNumber', 'sectionTitle'],
  'generation-relations': ['provision', 'relation', 'value'],
} as const satisfies Partial<Record<ContextQuery, readonly string[]>>;
export type ProvisionQuery = keyof typeof PROVISION_QUERIES;
const PROVISION_QUERY_NAMES = Object.keys(PROVISION_QUERIES) as ProvisionQuery[];

/** The rows of the provision queries, as a record keeps them: each row its columns' values in order (null for unbound). */
export type RecordedProvisionRows = Readonly<Record<ProvisionQuery, readonly (readonly Value[])[]>>;

/** A context read whole or in part, with the rows of its provision queries for the record. */
export interface ContextRead {
  readonly context: PolicyContext;
  readonly provisionRows: RecordedProvisionRows;
  /** How many provisions were read from the store, when the others came from an earlier run's rows. */
  readonly provisionsRead?: number;
}

/** The rows an earlier run recorded of the version before, and the provisions whose rows may differ between the two (changed, added, removed, or whose section changed). */
export interface EarlierProvisionRows {
  readonly rows: RecordedProvisionRows;
  readonly reread: ReadonlySet<string>;
}

/** The context queries asked whole in every run: all but the provision queries, which a run with an earlier record asks about a few provisions. */
const WHOLE_QUERIES = CONTEXT_QUERIES.filter((query) => !(query in PROVISION_QUERIES));

/**
 * A policy's context being read: the queries every run asks whole are begun
 * at once (a selective run begins them aside, ReadOptions.aside, while it is
 * planned, so that the embedded store's worker reads the policy on the other
 * core meanwhile), the provision queries once it is known which provisions to
 * read again.
 */
export class ContextReads {
  private readonly whole: Promise<readonly (readonly Row[])[]>;
  /** The provision queries begun about some provisions (beginProvisions), before read() is asked. */
  private provisions: { readonly listed: ReadonlySet<string>; readonly answers: Promise<readonly (readonly Row[])[]> } | undefined;

  private constructor(
    private readonly store: GraphStore,
    private readonly policyIri: string,
    private readonly options: ReadOptions,
  ) {
    this.whole = Promise.all(WHOLE_QUERIES.map((query) => store.namedQuery(query, { policy: policyIri }, options)));
    // Awaited by read(); a failure meanwhile (the run stopped before it reads) is not left unhandled.
    this.whole.catch(() => undefined);
  }

  /** Begins the queries every run asks whole (`options` as for any read). */
  static begin(store: GraphStore, policyIri: string, options: ReadOptions = {}): ContextReads {
    return new ContextReads(store, policyIri, options);
  }

  /**
   * Begins the provision queries about these provisions, as soon as it is
   * known which to read again (selective.ts, before the earlier datasets are
   * read): read() takes their answers when given the same set.
   */
  beginProvisions(provisions: ReadonlySet<string>): void {
    const answers = this.provisionAnswers(provisions);
    answers.catch(() => undefined);
    this.provisions = { listed: provisions, answers };
  }

  /**
   * The context. With `earlier`, the provision queries are asked about
   * `earlier.reread` only, and every other provision's rows are the earlier
   * run's.
   */
  async read(earlier?: EarlierProvisionRows): Promise<ContextRead> {
    const policy = await loadedPolicy(this.store, this.policyIri);
    const begun = earlier && this.provisions?.listed === earlier.reread ? this.provisions.answers : undefined;
    const [provisionAnswers, wholeAnswers] = await Promise.all([begun ?? this.provisionAnswers(earlier?.reread), this.whole]);
    const rows = {} as Record<ContextQuery, readonly Row[]>;
    WHOLE_QUERIES.forEach((query, i) => (rows[query] = wholeAnswers[i]!));
    PROVISION_QUERY_NAMES.forEach((query, i) => {
      const read = provisionAnswers[i]!;
      const kept = earlier ? earlier.rows[query].filter((values) => !earlier.reread.has(String(values[0]))).map((values) => rowOf(query, values)) : [];
      rows[query] = [...kept, ...read];
    });
    const provisionRows = Object.fromEntries(PROVISION_QUERY_NAMES.map((query) => [query, rows[query].map((row) => PROVISION_QUERIES[query].map((column) => row[column] ?? null))])) as unknown as RecordedProvisionRows;
    return { context: policyContext(policy, rows as ContextRows), provisionRows, ...(earlier ? { provisionsRead: earlier.reread.size } : {}) };
  }

  /** The provision queries' answers: about the provisions listed (their `-of` twins), or about every provision. */
  private provisionAnswers(listed: ReadonlySet<string> | undefined): Promise<readonly (readonly Row[])[]> {
    const params = { policy: this.policyIri };
    const provisions = listed ? [...listed].sort().map((provision) => ({ provision })) : [];
    return Promise.all(PROVISION_QUERY_NAMES.map((query) => (listed ? this.store.namedQuery(`${query}-of`, { ...params, provisions }, this.options) : this.store.namedQuery(query, params, this.options))));
  }
}

function rowOf(query: ProvisionQuery, values: readonly Value[]): Row {
  return Object.fromEntries(PROVISION_QUERIES[query].map((column, i) => [column, values[i] ?? null]));
}

/** The recorded rows, if `value` reads as them: every row a list of as many scalars as its query has columns, the first an IRI. */
export function readRecordedProvisionRows(value: unknown): RecordedProvisionRows | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  for (const query of PROVISION_QUERY_NAMES) {
    const rows = record[query];
    const width = PROVISION_QUERIES[query].length;
    if (!Array.isArray(rows)) return undefined;
    for (const row of rows) {
      if (!Array.isArray(row) || row.length !== width || typeof row[0] !== 'string') return undefined;
      if (!row.every((cell) => cell === null || ['string', 'number', 'boolean'].includes(typeof cell))) return undefined;
    }
  }
  return record as unknown as RecordedProvisionRows;
}
