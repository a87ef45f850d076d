/**
 * The playground: a question asked of the model under audit and of the
 * baseline model side by side (POST /v1/policies/{policy}/playground), with
 * the rules it touches; then which answer is better (first, second, tie,
 * both bad) and why (POST /v1/policies/{policy}/preferences, the token's name
 * as who preferred). Below, the preferences recorded for the policy. Only a
 * token that may ask sees the question form, and only one that may record
 * sees the preference form; the server checks anyway.
 */

import { useState } from 'preact/hooks';
import { enc, getJson, postJson } from '../api.js';
import { useLoad } from '../load.js';
import { ChoiceForm } from '../choice-form.js';
import { Await, FilterSelect, RuleLink, SubmitRow, When } from '../parts.js';
import { go, href } from '../router.js';
import { session } from '../session.js';
import type { Page, PlaygroundAnswer, PolicySummary, RecordedPreference } from '../types.js';

export const PREFERENCES = [
  ['first', 'First is better'],
  ['second', 'Second is better'],
  ['tie', 'Tie'],
  ['bothBad', 'Both bad'],
] as const;

const PREFERENCE_NAMES: Record<string, string> = { first: 'first', second: 'second', tie: 'tie', bothBad: 'both bad' };

function AskForm({ policy, onAnswer }: { policy: string; onAnswer: (answer: PlaygroundAnswer) => void }) {
  const [question, setQuestion] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!question.trim()) return setError('Write a question.');
    setBusy(true);
    setError(null);
    try {
      onAnswer(await postJson<PlaygroundAnswer>(`/v1/policies/${enc(policy)}/playground`, { question: question.trim() }));
    } catch (e) {
      setError(`No answer: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="ask" onSubmit={submit} aria-labelledby="ask-heading">
      <h2 id="ask-heading">Ask both models</h2>
      <label for="question">Question</label>
      <textarea id="question" rows={3} maxLength={4000} value={question} onInput={(e) => setQuestion((e.currentTarget as HTMLTextAreaElement).value)} />
      <SubmitRow busy={busy} label="Ask" busyLabel="Asking…" error={error} />
    </form>
  );
}

function PreferenceForm({ policy, exchange, onRecorded }: { policy: string; exchange: string; onRecorded: (message: string) => void }) {
  const record = async (preferred: string, reason: string) => {
    const answer = await postJson<RecordedPreference>(`/v1/policies/${enc(policy)}/preferences`, { exchange, preferred, reason });
    return `Recorded: ${PREFERENCE_NAMES[answer.preferred] ?? answer.preferred}, by ${answer.recordedBy}.`;
  };
  return (
    <ChoiceForm
      id="preference"
      heading="Which answer is better?"
      legend="Preference"
      choices={PREFERENCES}
      unchosen="Choose first, second, tie or both bad."
      submitLabel="Record preference"
      record={record}
      onRecorded={onRecorded}
    />
  );
}

/** Both answers side by side, with the rules the question touches. */
function Answers({ answer }: { answer: PlaygroundAnswer }) {
  return (
    <section class="result playground-answers" aria-labelledby="answers-heading">
      <h2 id="answers-heading">Answers</h2>
      <p class="touched">
        <strong>Rules the question touches:</strong>{' '}
        {answer.rules.length === 0 ? (
          'none (it names none of the policy’s terms)'
        ) : (
          <>
            <ul class="inline">
              {answer.rules.map((r) => (
                <li key={r.rule}>
                  <RuleLink rule={r.rule} label={r.label} />
                </li>
              ))}
            </ul>{' '}
            (because it mentions {answer.because.join(', ')})
          </>
        )}
      </p>
      <div class="side-by-side">
        {(['first', 'second'] as const).map((position) => {
          const side = answer[position];
          return (
            <div key={position} class={`answer-${position}`}>
              <h3>
                {position === 'first' ? 'First' : 'Second'}: {side.role === 'target' ? 'the model under audit' : 'the baseline'} ({side.model})
              </h3>
              <pre class="answer">{side.answer}</pre>
              {side.finishReason === 'length' && <p class="notice">Cut short at the model’s token limit.</p>}
            </div>
          );
        })}
      </div>
    </section>
  );
}

function Recorded({ page }: { page: Page<RecordedPreference> }) {
  if (page.items.length === 0) return <p>No preference is recorded for this policy yet.</p>;
  return (
    <table class="preferences">
      <caption>
        {page.total} preferences recorded{page.total > page.items.length ? `, the latest ${page.items.length} shown` : ''}
      </caption>
      <thead>
        <tr>
          <th scope="col">Recorded</th>
          <th scope="col">By</th>
          <th scope="col">Question</th>
          <th scope="col">Preferred</th>
          <th scope="col">Reason</th>
          <th scope="col">Rules</th>
        </tr>
      </thead>
      <tbody>
        {page.items.map((p) => (
          <tr key={p.preference}>
            <td>
              <When at={p.recordedAt} />
            </td>
            <td>{p.recordedBy}</td>
            <td>{p.question}</td>
            <td>
              {PREFERENCE_NAMES[p.preferred] ?? p.preferred}
              {p.preferred === 'first' ? ` (${p.first.model})` : p.preferred === 'second' ? ` (${p.second.model})` : ''}
            </td>
            <td>{p.reason}</td>
            <td>
              <ul class="inline">
                {p.rules.map((r) => (
                  <li key={r}>
                    <RuleLink rule={r} />
                  </li>
                ))}
              </ul>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function PlaygroundView({ params }: { params: URLSearchParams }) {
  const [answer, setAnswer] = useState<PlaygroundAnswer | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  const setup = useLoad('playground', () => Promise.all([getJson<Page<PolicySummary>>('/v1/policies?limit=500'), session()]));
  return (
    <>
      <h1>Playground</h1>
      <p>Ask the model under audit and the baseline model the same question, see both answers side by side, and record which is better.</p>
      <Await loaded={setup} what="the policies">
        {([policies, who]) => {
          const policy = params.get('policy') || policies.items[0]?.policy || '';
          if (!policy) return <p>No policy is loaded.</p>;
          const shown = answer?.policy === policy ? answer : null;
          return (
            <>
              <FilterSelect
                id="playground-policy"
                label="Policy"
                value={policy}
                options={policies.items.map((p) => [p.policy, p.title ?? p.policy] as const)}
                onPick={(value) => (setAnswer(null), setNotice(null), go(href.playground(value)))}
              />
              {who.may.ask ? (
                <AskForm policy={policy} onAnswer={(a) => (setAnswer(a), setNotice(null))} />
              ) : (
                <p>This token may not ask the models (engineers, auditors and admins may).</p>
              )}
              {shown && <Answers answer={shown} />}
              {shown && !notice && who.may.recordPreferences && (
                <PreferenceForm key={shown.exchange} policy={policy} exchange={shown.exchange} onRecorded={(message) => (setNotice(message), setRound((n) => n + 1))} />
              )}
              {notice && (
                <p role="status" class="notice">
                  {notice}
                </p>
              )}
              <RecordedList policy={policy} round={round} />
            </>
          );
        }}
      </Await>
    </>
  );
}

function RecordedList({ policy, round }: { policy: string; round: number }) {
  const loaded = useLoad(`preferences ${policy} ${round}`, () => getJson<Page<RecordedPreference>>(`/v1/policies/${enc(policy)}/preferences?limit=100`));
  return (
    <section aria-labelledby="recorded-heading">
      <h2 id="recorded-heading">Recorded preferences</h2>
      <Await loaded={loaded} what="the recorded preferences">
        {(page) => <Recorded page={page} />}
      </Await>
    </section>
  );
}
