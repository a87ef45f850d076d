/** studio serve as a user runs it: a child process on an ephemeral port, stopped with SIGTERM. */

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStudio, studio } from '../helpers/cli.js';
import { MINI, SAMPLE_POLICIES } from '../store/store-spec.js';
import { SLOW_QUERY, TOKENS, TOKENS_JSON } from './harness.js';
import { openEvents } from './event-stream.js';

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'studio-serve-'));
  await writeFile(path.join(folder, 'tokens.json'), TOKENS_JSON);
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('studio serve', () => {
  it('has help', () => {
    const result = studio(['serve', '--help']);
    expect(result.code).toBe(0);
    for (const option of ['--port', '--host', '--store', '--data-dir', '--tokens', '--cache-entries', '--cache-mb', '--jobs-kept', '--jobs-running']) expect(result.stdout).toContain(option);
  });

  it.each([
    ['--cache-entries', '0'],
    ['--cache-entries', '2.5'],
    ['--cache-mb', '-1'],
    ['--cache-mb', 'lots'],
    ['--jobs-kept', '0'],
    ['--jobs-running', 'two'],
  ])('refuses %s %s', (option, value) => {
    const result = studio(['serve', '--port', '0', option, value, '--data-dir', path.join(folder, 'none')], { STUDIO_API_TOKENS: TOKENS_JSON });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(option);
  });

  it('refuses to start without tokens', () => {
    const result = studio(['serve', '--port', '0', '--data-dir', path.join(folder, 'none')], { STUDIO_API_TOKENS: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no API tokens configured');
  });

  it('makes a token whose entry the server accepts', () => {
    const result = studio(['serve', '--new-token', 'reader,auditor']);
    expect(result.code).toBe(0);
    const { token, entry } = JSON.parse(result.stdout) as { token: string; entry: { sha256: string; roles: string[] } };
    expect(entry.roles).toEqual(['reader', 'auditor']);
    expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(entry.sha256).not.toContain(token);
  });

  it('serves the data folder on 127.0.0.1, keeps uploads, and stops on SIGTERM', async () => {
    const dataDir = path.join(folder, 'data');
    let generated = 'no generated graph';
    const { child, address } = await serveStudio(['--port', '0', '--data-dir', dataDir, '--tokens', path.join(folder, 'tokens.json'), '--log-level', 'silent']);
    try {
      expect(await (await fetch(`${address}/health`)).json()).toEqual({ status: 'ok', store: 'embedded', policies: 0 });
      const upload = await fetch(`${address}/v1/policies?filename=mini.ttl`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKENS.engineer}`, 'content-type': 'text/turtle' },
        body: await readFile(MINI, 'utf8'),
      });
      expect(upload.status).toBe(201);
      const rules = await fetch(`${address}/v1/rules`, { headers: { authorization: `Bearer ${TOKENS.reader}` } });
      expect(((await rules.json()) as { total: number }).total).toBe(5);
      // A generation job, followed to its end; its graph is kept in the data folder like the upload.
      const job = await fetch(`${address}/v1/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKENS.engineer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'generation', policy: 'https://example.org/mini#policy' }),
      });
      expect(job.status).toBe(202);
      const end = (await (await openEvents(`${address}${job.headers.get('location')}/events`, TOKENS.reader)).rest()).pop()!;
      expect(end.data.state).toBe('succeeded');
      generated = end.data.result.graph;
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    const stats = studio(['stats', '--json', '--data-dir', dataDir]);
    expect(JSON.parse(stats.stdout).policies.map((p: { source: string }) => p.source)).toEqual(['mini.ttl']);
    const counted = studio(['query', '--named', 'generated-items-of-rule', '--param', 'rule=https://example.org/mini#gifts-001', '--json', '--data-dir', dataDir]);
    expect(counted.code, counted.stderr).toBe(0);
    expect(JSON.parse(counted.stdout).length, generated).toBeGreaterThan(5);
  });

  it('stops on SIGTERM within 5 s while a slow query runs', async () => {
    const dataDir = path.join(folder, 'data-slow');
    const { child, address } = await serveStudio(['--port', '0', '--data-dir', dataDir, '--tokens', path.join(folder, 'tokens.json'), '--log-level', 'silent']);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const upload = await fetch(`${address}/v1/policies`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKENS.engineer}`, 'content-type': 'text/turtle' },
        body: await readFile(SAMPLE_POLICIES[0]!, 'utf8'),
      });
      expect(upload.status).toBe(201);
      const slow = fetch(`${address}/v1/query/sparql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKENS.reader}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: SLOW_QUERY }),
      }).then((r) => r.status, () => 'closed');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await fetch(`${address}/health`)).status).toBe(200);
      const start = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const stopped = Date.now() - start;
      console.log(`SIGTERM mid-query: exited after ${stopped} ms; the query's client got ${await slow}`);
      expect(stopped).toBeLessThan(5000);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
