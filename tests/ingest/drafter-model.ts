/**
 * A stand-in for the model `studio ingest --llm` asks, for tests: it reads the
 * provision the prompt quotes and answers its fields as a careful model would,
 * naming a listed term by IRI where one has the label it means.
 */

import { reply, type RecordedRequest, type Script } from '../helpers/openai-server.js';

/** The provision a request asks about, and the term IRIs its prompt lists. */
export function asked(request: RecordedRequest): { text: string; listed: Map<string, string>; thresholds: number; exception: boolean } {
  const prompt = String(request.body.messages[1].content);
  const listed = new Map<string, string>();
  for (const m of prompt.matchAll(/^- (\S+) "([^"]+)"$/gm)) listed.set(m[2]!, m[1]!);
  return {
    text: /^"(.*)"$/m.exec(prompt)![1]!,
    listed,
    thresholds: /"quantities"/.test(prompt) ? (prompt.match(/^ {2}- (?:more than|at least|less than|at most) /gm) ?? []).length : 0,
    exception: /"circumstance"/.test(prompt),
  };
}

/**
 * A stand-in for a model that reads the provision it is asked about: the bearer is a manager or an employee
 * (said as "employee", which the gifts code's terms do not have, or as the IRI of its "official" term when listed),
 * the action the verb phrase after the modal, given as the IRI of a listed term when one has that label.
 */
export const reader: Script = (request) => {
  const { text, listed, thresholds, exception } = asked(request);
  if (exception) return reply.chat(JSON.stringify({ circumstance: { term: null, label: text.replace(/^.*?(?:except|unless|does not apply to)\s+/i, '') }, behaviours: ['Inform'] }));
  const verb = /(?:shall not|must|may|should|never|do not)\s+(\w+(?: \w+)?)/i.exec(text)?.[1]?.toLowerCase() ?? 'act';
  const phrase = verb.startsWith('accept') ? 'accept a gift' : verb;
  const answer = {
    bearer: /managers/i.test(text) ? { term: null, label: 'manager' } : { term: null, label: 'employee' },
    action: listed.has(phrase) ? { term: listed.get(phrase)!, label: phrase } : { term: null, label: phrase },
    target: /gift/.test(text) ? { term: null, label: 'gift' } : null,
    counterparty: /supplier/.test(text) ? { term: null, label: 'supplier' } : null,
    ...(thresholds > 0 ? { quantities: Array.from({ length: thresholds }, () => ({ term: null, label: 'value of a gift' })) } : {}),
    behaviours: /shall not|never|do not/i.test(text) ? ['Refuse', 'CiteSection'] : ['Inform'],
  };
  return reply.chat(`Here are the fields:\n\`\`\`json\n${JSON.stringify(answer)}\n\`\`\``);
};
