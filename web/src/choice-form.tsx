/**
 * A choice among a few with a reason, recorded by the server: a reviewer's
 * verdict on an undecided result, a preference between two answers. Both
 * fields are asked for before anything is sent; the server's refusal is
 * shown, and the form kept, so nothing typed is lost.
 */

import { useState } from 'preact/hooks';
import { SubmitRow } from './parts.js';

export interface ChoiceFormProps {
  /** Prefix of the form's element ids ("verdict" gives verdict-heading, verdict-reason). */
  readonly id: string;
  readonly heading: string;
  readonly legend: string;
  readonly choices: readonly (readonly [string, string])[];
  /** What to say when nothing is chosen. */
  readonly unchosen: string;
  readonly submitLabel: string;
  /** Records the choice and the reason; answers the line to show once recorded. */
  readonly record: (choice: string, reason: string) => Promise<string>;
  readonly onRecorded: (message: string) => void;
}

export function ChoiceForm({ id, heading, legend, choices, unchosen, submitLabel, record, onRecorded }: ChoiceFormProps) {
  const [choice, setChoice] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!choice) return setError(unchosen);
    if (!reason.trim()) return setError('Give a reason.');
    setBusy(true);
    setError(null);
    try {
      onRecorded(await record(choice, reason.trim()));
    } catch (e) {
      setError(`Not recorded: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="verdict" onSubmit={submit} aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{heading}</h2>
      <fieldset>
        <legend>{legend}</legend>
        {choices.map(([value, label]) => (
          <label key={value} class="choice">
            <input type="radio" name={id} value={value} checked={choice === value} onChange={() => setChoice(value)} /> {label}
          </label>
        ))}
      </fieldset>
      <label for={`${id}-reason`}>Reason</label>
      <textarea id={`${id}-reason`} rows={3} maxLength={4000} value={reason} onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)} />
      <SubmitRow busy={busy} label={submitLabel} busyLabel="Recording…" error={error} />
    </form>
  );
}
