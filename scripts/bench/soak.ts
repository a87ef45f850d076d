/**
 * Soak: `studio serve` (its own process, 127.0.0.1 only, a scratch data
 * folder) under a steady mix of reads, policy replacements (PUT with
 * If-Match), conflict runs and generation jobs for a bounded time. One
 * operation starts every `interval` ms whether or not the earlier ones have
 * answered (at most 16 at once). Reports every unexpected status or failed
 * job, the latency of each kind of operation, the server's RSS over time,
 * and whether the store is consistent afterwards and after a restart:
 * - the policies listed are the ones uploaded, each with the SHA-256 of its
 *   last accepted version, and the rules each states;
 * - the store holds one graph per policy (none left behind by a replaced
 *   version), with the triples the policy record says;
 * - after SIGTERM and a new start on the same folder, the same policies,
 *   graphs, triple counts and answers.
 *
 *   npx tsx scripts/bench/soak.ts [minutes] [interval-ms]     (default 30 1000)
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashToken } from '../../src/api/auth.js';
import { VOCABULARY_GRAPH } from '../../src/vocabulary.js';
import { writeSyntheticPolicy } from './synthetic-policy.js';
import { wasmMemories } from './wasm-memories.js';

const minutes = Number(process.argv[2] ?? 30);
const interval = Number(process.argv[3] ?? 1000);
const MAX_IN_FLIGHT = 16;
const SOAK_POLICIES = 3;
const SOAK_RULES = 300;

const token = 'soak-engineer-token';
const headers = { authorization: `Bearer ${token}` };
const dataDir = await mkdtemp(path.join(tmpdir(), 'studio-soak-'));

/** Starts `studio serve` on the data folder; resolves with its address once it listens. */
async function startServer(): Promise<{ process: ChildProcess; address: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    // The server's own deadlines: the checks' ad-hoc query over the whole store must meet the default 10 s after a restart too.
    env: { ...process.env, STUDIO_API_TOKENS: JSON.stringify({ tokens: [{ name: 'soak', sha256: hashToken(token), roles: ['engineer'] }] }) },
  });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += String(chunk);
      const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`studio serve exited with ${code}`)));
  });
  return { process: child, address };
}

async function stopServer(child: ChildProcess): Promise<number> {
  const started = performance.now();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return performance.now() - started;
}

/** The server's resident set in MB (Linux: /proc/<pid>/status). */
function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

/** The server's RSS, its WebAssembly memories' total, and each memory of at least 1 MB (largest first: the two query threads', then the upload worker's), in MB. */
function sample(pid: number): { at: number; mb: number; wasm: number; each: number[] } {
  const memories = wasmMemories(pid);
  return { at: Date.now(), mb: rssMb(pid), wasm: Math.round(memories.reduce((sum, m) => sum + m, 0)), each: memories.filter((m) => m >= 1).map(Math.round) };
}

// The soak policies: the synthetic policy under a namespace of its own each, in versions that differ in one literal.
const base = `bench-out/synthetic-${SOAK_RULES}.ttl`;
await writeSyntheticPolicy(SOAK_RULES, base);
const baseText = await readFile(base, 'utf8');
const soakIri = (k: number) => `https://example.org/soak-${k}#policy`;
const soakText = (k: number, version: number) =>
  baseText.replaceAll('https://example.org/synthetic#', `https://example.org/soak-${k}#`).replace('studio:version "1"', `studio:version "${version}"`);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let server = await startServer();
