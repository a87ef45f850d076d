/**
 * The query thread's bounds: a query's deadline counts its own run, not the
 * wait for its turn behind another query; the wait has a bound of its own.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { QueryThread } from '../../src/store/query-thread.js';
import { QueryBusyError, QueryTimeoutError } from '../../src/errors.js';
import { SLOW_QUERY } from '../api/harness.js';

/** 2,000 triples: the three-way product of SLOW_QUERY over them runs far past any deadline here. */
const NTRIPLES = Array.from({ length: 2000 }, (_, i) => `<urn:s${i}> <urn:p> "${i}" .`).join('\n');
const ASK = 'ASK { ?s <urn:p> "7" }';

let thread: QueryThread | undefined;
afterEach(() => {
  thread?.close();
  thread = undefined;
});

function start(): QueryThread {
  thread = new QueryThread(() => [{ text: NTRIPLES, format: 'application/n-triples', graph: 'urn:graph' }]);
  return thread;
}

describe('query thread bounds', () => {
  it('does not fail a query queued behind a long one for the time the other ran', async () => {
    const queries = start();
    const slow = queries.run(SLOW_QUERY, 'slow', { deadlineMs: 1000, queueMs: 60_000 });
    // Its deadline is a fifth of the slow query's: counted from when it was queued, it would run out while the slow one runs.
    const quick = queries.run(ASK, 'quick', { deadlineMs: 200, queueMs: 60_000 });
    await expect(slow).rejects.toBeInstanceOf(QueryTimeoutError);
    await expect(quick).resolves.toMatchObject({ json: expect.stringContaining('true') });
  });

  it('refuses a query that waits past its queue bound as busy, and runs the next', async () => {
    const queries = start();
    const slow = queries.run(SLOW_QUERY, 'slow', { deadlineMs: 3000 });
    const waiting = queries.run(ASK, 'waiting', { deadlineMs: 60_000, queueMs: 300 });
    await expect(waiting).rejects.toBeInstanceOf(QueryBusyError);
    await expect(waiting).rejects.toThrow(/waited 0.3 s for its turn/);
    await expect(slow).rejects.toBeInstanceOf(QueryTimeoutError);
    await expect(queries.run(ASK, 'after', { deadlineMs: 60_000, queueMs: 300 })).resolves.toMatchObject({ json: expect.stringContaining('true') });
  });
});
