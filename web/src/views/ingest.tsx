/**
 * Ingestion for a knowledge engineer: a regulation's document becomes a draft
 * policy (POST /v1/ingest), whose candidate provisions are reviewed here one
 * row at a time — accept, reject, or correct the kind and the text — and the
 * decisions applied (POST /v1/ingest/review), as often as needed. The
 * reviewed draft is then downloaded as Turtle or loaded as a policy
 * (POST /v1/policies). Nothing is stored before that last step. Only a token
 * that may change policies sees the form; the server checks anyway.
 */

import { useState } from 'preact/hooks';
import { ApiError, getJson, postBytes, postJson } from '../api.js';
import { useLoad } from '../load.js';
import { Await, SubmitRow } from '../parts.js';
import { href } from '../router.js';
import { session } from '../session.js';
import type { IngestDraft, IngestReviewRow, Page, PolicySummary, ReviewedDraft } from '../types.js';

/** The document types the server reads, by file extension. */
const TYPES: Readonly<Record<string, string>> = {
  txt: 'text/plain',
  text: 'text/plain',
  md: 'text/markdown',
  markdown: 'text/markdown',
  html: 'text/html',
  htm: 'text/html',
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};
const RULE_KINDS = ['Obligation', 'Prohibition', 'Permission', 'Recommendation'] as const;
type Decision = '' | 'accept' | 'reject';

/** The name the draft and its errors use: the file's, with the characters the API allows. */
function draftName(file: string): string {
  return file.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 200) || 'document';
}

