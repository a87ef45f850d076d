import { describe } from 'vitest';
import { Neo4jStore } from '../../src/store/neo4j-store.js';
import { describeGraphStore } from './store-spec.js';
import { describeFramers } from './framers-spec.js';
import { NEO4J, neo4jAvailable, wipeNeo4j } from '../helpers/neo4j.js';

const available = await neo4jAvailable();

describe.runIf(available)('Neo4j store', () => {
  describeGraphStore('neo4j', {
    open: async () => {
      await wipeNeo4j();
      return Neo4jStore.open(NEO4J);
    },
    writeQuery: 'MATCH (n) DETACH DELETE n',
    prohibitionsQuery: 'MATCH (r:Prohibition) RETURN r.uri AS rule',
    derivedQuery: "MATCH (n:Resource) WHERE n.says IS NOT NULL UNWIND CASE WHEN valueType(n.says) STARTS WITH 'LIST' THEN n.says ELSE [n.says] END AS says RETURN says",
    derivedTypedQuery:
      "MATCH (n:Resource) WHERE 'https://w3id.org/alignment-studio/ns#Note' IN n.rdfTypes UNWIND CASE WHEN valueType(n.says) STARTS WITH 'LIST' THEN n.says ELSE [n.says] END AS says RETURN says",
  });
  describeFramers('neo4j', async () => (await wipeNeo4j(), Neo4jStore.open(NEO4J)));
});
