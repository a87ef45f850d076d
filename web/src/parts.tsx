/** Small pieces every view uses: loading and error states, policy tabs, links to rules. */

import type { ComponentChildren } from 'preact';
import type { Loaded } from './load.js';
import { nameOf } from './policy-data.js';
import { href } from './router.js';

/** Shows the view once its answers are in; until then a status line, after a failure the problem. */
export function Await<T>({ loaded, what, children }: { loaded: Loaded<T>; what: string; children: (value: T) => ComponentChildren }) {
  if (loaded.state === 'loading') return <p role="status" class="loading">Loading {what}…</p>;
  if (loaded.state === 'failed') return <p role="alert" class="error">Could not load {what}: {loaded.error.message}</p>;
  // One element whether stale or not, so that the view below it is kept, not made anew, when the answer comes.
  return <div aria-busy={loaded.stale ? 'true' : undefined}>{children(loaded.value)}</div>;
}

const TABS = [
  ['rules', 'Rules'],
  ['coverage', 'Coverage'],
  ['conflicts', 'Conflicts'],
  ['audits', 'Audits'],
  ['graph', 'Graph'],
] as const;

/** The views of one policy, the current one marked. */
export function PolicyTabs({ policy, title, current }: { policy: string; title?: string | null | undefined; current: (typeof TABS)[number][0] }) {
  return (
    <nav aria-label="Policy views" class="tabs">
      <span class="policy-name">{title ?? nameOf(policy)}</span>
      <ul>
        {TABS.map(([view, label]) => (
          <li key={view}>
            <a href={href[view](policy)} aria-current={view === current ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** A link to a rule's page, named by its label when known. */
export function RuleLink({ rule, label }: { rule: string; label?: string | null | undefined }) {
  return <a href={href.rule(rule)}>{label || nameOf(rule)}</a>;
}

/** A date-time as the reader's locale writes it. */
export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <span>—</span>;
  return <time dateTime={at}>{new Date(at).toLocaleString()}</time>;
}

/** A labelled select whose change is a navigation (filters are links). */
export function FilterSelect({ id, label, value, options, onPick }: { id: string; label: string; value: string; options: readonly (readonly [string, string])[]; onPick: (value: string) => void }) {
  return (
    <div class="filter">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onPick((event.currentTarget as HTMLSelectElement).value)}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A badge that says when something is out of date. */
export function Stale({ stale, what }: { stale: boolean | undefined; what: string }) {
  return stale ? <span class="badge stale" title={`${what} predates the policy's last change`}>stale</span> : null;
}

/** A form's submit button, saying when it is at work, and the error of its last try. */
export function SubmitRow({ busy, label, busyLabel, error }: { busy: boolean; label: string; busyLabel: string; error: string | null }) {
  return (
    <>
      <div class="actions">
        <button type="submit" disabled={busy}>
          {busy ? busyLabel : label}
        </button>
      </div>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </>
  );
}
