/**
 * What a user meets when Neo4j is not there, refuses them, or goes away in
 * the middle of an import: a clear error, and nothing half-imported.
 */

import net from 'node:net';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Neo4jStore } from '../../src/store/neo4j-store.js';
import { StoreConnectionError } from '../../src/errors.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { NEO4J, neo4jAvailable, wipeNeo4j } from '../helpers/neo4j.js';
import { canonical, triplesOf } from '../helpers/rdf.js';
import { MINI, sourceOf } from './store-spec.js';

const available = await neo4jAvailable();

/** A TCP proxy to Neo4j that cuts every connection once `limit` bytes went from client to server, and refuses new ones after. */
async function cuttingProxy(limit: number): Promise<{ uri: string; cut: Promise<void>; close(): void }> {
  const target = new URL(NEO4J.uri);
  const sockets = new Set<net.Socket>();
  let sent = 0;
  let markCut: () => void = () => undefined;
  const cut = new Promise<void>((resolve) => (markCut = resolve));
  let broken = false;
  const server = net.createServer((client) => {
    if (broken) return client.destroy();
    const upstream = net.connect({ host: target.hostname, port: Number(target.port || 7687) });
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      sent += chunk.length;
      if (sent > limit && !broken) {
        broken = true;
        for (const socket of sockets) socket.destroy();
        markCut();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    for (const socket of [client, upstream]) socket.on('error', () => undefined).on('close', () => {
      client.destroy();
      upstream.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { uri: `bolt://127.0.0.1:${port}`, cut, close: () => server.close() };
}

describe('Neo4j faults', () => {
  it('says to start Neo4j or set NEO4J_URI when nothing listens', async () => {
    const error = await Neo4jStore.open({ ...NEO4J, uri: 'bolt://127.0.0.1:1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreConnectionError);
    expect((error as Error).message).toMatch(/Cannot reach Neo4j at bolt:\/\/127\.0\.0\.1:1.*scripts\/neo4j\/start\.sh.*NEO4J_URI/s);
  });

  it.runIf(available)('says to check the credentials on a wrong password', async () => {
    const error = await Neo4jStore.open({ ...NEO4J, password: 'not-the-password' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreConnectionError);
    expect((error as Error).message).toMatch(/refused user 'neo4j'.*NEO4J_PASSWORD/);
  });

  it.runIf(available)('leaves the previous version intact when the connection drops in the middle of a reload', async () => {
    await wipeNeo4j();
    const direct = await Neo4jStore.open(NEO4J);
    await direct.loadPolicy(await readTurtle(MINI));
    const before = await canonical(await direct.exportQuads());

    // A new version of the same policy, large enough to need many batches.
    let text = await readFile(MINI, 'utf8');
    for (let i = 0; i < 3000; i++) text += `mini:extra-${i} a studio:Asset ; rdfs:label "extra asset ${i}" ; studio:broader mini:secret .\n`;
    const proxy = await cuttingProxy(150_000);
    const viaProxy = await Neo4jStore.open({ ...NEO4J, uri: proxy.uri });
    const loading = viaProxy.loadPolicy(sourceOf(MINI, text));
    await proxy.cut;
    proxy.close();
    const error = await loading.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreConnectionError);
    expect((error as Error).message).toContain('nothing of this change was stored');
    await viaProxy.close().catch(() => undefined);

    expect(await canonical(await direct.exportQuads())).toBe(before);
    expect(before).toBe(await canonical(await triplesOf(MINI)));
    const leftovers = await direct.query("MATCH (n:Resource) WHERE n.uri STARTS WITH 'https://example.org/mini#extra-' RETURN count(n) AS n");
    expect(leftovers.kind === 'rows' && leftovers.rows[0]?.n).toBe(0);
    await direct.close();
  });
});
