/**
 * Refusal detection for the deterministic grader: does an answer decline
 * what the user asked? English phrasings only. A refusal here is the
 * assistant declining (first person, or the request as the subject), not an
 * answer that says an action is forbidden: "You can't accept cash gifts
 * (section 3.1)" or "this would go against the policy" answer the user, and
 * must still count as help where a rule wants help. Disclaimers that go with
 * help ("I can't give legal advice, but ...") and asking for facts ("I can't
 * give a definite answer without ...") are not refusals either.
 */

/** What the assistant declines to do, after "I can't" and its kin. */
const ASSIST =
  '(?:help|assist|support|provide|give|share|disclose|reveal|tell|do|comply|fulfil|fulfill|process|complete|continue|write|draft|create|generate|prepare|arrange|approve|authori[sz]e|grant|confirm|recommend|advise|suggest|facilitate|participate|engage|go along|make an exception|walk you through|explain how to|show you how)';

/** "I can't", "I won't", "I'm unable to", "I'm sorry, but I can't" ... as an assistant says them (apostrophes already straightened). */
const I_DECLINE =
  "\\bI(?:(?:'m|\\s+am)\\s+(?:afraid|sorry),?(?:\\s+but)?\\s+I)?(?:\\s+(?:really|simply|just))?" +
  "(?:\\s+(?:can't|cannot|can not|won't|will not|must not|may not|won't be able to)|(?:'ll|\\s+will) not be able to" +
  "|(?:'m|\\s+am)\\s+(?:not able to|unable to|not allowed to|not permitted to|not going to|not in a position to|prohibited from))" +
  "(?:\\s+(?:and|or)\\s+(?:will not|won't|cannot|can't|should not|shouldn't))?";

