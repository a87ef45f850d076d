/**
 * A scripted model for augmentation tests: it paraphrases the user turns the
 * augmentation prompt shows it, by rewrites that keep every fact.
 */

import { reply, type RecordedRequest, type Script } from './openai-server.js';

/** The user turns the prompt shows the model ("[user] ..." lines). */
export function turnsAsked(request: RecordedRequest): string[] {
  const text: string = request.body.messages.at(-1).content;
  return [...text.matchAll(/^\[user\] (.*)$/gm)].map((m) => m[1]!);
}

/** Paraphrases made from each request's turns by the given rewrites, as the JSON the prompt asks for. */
export function paraphraser(...rewrites: ((turn: string) => string)[]): Script {
  return (request) => reply.chat(JSON.stringify({ paraphrases: rewrites.map((rewrite) => turnsAsked(request).map(rewrite)) }));
}
/**
 * Rewrites that keep every fact and add new words in proportion to the turn
 * (half as many as it has): enough to pass the near-duplicate check, not
 * enough to break the length bound. The words are made up ("zqab") so they
 * can never collide with a policy term or look like a number.
 */
const LETTERS = 'abcfhkmnoprtuvwy';
const filler = (prefix: string, turn: string) =>
  Array.from({ length: Math.ceil(turn.split(/\s+/).length / 2) }, (_, i) => `${prefix}${LETTERS[i % 16]}${LETTERS[Math.floor(i / 16) % 16]}`).join(' ');
export const polite = (t: string) => `${t} ${filler('zq', t)}`;
export const formal = (t: string) => `${filler('xv', t)} ${t}`;