function DocumentForm({ policies, onDraft }: { policies: readonly PolicySummary[]; onDraft: (draft: IngestDraft, file: string, terms: PolicySummary | undefined) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [policy, setPolicy] = useState('');
  const [anyLanguage, setAnyLanguage] = useState(false);
  const [llm, setLlm] = useState(false);
  const [terms, setTerms] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!file) return setError('Choose a document.');
    const type = TYPES[file.name.split('.').pop()?.toLowerCase() ?? ''];
    if (!type) return setError(`The studio reads ${Object.keys(TYPES).join(', ')} files; ${file.name} is none of them.`);
    setBusy(true);
    setError(null);
    try {
      const params = new URLSearchParams({
        filename: draftName(file.name),
        ...(policy.trim() ? { policy: policy.trim() } : {}),
        ...(anyLanguage ? { anyLanguage: 'true' } : {}),
        ...(llm ? { llm: 'true', ...(terms ? { terms } : {}) } : {}),
      });
      onDraft(await postBytes<IngestDraft>(`/v1/ingest?${params}`, file, type), file.name, llm ? policies.find((p) => p.policy === terms) : undefined);
    } catch (e) {
      setError(e instanceof ApiError ? `${e.title}: ${e.detail}` : `The server did not answer: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="ingest" onSubmit={submit} aria-labelledby="document-heading">
      <h2 id="document-heading">Document</h2>
      <label for="ingest-file">Regulation document (text, Markdown, HTML, PDF with a text layer, DOCX)</label>
      <input id="ingest-file" type="file" accept={Object.keys(TYPES).map((e) => `.${e}`).join(',')} onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} />
      <label for="ingest-policy">Policy IRI of the draft (optional)</label>
      <input id="ingest-policy" type="url" placeholder="https://example.org/draft/name#policy" value={policy} onInput={(e) => setPolicy((e.currentTarget as HTMLInputElement).value)} />
      <label class="choice">
        <input type="checkbox" checked={anyLanguage} onChange={(e) => setAnyLanguage((e.currentTarget as HTMLInputElement).checked)} /> The document is not in English: draft it anyway
      </label>
      <label class="choice">
        <input type="checkbox" checked={llm} onChange={(e) => setLlm((e.currentTarget as HTMLInputElement).checked)} /> Ask the server's language model for each provision's bearer, action, target and behaviours
      </label>
      {llm && (
        <>
          <label for="ingest-terms">Map its answers onto the terms of</label>
          <select id="ingest-terms" value={terms} onChange={(e) => setTerms((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">the studio's shared terms only</option>
            {policies.map((p) => (
              <option key={p.policy} value={p.policy}>
                {p.title ?? p.policy}
              </option>
            ))}
          </select>
        </>
      )}
      <SubmitRow busy={busy} label="Draft rules" busyLabel="Drafting…" error={error} />
    </form>
  );
}

/** What the document gave: its reading, the sections and provisions found, what is left for the author. */
function DraftSummary({ draft }: { draft: IngestDraft }) {
  const d = draft.document;
  const kinds = Object.entries(draft.provisions);
  return (
    <section aria-labelledby="summary-heading">
      <h2 id="summary-heading">Draft of {d.file}</h2>
      <p>
        {d.characters.toLocaleString()} characters{d.pages !== undefined ? `, ${d.pages} pages` : ''} ({d.format}, SHA-256 <code>{d.sha256.slice(0, 12)}</code>): {draft.sections} sections,{' '}
        {kinds.length === 0 ? 'no provision' : kinds.map(([k, n]) => `${n} ${k.toLowerCase()}${n === 1 ? '' : 's'}`).join(', ')}; {draft.unresolved} placeholders left for the author. Policy <code>{draft.policy}</code>.
      </p>
      {draft.llm && (
        <p>
          {draft.llm.model} named the fields of {draft.llm.used} of {draft.llm.asked} provisions ({draft.llm.refused} kept their placeholders) and proposed {draft.llm.proposedTerms} new terms; prompt {draft.llm.prompt.id} v{draft.llm.prompt.version}.
        </p>
      )}
      {d.warnings.length > 0 && (
        <ul class="warnings">
          {d.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** What the model named for a provision, as one line: its fields, or why its answers were not used. */
function modelLine(m: NonNullable<IngestReviewRow['model']>): string {
  if (m.refused) return `model: nothing used (${m.refused})`;
  const fields = [
    ['bearer', m.bearer],
    ['action', m.action],
    ['target', m.target],
    ['counterparty', m.counterparty],
    ['circumstance', m.circumstance],
    ['quantities', m.quantities?.join(', ')],
    ['behaviours', m.behaviours?.join(', ')],
  ].filter(([, v]) => v);
  return `model: ${fields.map(([k, v]) => `${k} ${v}`).join('; ')}`;
}

/** One provision of the table with its decision and, for a rule, its kind and text to correct. */
function ReviewRowView({ row, decision, reviewed, kind, text, onDecide, onKind, onText }: { row: IngestReviewRow; decision: Decision; reviewed: string | undefined; kind: string; text: string; onDecide: (d: Decision) => void; onKind: (k: string) => void; onText: (t: string) => void }) {
  const isRule = (RULE_KINDS as readonly string[]).includes(row.kind);
  const id = `row-${row.provision}`;
  return (
    <tr class={decision || undefined}>
      <th scope="row" id={id}>
        {row.provision}
      </th>
      <td>{row.section}</td>
      <td>
        {isRule ? (
          <select aria-label={`Kind of ${row.provision}`} value={kind} onChange={(e) => onKind((e.currentTarget as HTMLSelectElement).value)}>
            {RULE_KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        ) : (
          row.kind
        )}
        {row.qualifies.length > 0 && <div class="qualifies">to {row.qualifies.join(', ')}</div>}
      </td>
      <td>
        <textarea aria-label={`Text of ${row.provision}`} rows={3} value={text} onInput={(e) => onText((e.currentTarget as HTMLTextAreaElement).value)} />
        <div class="cues">
          cues: {row.cues.join(', ') || 'none'}; characters {row.start}–{row.end}
        </div>
        {row.model && <div class="model">{modelLine(row.model)}</div>}
      </td>
      <td>
        <select aria-label={`Decision on ${row.provision}`} value={decision} onChange={(e) => onDecide((e.currentTarget as HTMLSelectElement).value as Decision)}>
          <option value="">Keep as draft</option>
          <option value="accept">Accept</option>
          <option value="reject">Reject</option>
        </select>
        {reviewed && <div class="reviewed">{reviewed}</div>}
      </td>
    </tr>
  );
}

/** A draft under review: its table, the decisions made so far, and what can be done with the result. */
function Review({ initial, file, terms }: { initial: IngestDraft; file: string; terms: PolicySummary | undefined }) {
  const [turtle, setTurtle] = useState(initial.turtle);
  const [rows, setRows] = useState(initial.review);
  const [decisions, setDecisions] = useState<Record<string, Decision>>({});
  /** What earlier applications did to each remaining provision: accepted, edited. */
  const [reviewed, setReviewed] = useState<Record<string, string>>({});
  const [kinds, setKinds] = useState<Record<string, string>>({});
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const filename = `${draftName(file).replace(/\.[^.]*$/, '')}.ttl`;

  const apply = async () => {
    const accept = rows.filter((r) => decisions[r.provision] === 'accept').map((r) => r.provision);
    const reject = rows.filter((r) => decisions[r.provision] === 'reject').map((r) => r.provision);
    const edit = rows.flatMap((r) => [
      ...(kinds[r.provision] && kinds[r.provision] !== r.kind ? [{ iri: r.provision, field: 'kind', value: kinds[r.provision]! }] : []),
      ...(texts[r.provision] !== undefined && texts[r.provision] !== r.text ? [{ iri: r.provision, field: 'text', value: texts[r.provision]! }] : []),
    ]);
    if (accept.length + reject.length + edit.length === 0) return setError('Decide on a provision, or correct one, first.');
    setBusy(true);
    setError(null);
    try {
      const answer = await postJson<ReviewedDraft>('/v1/ingest/review', { draft: turtle, filename, ...(terms ? { with: terms.policy } : {}), accept, reject, edit: edit.filter((e) => !reject.includes(e.iri)) });
      const gone = new Set([...answer.rejected, ...answer.cascaded]);
      const localName = (iri: string) => iri.replace(/^.*[#/]/, '');
      const goneNames = new Set([...gone].map(localName));
      // The rows that remain, as the reviewed draft now has them.
      setRows(rows.filter((r) => !goneNames.has(r.provision)).map((r) => ({ ...r, kind: kinds[r.provision] ?? r.kind, text: texts[r.provision] ?? r.text })));
      setTurtle(answer.turtle);
      const done = { ...reviewed };
      for (const iri of answer.accepted) done[localName(iri)] = 'accepted';
      for (const e of answer.edited) if (!done[localName(e.iri)]) done[localName(e.iri)] = 'edited';
      setReviewed(done);
      setDecisions({});
      setNotice(`Applied: ${answer.accepted.length} accepted, ${answer.edited.length} edited, ${answer.rejected.length} rejected` + (answer.cascaded.length > 0 ? ` (and ${answer.cascaded.length} exception${answer.cascaded.length === 1 ? '' : 's'} that only qualified them)` : '') + '.');
    } catch (e) {
      setError(e instanceof ApiError ? `Not applied — ${e.title}: ${e.detail}` : `Not applied: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  const load = async () => {
    setBusy(true);
    setError(null);
    try {
      const answer = await postBytes<{ policy: string; triples: number }>(`/v1/policies?filename=${encodeURIComponent(filename)}`, turtle, 'text/turtle');
      setLoaded(answer.policy);
    } catch (e) {
      setError(e instanceof ApiError ? `Not loaded — ${e.title}: ${e.detail}` : `Not loaded: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  const download = () => {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([turtle], { type: 'text/turtle' }));
    link.download = filename;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  };

  return (
    <section aria-labelledby="review-heading">
      <h2 id="review-heading">Review</h2>
      <p role="status" class="count">
        {rows.length} provisions in the draft
      </p>
      {notice && (
        <p role="status" class="notice">
          {notice}
        </p>
      )}
      <table class="review-table">
        <caption>Candidate provisions, in document order: accept, reject, or correct the kind and the text, then apply.</caption>
        <thead>
          <tr>
            <th scope="col">Provision</th>
            <th scope="col">Section</th>
            <th scope="col">Kind</th>
            <th scope="col">Text</th>
            <th scope="col">Decision</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <ReviewRowView
              key={row.provision}
              row={row}
              decision={decisions[row.provision] ?? ''}
              reviewed={reviewed[row.provision]}
              kind={kinds[row.provision] ?? row.kind}
              text={texts[row.provision] ?? row.text}
              onDecide={(d) => setDecisions({ ...decisions, [row.provision]: d })}
              onKind={(k) => setKinds({ ...kinds, [row.provision]: k })}
              onText={(t) => setTexts({ ...texts, [row.provision]: t })}
            />
          ))}
        </tbody>
      </table>
      <div class="actions">
        <button type="button" onClick={apply} disabled={busy}>
          Apply the decisions
        </button>
        <button type="button" onClick={download}>
          Download {filename}
        </button>
        {!terms && (
          <button type="button" onClick={load} disabled={busy || loaded !== null}>
            Load as a policy
          </button>
        )}
      </div>
      {terms && (
        <p class="notice">
          This draft names terms of {terms.title ?? terms.policy}, so it passes the shapes only together with that policy, and a policy is loaded on its own: add the reviewed rules to that policy's Turtle (download the draft), or draft without
          mapping onto its terms to load the draft as a policy of its own.
        </p>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {loaded && (
        <p role="status" class="notice">
          Loaded. <a href={href.rules(loaded)}>See its rules</a>.
        </p>
      )}
      <details>
        <summary>The draft as Turtle</summary>
        <pre class="turtle">{turtle}</pre>
      </details>
    </section>
  );
}

export function IngestView() {
  const who = useLoad('ingest', () => Promise.all([session(), getJson<Page<PolicySummary>>('/v1/policies?limit=500')]));
  const [draft, setDraft] = useState<{ draft: IngestDraft; file: string; terms: PolicySummary | undefined; round: number } | null>(null);
  return (
    <>
      <h1>Ingest a regulation</h1>
      <p>
        The document's sections and candidate provisions become a draft policy: every provision a <code>studio:Draft</code> linked to its words in the document, with placeholders where a bearer, an action or a
        behaviour is still unknown. Nothing is stored until the reviewed draft is loaded.
      </p>
      <Await loaded={who} what="your session and the loaded policies">
        {([me, policies]) =>
          me.may.changePolicies ? (
            <>
              <DocumentForm policies={policies.items} onDraft={(d, file, terms) => setDraft({ draft: d, file, terms, round: (draft?.round ?? 0) + 1 })} />
              {draft && <DraftSummary draft={draft.draft} />}
              {draft && <Review key={draft.round} initial={draft.draft} file={draft.file} terms={draft.terms} />}
            </>
          ) : (
            <p>This token may not ingest documents (engineers and admins may).</p>
          )
        }
      </Await>
    </>
  );
}
