import { writeSyntheticPolicy } from './synthetic-policy.js';
import { EmbeddedStore } from '../../src/store/oxigraph-store.js';
import { readTurtle } from '../../src/rdf/turtle.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
const n = Number(process.argv[2] ?? 10000);
const dir = await mkdtemp(path.join(tmpdir(), 'rq-'));
const file = path.join(dir, 'p.ttl');
await writeSyntheticPolicy(n, file);
const store = await EmbeddedStore.open({ dataDir: path.join(dir, 'data') });
await store.loadPolicy(await readTurtle(file));
const P = `PREFIX studio: <https://w3id.org/alignment-studio/ns#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n`;
const V = `VALUES (?byKind ?bySection ?byBearer ?byPolicy ?after) { ("" "" "" "" "") }`;
const variants: Record<string, string> = {
  original: `${P}SELECT ?rule ?kind ?label ?policy ?section ?bearer WHERE { ${V}
  VALUES ?kindClass { studio:Obligation studio:Prohibition studio:Permission studio:Recommendation }
  ?rule a ?kindClass . FILTER(STR(?rule) > ?after) BIND(STRAFTER(STR(?kindClass), "#") AS ?kind) FILTER(?byKind = "" || ?kind = ?byKind)
  ?rule studio:inPolicy ?policy ; studio:section ?section ; studio:bearer ?bearer .
  FILTER(?byPolicy = "" || STR(?policy) = ?byPolicy) FILTER(?byBearer = "" || STR(?bearer) = ?byBearer)
  FILTER(?bySection = "" || EXISTS { ?section studio:partOf* ?within . FILTER(STR(?within) = ?bySection) })
  OPTIONAL { ?rule rdfs:label ?label } } ORDER BY ?rule LIMIT 501`,
  noExists: `${P}SELECT ?rule ?kind ?label ?policy ?section ?bearer WHERE { ${V}
  VALUES ?kindClass { studio:Obligation studio:Prohibition studio:Permission studio:Recommendation }
  ?rule a ?kindClass . FILTER(STR(?rule) > ?after) BIND(STRAFTER(STR(?kindClass), "#") AS ?kind) FILTER(?byKind = "" || ?kind = ?byKind)
  ?rule studio:inPolicy ?policy ; studio:section ?section ; studio:bearer ?bearer .
  FILTER(?byPolicy = "" || STR(?policy) = ?byPolicy) FILTER(?byBearer = "" || STR(?bearer) = ?byBearer)
  OPTIONAL { ?rule rdfs:label ?label } } ORDER BY ?rule LIMIT 501`,
  bare: `${P}SELECT ?rule WHERE { VALUES ?kindClass { studio:Obligation studio:Prohibition studio:Permission studio:Recommendation } ?rule a ?kindClass . } ORDER BY ?rule LIMIT 501`,
  bareNoOrder: `${P}SELECT ?rule WHERE { VALUES ?kindClass { studio:Obligation studio:Prohibition studio:Permission studio:Recommendation } ?rule a ?kindClass . }`,
  subquery: `${P}SELECT ?rule ?kind ?label ?policy ?section ?bearer WHERE { { SELECT ?rule ?kind ?policy ?section ?bearer WHERE { ${V}
  VALUES ?kindClass { studio:Obligation studio:Prohibition studio:Permission studio:Recommendation }
  ?rule a ?kindClass . FILTER(STR(?rule) > ?after) BIND(STRAFTER(STR(?kindClass), "#") AS ?kind) FILTER(?byKind = "" || ?kind = ?byKind)
  ?rule studio:inPolicy ?policy ; studio:section ?section ; studio:bearer ?bearer .
  FILTER(?byPolicy = "" || STR(?policy) = ?byPolicy) FILTER(?byBearer = "" || STR(?bearer) = ?byBearer)
  FILTER(?bySection = "" || EXISTS { ?section studio:partOf* ?within . FILTER(STR(?within) = ?bySection) }) } ORDER BY ?rule LIMIT 501 }
  OPTIONAL { ?rule rdfs:label ?label } } ORDER BY ?rule`,
};
for (const [name, text] of Object.entries(variants)) {
  const times: string[] = [];
  let rows = 0;
  for (let i = 0; i < 4; i++) {
    const t = performance.now();
    const a = await store.query(text);
    rows = a.kind === 'rows' ? a.rows.length : -1;
    times.push((performance.now() - t).toFixed(0));
  }
  console.log(name.padEnd(12), rows, times.join(' '), 'ms');
}
await store.close();
