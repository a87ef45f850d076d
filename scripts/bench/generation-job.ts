/**
 * Benchmark: a generation job through the API on a synthetic policy of N
 * rules (default 10k) in the embedded store. Loads the policy into a scratch
 * data folder, starts `studio serve` in its own process, starts the job,
 * follows its event stream, and meanwhile asks /health one request after
 * another, to see how long the server leaves requests waiting while a job
 * runs in its thread. Prints the job's time, its phases as the client saw
 * them, and the /health latencies.
 *
 *   npx tsx scripts/bench/generation-job.ts [rules]
 */

import { startBenchServer } from './bench-server.js';

const rules = Number(process.argv[2] ?? 10000);
const { address, headers, stop } = await startBenchServer({ rules, role: 'engineer', nodeArgs: ['--max-old-space-size=4096'] });

try {
  const [policy] = ((await (await fetch(`${address}/v1/policies`, { headers })).json()) as { items: { policy: string }[] }).items;
  const t0 = performance.now();
  const started = await fetch(`${address}/v1/jobs`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'generation', policy: policy!.policy }) });
  if (started.status !== 202) throw new Error(`POST /v1/jobs: ${started.status} ${await started.text()}`);
  const acceptedMs = performance.now() - t0;
  const job = (await started.json()) as { id: string };

  let finished = false;
  const health: number[] = [];
  const probing = (async () => {
    while (!finished) {
      const s = performance.now();
      await fetch(`${address}/health`);
      health.push(performance.now() - s);
    }
  })();

  const phases = new Map<string, number>();
  let progressEvents = 0;
  let final: any;
  const response = await fetch(`${address}/v1/jobs/${job.id}/events`, { headers });
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (!event || !data) continue;
      const parsed = JSON.parse(data);
      if (event === 'progress') {
        progressEvents += 1;
        if (!phases.has(parsed.phase)) phases.set(parsed.phase, performance.now() - t0);
      } else if (['succeeded', 'failed', 'cancelled'].includes(parsed.state)) final = parsed;
    }
  }
  const totalMs = performance.now() - t0;
  finished = true;
  await probing;
  if (final?.state !== 'succeeded') throw new Error(`the job ended ${final?.state}: ${JSON.stringify(final?.problem)}`);
  health.sort((a, b) => a - b);
  const pct = (p: number) => health[Math.min(health.length - 1, Math.floor((p / 100) * health.length))]!;
  console.log(
    JSON.stringify(
      {
        rules,
        items: final.result.items,
        triples: final.result.triples,
        acceptedMs: Math.round(acceptedMs),
        jobMs: Math.round(totalMs),
        phaseFirstSeenMs: Object.fromEntries([...phases].map(([k, v]) => [k, Math.round(v)])),
        progressEvents,
        health: { requests: health.length, p50Ms: Math.round(pct(50)), p99Ms: Math.round(pct(99)), maxMs: Math.round(health[health.length - 1]!) },
      },
      null,
      2,
    ),
  );
} finally {
  await stop();
}
