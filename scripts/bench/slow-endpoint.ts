/**
 * A local OpenAI-compatible endpoint for benchmarks, in a process of its own
 * so that it does not share the client's event loop: every chat completion is
 * answered after a fixed delay. Prints its base URL on stdout when ready.
 *
 *   npx tsx scripts/bench/slow-endpoint.ts <delay ms> <model>
 */

import { OpenAiTestServer, reply } from '../../tests/helpers/openai-server.js';

const delayMs = Number(process.argv[2] ?? 20);
const model = process.argv[3] ?? 'bench-model';
const answer = 'I cannot help with that: it is against section 1.1 of the policy. Please contact the Compliance mailbox.';
const server = await OpenAiTestServer.start({ models: [model], record: false, script: () => reply.chat(answer, { delayMs }) });
process.stdout.write(`${server.baseUrl}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