let address = server.address;
// However this script ends, the server it started ends with it.
process.on('exit', () => server.process.kill('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
const api = (url: string, init: RequestInit = {}) => fetch(`${address}${url}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });

// Setup: the sample policies and the soak policies, uploaded as new ones.
const expected = new Map<string, { sha256: string; rules?: number }>();
for (const file of ['policies/business-conduct.ttl', 'policies/retail-bank-assistant.ttl']) {
  const text = await readFile(file, 'utf8');
  const response = await api(`/v1/policies?filename=${path.basename(file)}`, { method: 'POST', headers: { 'content-type': 'text/turtle' }, body: text });
  if (response.status !== 201) throw new Error(`setup: POST ${file}: ${response.status} ${await response.text()}`);
  expected.set(((await response.json()) as { policy: string }).policy, { sha256: sha256(text) });
}
const versions = new Map<number, number>();
for (let k = 0; k < SOAK_POLICIES; k++) {
  const text = soakText(k, 1);
  const response = await api(`/v1/policies?filename=soak-${k}.ttl`, { method: 'POST', headers: { 'content-type': 'text/turtle' }, body: text });
  if (response.status !== 201) throw new Error(`setup: POST soak-${k}: ${response.status} ${await response.text()}`);
  expected.set(soakIri(k), { sha256: sha256(text), rules: SOAK_RULES });
  versions.set(k, 1);
}

// The operations, by kind: each returns true when the answer was the one expected.
interface Outcome {
  readonly ok: boolean;
  readonly detail?: string;
}
const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]!;
const anyPolicy = () => pick([...expected.keys()]);
const expect = async (response: Response, status: number): Promise<Outcome> => {
  const body = await response.text();
  return response.status === status ? { ok: true } : { ok: false, detail: `${response.status} ${body.slice(0, 300)}` };
};
const replacing = new Set<number>();
const jobs = new Map<string, string>();
const OPERATIONS: Record<string, () => Promise<Outcome>> = {
  'GET /health': async () => expect(await fetch(`${address}/health`), 200),
  'GET /v1/policies': async () => expect(await api('/v1/policies'), 200),
  'GET /v1/policies/{p}': async () => expect(await api(`/v1/policies/${encodeURIComponent(anyPolicy())}`), 200),
  'GET /v1/rules': async () => expect(await api(`/v1/rules?policy=${encodeURIComponent(anyPolicy())}&limit=20`), 200),
  'GET /v1/policies/{p}/conflicts': async () => expect(await api(`/v1/policies/${encodeURIComponent(anyPolicy())}/conflicts?limit=10`), 200),
  'POST /v1/query/sparql': async () =>
    expect(
      await api('/v1/query/sparql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'SELECT ?kind (COUNT(?r) AS ?n) WHERE { ?r a ?kind } GROUP BY ?kind ORDER BY DESC(?n) LIMIT 20' }),
      }),
      200,
    ),
  'PUT /v1/policies/{p}': async () => {
    // One replacement of a policy at a time: a second one with the same If-Match would rightly get 412.
    // Nor while a generation job reads it: the job would rightly refuse to write for a policy replaced under it.
    const free = [...Array(SOAK_POLICIES).keys()].filter((k) => !replacing.has(k) && ![...jobs.values()].includes(soakIri(k)));
    if (free.length === 0) return { ok: true };
    const k = pick(free);
    replacing.add(k);
    try {
      const version = versions.get(k)! + 1;
      const text = soakText(k, version);
      const response = await api(`/v1/policies/${encodeURIComponent(soakIri(k))}?filename=soak-${k}.ttl`, {
        method: 'PUT',
        headers: { 'content-type': 'text/turtle', 'if-match': `"${expected.get(soakIri(k))!.sha256}"` },
        body: text,
      });
      const outcome = await expect(response, 200);
      if (outcome.ok) {
        versions.set(k, version);
        expected.set(soakIri(k), { sha256: sha256(text), rules: SOAK_RULES });
      }
      return outcome;
    } finally {
      replacing.delete(k);
    }
  },
  'POST /v1/policies/{p}/conflicts': async () => expect(await api(`/v1/policies/${encodeURIComponent(anyPolicy())}/conflicts`, { method: 'POST' }), 200),
  'POST /v1/jobs (generation)': async () => {
    // One generation job per policy at a time; the job's end is checked on later ticks.
    const idle = [...expected.keys()].filter((p) => ![...jobs.values()].includes(p) && ![...replacing].some((k) => soakIri(k) === p));
    if (idle.length === 0) return { ok: true };
    const policy = pick(idle);
    jobs.set(`starting ${policy}`, policy);
    const response = await api('/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'generation', policy }) }).finally(() => jobs.delete(`starting ${policy}`));
    if (response.status !== 202) return { ok: false, detail: `${response.status} ${(await response.text()).slice(0, 300)}` };
    jobs.set(((await response.json()) as { id: string }).id, policy);
    return { ok: true };
  },
};
// The mix, one entry per tick, repeated: mostly reads, a replacement, a conflict run and a job in every 20.
const MIX = [
  'GET /health', 'GET /v1/policies', 'GET /v1/rules', 'GET /v1/policies/{p}', 'POST /v1/query/sparql',
  'PUT /v1/policies/{p}', 'GET /v1/rules', 'GET /v1/policies/{p}/conflicts', 'GET /health', 'GET /v1/policies',
  'POST /v1/policies/{p}/conflicts', 'GET /v1/rules', 'POST /v1/query/sparql', 'GET /v1/policies/{p}', 'GET /health',
  'POST /v1/jobs (generation)', 'GET /v1/rules', 'GET /v1/policies', 'PUT /v1/policies/{p}', 'GET /v1/policies/{p}/conflicts',
];

const latencies = new Map<string, number[]>();
const errors: { at: number; kind: string; detail: string }[] = [];
const jobEnds = new Map<string, number>();
const rss: { at: number; mb: number; wasm: number; each: number[] }[] = [];
let inFlight = 0;
let skipped = 0;

/** Looks at the running jobs; a job that ended otherwise than succeeded is an error. */
async function followJobs(): Promise<void> {
  for (const [id, policy] of [...jobs]) {
    if (id.startsWith('starting ')) continue;
    const response = await api(`/v1/jobs/${id}`);
    if (response.status !== 200) {
      errors.push({ at: Date.now(), kind: 'GET /v1/jobs/{id}', detail: `${response.status}` });
      jobs.delete(id);
      continue;
    }
    const job = (await response.json()) as { state: string; problem?: { detail?: string } };
    if (['succeeded', 'failed', 'cancelled'].includes(job.state)) {
      jobs.delete(id);
      jobEnds.set(job.state, (jobEnds.get(job.state) ?? 0) + 1);
      if (job.state !== 'succeeded') errors.push({ at: Date.now(), kind: 'generation job', detail: `${policy}: ${job.state} ${job.problem?.detail ?? ''}` });
    }
  }
}

const started = Date.now();
const end = started + minutes * 60_000;
let tick = 0;
const pending = new Set<Promise<void>>();
let lastReport = started;
while (Date.now() < end) {
  const kind = MIX[tick++ % MIX.length]!;
  if (inFlight >= MAX_IN_FLIGHT) skipped += 1;
  else {
    inFlight += 1;
    const sent = performance.now();
    const run = OPERATIONS[kind]!()
      .then(
        (outcome) => {
          if (!outcome.ok) errors.push({ at: Date.now(), kind, detail: outcome.detail ?? '' });
        },
        (error: unknown) => void errors.push({ at: Date.now(), kind, detail: String(error) }),
      )
      .finally(() => {
        inFlight -= 1;
        let list = latencies.get(kind);
        if (!list) latencies.set(kind, (list = []));
        list.push(performance.now() - sent);
        pending.delete(run);
      });
    pending.add(run);
  }
  if (tick % 8 === 0) await followJobs().catch((error: unknown) => void errors.push({ at: Date.now(), kind: 'GET /v1/jobs/{id}', detail: String(error) }));
  if (Date.now() - (rss.at(-1)?.at ?? 0) >= 10_000) rss.push(sample(server.process.pid!));
  if (Date.now() - lastReport >= 60_000) {
    lastReport = Date.now();
    const done = [...latencies.values()].reduce((sum, list) => sum + list.length, 0);
    console.log(`  ${((Date.now() - started) / 60_000).toFixed(0)} min: ${done} operations, ${errors.length} errors, RSS ${rss.at(-1)?.mb} MB (${rss.at(-1)?.wasm} MB of it WebAssembly memory), ${inFlight} in flight`);
  }
  await new Promise((resolve) => setTimeout(resolve, interval));
}
// Let what is under way finish: operations, then jobs.
await Promise.all(pending);
while ([...jobs.keys()].some((id) => !id.startsWith('starting '))) {
  await followJobs();
  await new Promise((resolve) => setTimeout(resolve, 500));
}
rss.push(sample(server.process.pid!));

/** The body of a 200 answer; any other status is retried up to 5 times (counted in `retries`), then thrown. */
const retries: string[] = [];
async function ok(url: string, init: RequestInit = {}): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const response = await api(url, init);
    const body = await response.text();
    if (response.status === 200) return body;
    if (attempt === 5) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${body.slice(0, 300)}`);
    retries.push(`${init.method ?? 'GET'} ${url.split('?')[0]}: ${response.status} ${body.slice(0, 160)}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** What the store holds, as the API answers: the policies, the graphs with their triples, and a few reads. */
async function snapshot() {
  const listed = (JSON.parse(await ok('/v1/policies?limit=100')) as { items: { policy: string; sha256: string; triples: number }[] }).items;
  const rules = new Map<string, number>();
  for (const p of listed) rules.set(p.policy, (JSON.parse(await ok(`/v1/policies/${encodeURIComponent(p.policy)}`)) as { rules: number }).rules);
  const graphsQuery = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g' }) };
  const graphs = (JSON.parse(await ok('/v1/query/sparql', graphsQuery)) as { rows: { g: string; n: number }[] }).rows;
  const reads: string[] = [];
  for (const p of listed) reads.push(await ok(`/v1/rules?policy=${encodeURIComponent(p.policy)}&limit=50`));
  return { listed, rules, graphs, reads };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const total = [...latencies.values()].reduce((sum, list) => sum + list.length, 0);
console.log(`soak: ${minutes} min, one operation every ${interval} ms (${skipped} ticks skipped with ${MAX_IN_FLIGHT} in flight): ${total} operations, ${errors.length} errors`);
console.log('');
console.log('| operation | count | p50 ms | p99 ms | max ms |');
console.log('|---|---:|---:|---:|---:|');
for (const [kind, list] of [...latencies].sort((a, b) => a[0].localeCompare(b[0]))) {
  const sorted = [...list].sort((a, b) => a - b);
  console.log(`| ${kind} | ${sorted.length} | ${percentile(sorted, 50).toFixed(0)} | ${percentile(sorted, 99).toFixed(0)} | ${sorted.at(-1)!.toFixed(0)} |`);
}
console.log('');
console.log(`generation jobs: ${[...jobEnds].map(([state, n]) => `${n} ${state}`).join(', ') || 'none'}`);
const minute = (m: number) => rss.filter((r) => r.at - started >= m * 60_000 && r.at - started < (m + 1) * 60_000);
const perMinute = (field: 'mb' | 'wasm') => Array.from({ length: Math.ceil(minutes) }, (_, m) => minute(m).at(-1)?.[field] ?? '-').join(', ');
console.log(`server RSS, MB, per minute (last sample of each): ${perMinute('mb')}; at the end ${rss.at(-1)!.mb}`);
console.log(`of which WebAssembly memories (oxigraph's stores), MB: ${perMinute('wasm')}; at the end ${rss.at(-1)!.wasm}`);
console.log(`each WebAssembly memory of 1 MB or more, MB, per minute: ${Array.from({ length: Math.ceil(minutes) }, (_, m) => minute(m).at(-1)?.each.join('+') ?? '-').join(', ')}`);
for (const error of errors.slice(0, 20)) console.log(`error at +${((error.at - started) / 1000).toFixed(0)} s, ${error.kind}: ${error.detail}`);

const problems: string[] = [];
const after = await snapshot();
const listedIris = after.listed.map((p) => p.policy).sort();
if (JSON.stringify(listedIris) !== JSON.stringify([...expected.keys()].sort())) problems.push(`policies listed ${listedIris.join(', ')}; expected ${[...expected.keys()].sort().join(', ')}`);
for (const p of after.listed) {
  const want = expected.get(p.policy);
  if (want && want.sha256 !== p.sha256) problems.push(`${p.policy}: SHA-256 ${p.sha256}, last accepted version ${want.sha256}`);
  if (want?.rules !== undefined && after.rules.get(p.policy) !== want.rules) problems.push(`${p.policy}: ${after.rules.get(p.policy)} rules, expected ${want.rules}`);
}
// Policy graphs are named urn:studio:graph:<id>; one per policy, none left from a replaced version.
const policyGraphs = after.graphs.filter((g) => g.g.startsWith('urn:studio:graph:'));
const counts = (values: number[]) => JSON.stringify([...values].sort((a, b) => a - b));
if (policyGraphs.length !== after.listed.length) problems.push(`${policyGraphs.length} policy graphs for ${after.listed.length} policies`);
if (counts(policyGraphs.map((g) => Number(g.n))) !== counts(after.listed.map((p) => p.triples))) {
  problems.push(`policy graph sizes ${counts(policyGraphs.map((g) => Number(g.n)))} differ from the policies' triples ${counts(after.listed.map((p) => p.triples))}`);
}
if (!after.graphs.some((g) => g.g === VOCABULARY_GRAPH)) problems.push('the vocabulary graph is missing');

const stopMs = await stopServer(server.process);
const restartStarted = performance.now();
server = await startServer();
address = server.address;
const restartMs = performance.now() - restartStarted;
const again = await snapshot();
rss.push(sample(server.process.pid!));
const same = (label: string, a: unknown, b: unknown) => {
  if (JSON.stringify(a) !== JSON.stringify(b)) problems.push(`after the restart, ${label} differ`);
};
same('the policies', after.listed, again.listed);
same('the rule counts', [...after.rules], [...again.rules]);
same('the graphs and their triples', after.graphs, again.graphs);
const before = new Map(after.graphs.map((g) => [g.g, Number(g.n)]));
for (const g of again.graphs) if (before.get(g.g) !== Number(g.n)) problems.push(`  ${g.g}: ${before.get(g.g) ?? 'absent'} triples before the restart, ${g.n} after`);
for (const g of after.graphs) if (!again.graphs.some((h) => h.g === g.g)) problems.push(`  ${g.g}: ${g.n} triples before the restart, absent after`);
same('the rule pages', after.reads, again.reads);
await stopServer(server.process);
await rm(dataDir, { recursive: true, force: true });

console.log(`server RSS after the restart: ${rss.at(-1)!.mb} MB (${rss.at(-1)!.wasm} MB of it WebAssembly memories)`);
console.log(`SIGTERM to exit: ${stopMs.toFixed(0)} ms; restart until listening: ${restartMs.toFixed(0)} ms`);
if (retries.length > 0) console.log(`answers retried while checking: ${retries.length}\n  ${retries.slice(0, 10).join('\n  ')}`);
console.log(problems.length === 0 ? `consistent afterwards and after a restart: ${after.listed.length} policies, ${after.graphs.length} graphs, same answers` : `NOT consistent:\n  ${problems.join('\n  ')}`);
process.exitCode = errors.length === 0 && problems.length === 0 ? 0 : 1;
