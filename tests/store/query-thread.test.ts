/**
 * The query thread's bounds: a query's deadline counts its own run, not the
 * wait for its turn behind another query; the wait has a bound of its own.
 */

import { afterEach, describe, expect, it, vi } from 'vitest';
import { QueryThread, type ThreadSource } from '../../src/store/query-thread.js';
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

describe('query thread recycling', () => {
  const graph = (name: string, size: number) => Array.from({ length: size }, (_, i) => `<urn:${name}:s${i}> <urn:p> "${i}" .`).join('\n');
  const ask = async (queries: QueryThread, name: string): Promise<boolean> => {
    const answer = await queries.run(`ASK { GRAPH <urn:${name}> { ?s ?p ?o } }`, 'ask', { deadlineMs: 60_000 });
    if (!('json' in answer)) throw new Error('expected a SPARQL JSON answer');
    return (JSON.parse(answer.json) as { boolean: boolean }).boolean;
  };

  /** Drops a graph and loads it again with `size` triples, in the worker and in the test's copy of the store. */
  const replaceGraph = (queries: QueryThread, current: Map<string, string>, name: string, size: number) => {
    queries.mirror({ op: 'drop', graph: name });
    current.set(name, graph(name, size));
    queries.mirror({ op: 'load', text: current.get(name)!, format: 'application/n-triples', graph: name });
  };

  it('replaces a worker whose dropped triples outnumber its live ones by one that read the store afresh, missing no change', async () => {
    // The store as a new worker reads it; the test keeps it in step with the changes it sends, as the embedded store does.
    const current = new Map<string, string>([['urn:base', graph('base', 500)]]);
    const sources = (): ThreadSource[] => [...current].map(([name, text]) => ({ text, format: 'application/n-triples', graph: name }));
    const queries = (thread = new QueryThread(sources, { recycleAbove: 0 }));
    const replace = (name: string, size: number) => replaceGraph(queries, current, name, size);
    expect(await ask(queries, 'base')).toBe(true);
    // 500 live triples: a first replacement of 300 drops 300 of them, not enough; a second drops 300 more.
    current.set('urn:policy', graph('policy', 300));
    queries.mirror({ op: 'load', text: current.get('urn:policy')!, format: 'application/n-triples', graph: 'urn:policy' });
    replace('urn:policy', 300);
    expect(await ask(queries, 'policy')).toBe(true);
    expect(queries.recycled).toBe(0);
    replace('urn:policy', 300);
    // A change made while the successor reads the store reaches it too.
    current.set('urn:late', graph('late', 10));
    queries.mirror({ op: 'load', text: current.get('urn:late')!, format: 'application/n-triples', graph: 'urn:late' });
    queries.mirror({ op: 'drop', graph: 'urn:base' });
    current.delete('urn:base');
    await vi.waitFor(async () => {
      await ask(queries, 'policy');
      expect(queries.recycled).toBe(1);
    }, { timeout: 20_000, interval: 100 });
    expect(await ask(queries, 'late')).toBe(true);
    expect(await ask(queries, 'base')).toBe(false);
    const count = await queries.run('SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }', 'count', { deadlineMs: 60_000 });
    expect(JSON.parse((count as { json: string }).json).results.bindings[0].n.value).toBe('310');
  });

  it('keeps the current worker when its successor fails to read the store, and asks again once as much more is dropped', async () => {
    const current = new Map<string, string>([['urn:base', graph('base', 200)]]);
    let broken = false;
    // While `broken`, a new worker is given a graph it cannot parse (as a graph file that fails to read would).
    const sources = (): ThreadSource[] => [...current].map(([name, text]) => ({ text: broken ? `${text}\n<urn:unclosed` : text, format: 'application/n-triples', graph: name }));
    const queries = (thread = new QueryThread(sources, { recycleAbove: 0 }));
    const replace = (name: string, size: number) => replaceGraph(queries, current, name, size);
    expect(await ask(queries, 'base')).toBe(true);
    broken = true;
    // 300 dropped past 200 live: the worker asks for a successor, which fails.
    current.set('urn:policy', graph('policy', 300));
    queries.mirror({ op: 'load', text: current.get('urn:policy')!, format: 'application/n-triples', graph: 'urn:policy' });
    replace('urn:policy', 300);
    await vi.waitFor(() => expect(queries.failedSuccessors).toBe(1), { timeout: 20_000, interval: 50 });
    expect(queries.recycled).toBe(0);
    // The current worker still answers, with every change.
    expect(await ask(queries, 'policy')).toBe(true);
    broken = false;
    // 300 more dropped (600 in all): not past twice the 300 at which it asked, so it does not ask yet.
    replace('urn:policy', 300);
    expect(await ask(queries, 'policy')).toBe(true);
    expect(queries.recycled).toBe(0);
    // 900 is past it: it asks again, and this successor takes over.
    replace('urn:policy', 300);
    await vi.waitFor(async () => {
      await ask(queries, 'policy');
      expect(queries.recycled).toBe(1);
    }, { timeout: 20_000, interval: 100 });
    expect(queries.failedSuccessors).toBe(1);
    const count = await queries.run('SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }', 'count', { deadlineMs: 60_000 });
    expect(JSON.parse((count as { json: string }).json).results.bindings[0].n.value).toBe('500');
  });
});
