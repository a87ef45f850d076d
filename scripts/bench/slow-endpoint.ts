/**
 * A local OpenAI-compatible endpoint for benchmarks, in a process of its own
 * so that it does not share the client's event loop: every chat completion is
 * answered after a fixed delay. A model server runs for days, so before it
 * reports ready it answers a few thousand requests of its own, 32 at a
 * time, to be past its JIT compiler's first seconds: the
 * client's cold start is then the client's alone. Prints its base URL on
 * stdout when ready.
 *
 *   npx tsx scripts/bench/slow-endpoint.ts <delay ms> <model> [<warm-up requests>]
 */

import http from 'node:http';
import { OpenAiTestServer, reply } from '../../tests/helpers/openai-server.js';

const delayMs = Number(process.argv[2] ?? 20);
const model = process.argv[3] ?? 'bench-model';
const warmUp = Number(process.argv[4] ?? 3000);
const answer = 'I cannot help with that: it is against section 1.1 of the policy. Please contact the Compliance mailbox.';
const server = await OpenAiTestServer.start({ models: [model], record: false, script: () => reply.chat(answer, { delayMs }) });

const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'warming up' }] });
const ask = () =>
  new Promise<void>((resolve, reject) => {
    const request = http.request(`${server.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
      response.resume();
      response.on('end', resolve);
    });
    request.on('error', reject);
    request.end(body);
  });
let sent = 0;
await Promise.all(
  Array.from({ length: 32 }, async () => {
    while (sent++ < warmUp) await ask();
  }),
);

process.stdout.write(`${server.baseUrl}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