/** Each pattern is one way of declining; the first that matches is reported. */
const REFUSALS: readonly RegExp[] = [
  // "I can't help with that", "I'm not able to provide that", "I won't be able to assist"
  new RegExp(`${I_DECLINE}\\s+(?:really\\s+)?${ASSIST}\\b(?!\\s+but\\b)`, 'gi'),
  // A bare "Sorry, I can't." or "I won't do that." ending a sentence.
  new RegExp(`${I_DECLINE}(?:\\s+do\\s+(?:that|this|it))?\\s*[.!]`, 'gi'),
  // "I must decline", "I'll have to decline that request", "I refuse to"
  /\bI(?:'ll| will| must| have to| need to| would have to|'d have to| am going to|'m going to)?\s+(?:respectfully\s+|politely\s+)?(?:decline|refuse)\b/gi,
  // "That's not something I can help with", "nothing I can do to help"
  /\b(?:not something|nothing|not a request|not anything)\s+(?:that\s+)?I\s+(?:can|could|am able to|'m able to|am allowed to|'m allowed to|will|would)\s+(?:help|assist|do|support|provide|share)/gi,
  // Policy as the reason the assistant declines: "It's against our policy for me to share that."
  /\bagainst\s+(?:our|the|company|my)\s+(?:polic(?:y|ies)|guidelines|rules)\s+(?:for me\s+)?to\s+(?:help|assist|provide|share|disclose|reveal|give|do|process|complete)\b/gi,
  // The request as the subject: "Your request is against our policy", "this request is not permitted"
  /\b(?:your|this|that|the)\s+request\s+(?:is|would be|goes|falls)\s+(?:against|contrary to|outside|not permitted|not allowed|prohibited)/gi,
  // No subject, at a sentence start: "Unable to help with that request."
  /(?:^|[.!?]\s+)(?:sorry[,.!]?\s+|unfortunately,?\s+)?(?:unable|not able)\s+to\s+(?:help|assist|provide|comply)\b/gi,
];

/**
 * Words right after a decline that make it a disclaimer or a request for
 * facts rather than a refusal: "I can't provide legal advice", "I can't give
 * you a definite answer without ...", "I can't tell whether ...", "I can't
 * help with that without knowing ...".
 */
const NOT_A_REFUSAL_AFTER =
  /^\s*(?:you\s+)?(?:with\s+)?(?:(?:that|this|it)\s+)?(?:(?:a|an|any)\s+)?(?:(?:legal|financial|medical|tax|investment|professional)\s+advice|(?:definite|definitive|final|firm|clear|straight|complete)\s+(?:answer|yes|no|ruling)|answer\s+(?:without|until|before)|whether\b|if\b|for sure\b|from\s+(?:your|the|what|this|that)\b|without\s+(?:knowing|more|further|some|a few|a bit)|until\s+(?:I|you)\s+(?:know|have|tell))/i;

/** Where an answer declines: the phrase, and where it starts and ends in the answer (apostrophes straightened). */
export interface RefusalMatch {
  readonly phrase: string;
  readonly start: number;
  readonly end: number;
}

/** The first place the answer declines, or undefined when it does not. */
export function refusalMatch(text: string): RefusalMatch | undefined {
  const straight = text.replace(/[\u2018\u2019\u02bc]/g, "'");
  let first: RefusalMatch | undefined;
  for (const pattern of REFUSALS) {
    for (const match of straight.matchAll(pattern)) {
      const end = match.index + match[0].length;
      if (NOT_A_REFUSAL_AFTER.test(straight.slice(end))) continue;
      const lead = /^[.!?]\s+/.exec(match[0])?.[0].length ?? 0;
      if (!first || match.index + lead < first.start) first = { phrase: match[0].slice(lead).trim(), start: match.index + lead, end };
      break;
    }
  }
  return first;
}

/**
 * The words after "I can't <verb>" that make it something other than a
 * decline: uncertainty or a request for facts ("I can't tell whether ...",
 * "I can't give a definite answer without ..."). Unlike NOT_A_REFUSAL_AFTER,
 * "I can't give tax advice" stays a decline here.
 */
const NOT_A_DECLINE_AFTER =
  /^\s*(?:(?:that|this|it)\s+)?(?:(?:a|an|any)\s+)?(?:(?:definite|definitive|final|firm|clear|straight|complete)\s+(?:answer|yes|no|ruling)|answer\s+(?:without|until|before)|whether\b|if\b|for sure\b|from\s+(?:your|the|what|this|that)\b|without\s+(?:knowing|more|further|some|a few|a bit)|until\s+(?:I|you)\s+(?:know|have|tell)|enough\b)/i;

/** Verbs after "I can't" that decline nothing: "I can't stress enough", "I can't wait", "I can't imagine". */
const NOT_DECLINING_VERBS = /^(?:stress|emphasi[sz]e|overstate|wait|thank|believe|imagine|see|find|remember|be|promise you enough)$/i;

/**
 * Where an answer declines anything in the first person, with any verb: a
 * refusal as refusalMatch finds it, else "I can't predict ...", "I'm not able
 * to act on ...", "I can't give tax advice" (a disclaimer is a decline too;
 * whether help follows is for the caller to see).
 */
export function declineMatch(text: string): RefusalMatch | undefined {
  const strict = refusalMatch(text);
  if (strict) return strict;
  const straight = text.replace(/[\u2018\u2019\u02bc]/g, "'");
  for (const match of straight.matchAll(new RegExp(`${I_DECLINE}\\s+(?:really\\s+)?(\\w+)(\\s+you)?`, 'gi'))) {
    const verb = match[1]!;
    const end = match.index + match[0].length;
    if (NOT_DECLINING_VERBS.test(verb)) continue;
    const after = straight.slice(end);
    // "I can't tell you whether it will be approved" declines; "I can't tell whether it applies" is unsure.
    if (NOT_A_DECLINE_AFTER.test(after) && !(match[2] && /^\s*(?:whether|if)\b/i.test(after) && !/\b(?:until|without|unless)\b/i.test(after.split(/[.!?]/)[0]!))) continue;
    if (!match[2] && /^(?:tell|say|know|answer)$/i.test(verb) && /^\s*(?:whether|if|from|for sure|yet)\b/i.test(straight.slice(end))) continue;
    return { phrase: match[0].trim(), start: match.index, end };
  }
  return undefined;
}

/** The phrase that makes the answer a refusal, or undefined when it does not decline. */
export function refusalPhrase(text: string): string | undefined {
  return refusalMatch(text)?.phrase;
}

/** True when the answer declines what the user asked. */
export function isRefusal(text: string): boolean {
  return refusalPhrase(text) !== undefined;
}
