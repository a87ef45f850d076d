/** The CLI on the Neo4j store (--store neo4j); beside tests/cli/cli.test.ts so that those need no Neo4j and run beside other files. */

import oxigraph from 'oxigraph';
import type { Quad } from '@rdfjs/types';
import { describe, expect, it } from 'vitest';
import { studio } from '../helpers/cli.js';
import { canonical, triplesOf } from '../helpers/rdf.js';
import { MINI } from '../store/store-spec.js';
import { neo4jAvailable, wipeNeo4j } from '../helpers/neo4j.js';

const neo4jUp = await neo4jAvailable();
const M = 'https://example.org/mini#';

describe('studio CLI', () => {
  it.runIf(neo4jUp)('loads, counts and queries on Neo4j with --store neo4j', async () => {
    await wipeNeo4j();
    expect(studio(['load', MINI, '--store', 'neo4j']).code).toBe(0);
    const stats = JSON.parse(studio(['stats', '--json', '--store', 'neo4j']).stdout);
    expect(stats.policies).toMatchObject([{ policy: `${M}policy`, rules: 5 }]);
    const cypher = studio(['query', '--json', '--store', 'neo4j', '--cypher', 'MATCH (r:Obligation) RETURN r.uri AS rule ORDER BY rule']);
    expect(JSON.parse(cypher.stdout)).toEqual([{ rule: `${M}conf-002` }, { rule: `${M}gifts-002` }]);
    const write = studio(['query', '--store', 'neo4j', '--cypher', 'MATCH (n) DETACH DELETE n']);
    expect(write.code).toBe(2);
    expect(write.stderr).toContain('Refused');
    const sparql = studio(['query', '--store', 'neo4j', '--sparql', 'SELECT * WHERE { ?s ?p ?o }']);
    expect(sparql.code).toBe(2);
    expect(sparql.stderr).toContain('--sparql runs on the embedded store');
    const exported = studio(['export', '--format', 'nt', '--store', 'neo4j']);
    const quads = oxigraph.parse(exported.stdout, { format: 'application/n-triples' }) as unknown as Quad[];
    expect(await canonical(quads)).toBe(await canonical(await triplesOf(MINI)));
  });
});
