/**
 * A policy's context sent to a generation worker as its queries' answers,
 * which the worker turns into rows and then into the context itself. Built
 * in the server's thread, the context of a 10k-rule policy held that thread
 * for stretches of 160–215 ms (the rows of eight answers, half of it garbage
 * collection) before it was even sent. The embedded store's query threads
 * answer with SPARQL JSON text (PortableRows): the server hands that text on
 * unread, a piece at a time, and no row is built in its thread. A store
 * whose answers are rows (Neo4j) hands them on in parts of ROWS_PER_PART,
 * the server yielding between two parts, since postMessage copies a message
 * in the sending thread in one go.
 */

import { setImmediate as yieldTurn } from 'node:timers/promises';
import type { GraphStore, LoadedPolicy, Row } from '../store/graph-store.js';
import { readPortableRows, type PortableRows } from '../store/portable-rows.js';
import { CONTEXT_QUERIES, policyContext, type ContextQuery, type PolicyContext } from './policy-context.js';

/** Rows per part, for answers that are rows already. */
export const ROWS_PER_PART = 500;

/** A policy's context queries, answered and not yet read. */
export interface ContextAnswers {
  readonly policy: LoadedPolicy;
  readonly answers: ReadonlyMap<ContextQuery, PortableRows>;
}

/** One part of the answers in transit. */
export type ContextPart =
  | { readonly kind: 'policy'; readonly policy: LoadedPolicy }
  | { readonly kind: 'rows'; readonly query: ContextQuery; readonly rows: readonly Row[] }
  /** SPARQL JSON, then its pieces of bindings if it was cut (PortableRows). */
  | { readonly kind: 'sparql-json'; readonly query: ContextQuery; readonly text: string }
  | { readonly kind: 'piece'; readonly query: ContextQuery; readonly text: string };

/** Asks the context queries of a loaded policy, for another thread to read their answers. */
export async function askContext(store: GraphStore, policy: LoadedPolicy): Promise<ContextAnswers> {
  const params = { policy: policy.policy };
  const answers = await Promise.all(CONTEXT_QUERIES.map((query) => store.namedQueryPortable(query, params)));
  return { policy, answers: new Map(CONTEXT_QUERIES.map((query, i) => [query, answers[i]!])) };
}

/** Sends the answers as parts through `send`, yielding to the event loop before each part but the first. */
export async function sendContext({ policy, answers }: ContextAnswers, send: (part: ContextPart) => void): Promise<void> {
  send({ kind: 'policy', policy });
  for (const [query, answer] of answers) {
    if ('rows' in answer) {
      // An empty answer too sends one part: the receiver then knows it came.
      for (let start = 0; start === 0 || start < answer.rows.length; start += ROWS_PER_PART) {
        await yieldTurn();
        send({ kind: 'rows', query, rows: answer.rows.slice(start, start + ROWS_PER_PART) });
      }
      continue;
    }
    await yieldTurn();
    send({ kind: 'sparql-json', query, text: answer.sparqlJson });
    for (const text of answer.pieces ?? []) {
      await yieldTurn();
      send({ kind: 'piece', query, text });
    }
  }
}

/** Puts the answers back together from their parts, in the order they were sent, and reads the context from them. */
export class ContextAssembler {
  private policy: LoadedPolicy | undefined;
  private readonly answers = new Map<ContextQuery, { rows: Row[] } | { sparqlJson: string; pieces: string[] }>();

  add(part: ContextPart): void {
    if (part.kind === 'policy') {
      this.policy = part.policy;
      return;
    }
    const known = this.answers.get(part.query);
    if (part.kind === 'rows') {
      if (known && !('rows' in known)) throw new Error(`the answer of ${part.query} came as both rows and SPARQL JSON`);
      if (known) known.rows.push(...part.rows);
      else this.answers.set(part.query, { rows: [...part.rows] });
    } else if (part.kind === 'sparql-json') {
      if (known) throw new Error(`the answer of ${part.query} came twice`);
      this.answers.set(part.query, { sparqlJson: part.text, pieces: [] });
    } else {
      if (!known || !('pieces' in known)) throw new Error(`a piece of the answer of ${part.query} came before its head`);
      known.pieces.push(part.text);
    }
  }

  /**
   * The context, its rows read here (and so in the worker's thread); throws
   * when a part is missing. It is read once: the parts are let go then, so
   * that a run does not keep the answers' text beside its context.
   */
  context(): PolicyContext {
    if (!this.policy) throw new Error('a policy context arrived without its first part');
    const rows = {} as Record<ContextQuery, readonly Row[]>;
    for (const query of CONTEXT_QUERIES) {
      const answer = this.answers.get(query);
      if (!answer) throw new Error(`a policy context arrived without the answer of ${query}`);
      rows[query] = readPortableRows(query, answer);
      this.answers.delete(query);
    }
    const policy = this.policy;
    this.policy = undefined;
    return policyContext(policy, rows);
  }
}
