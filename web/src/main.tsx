/**
 * The studio in a browser: asks for an API token once (kept for the tab), then
 * shows the views the hash names. Everything it shows comes from /v1 on the
 * same origin, with that token.
 */

import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, forgetToken, getJson, savedToken, saveToken, whenUnauthenticated } from './api.js';
import { href, useRoute, type Route } from './router.js';
import { useLoad } from './load.js';
import { session } from './session.js';
import { PoliciesView } from './views/policies.js';
import { RulesView } from './views/rules.js';
import { RuleView } from './views/rule.js';
import { CoverageView } from './views/coverage.js';
import { ConflictsView } from './views/conflicts.js';
import { AuditsView } from './views/audits.js';
import { RunView } from './views/run.js';
import { CompareView } from './views/compare.js';
import { ReviewView } from './views/review.js';
import { JobsView } from './views/jobs.js';
import { IngestView } from './views/ingest.js';
import { PlaygroundView } from './views/playground.js';
import { GraphView } from './views/graph.js';

function TokenForm({ onToken, notice }: { onToken: (token: string) => void; notice: string | null }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const token = value.trim();
    if (!token) return setError('Enter a token.');
    setBusy(true);
    try {
      await getJson('/v1/session', token);
      saveToken(token);
      onToken(token);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? 'The server does not know this token.' : `The server did not answer: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="token-page">
      <h1>Alignment Studio</h1>
      <form onSubmit={submit} aria-describedby="token-help">
        <p id="token-help">
          Enter an API token of this server. It is kept for this tab only and sent only to this server. <code>studio serve --new-token reader</code> makes one.
        </p>
        {notice && <p role="status">{notice}</p>}
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="off" value={value} onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)} aria-invalid={error ? 'true' : undefined} aria-errormessage={error ? 'token-error' : undefined} />
        <button type="submit" disabled={busy}>
          Open the studio
        </button>
        {error && (
          <p id="token-error" role="alert" class="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

function View({ route }: { route: Route }) {
  switch (route.view) {
    case 'policies':
      return <PoliciesView />;
    case 'rules':
      return <RulesView policy={route.policy} params={route.params} />;
    case 'rule':
      return <RuleView rule={route.rule} />;
    case 'coverage':
      return <CoverageView policy={route.policy} params={route.params} />;
    case 'conflicts':
      return <ConflictsView policy={route.policy} params={route.params} />;
    case 'audits':
      return <AuditsView policy={route.policy} />;
    case 'run':
      return <RunView run={route.run} params={route.params} />;
    case 'compare':
      return <CompareView params={route.params} />;
    case 'jobs':
      return <JobsView />;
    case 'ingest':
      return <IngestView />;
    case 'playground':
      return <PlaygroundView params={route.params} />;
    case 'graph':
      return <GraphView params={route.params} />;
    case 'review':
      return <ReviewView run={route.run} params={route.params} />;
    case 'missing':
      return (
        <>
          <h1>No such view</h1>
          <p>
            Nothing is at <code>{route.hash}</code>. <a href={href.policies()}>See the policies</a>.
          </p>
        </>
      );
  }
}

/** Titles per view, so that a screen reader and the tab strip say where the reader is. */
const TITLES: Record<Route['view'], string> = { policies: 'Policies', rules: 'Rules', rule: 'Rule', coverage: 'Coverage', conflicts: 'Conflicts', audits: 'Audits', run: 'Audit run', compare: 'Two runs', review: 'Review queue', jobs: 'Jobs', playground: 'Playground', ingest: 'Ingest', graph: 'Graph', missing: 'Not found' };

function App() {
  const [token, setToken] = useState(savedToken());
  const [notice, setNotice] = useState<string | null>(null);
  const route = useRoute();
  useEffect(() => {
    whenUnauthenticated(() => {
      forgetToken();
      setNotice('The server no longer accepts the token; enter another.');
      setToken(null);
    });
  }, []);
  useEffect(() => {
    document.title = `${TITLES[route.view]} · Alignment Studio`;
  }, [route.view]);
  if (!token) return <TokenForm onToken={setToken} notice={notice} />;
  return <Studio route={route} onForget={() => (forgetToken(), setNotice(null), setToken(null))} token={token} />;
}

function Studio({ route, onForget, token }: { route: Route; onForget: () => void; token: string }) {
  const who = useLoad(`session ${token}`, session);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href.policies()}>
          Alignment Studio
        </a>
        <nav aria-label="Studio">
          <a href={href.policies()} aria-current={route.view === 'policies' ? 'page' : undefined}>
            Policies
          </a>
          <a href={href.playground()} aria-current={route.view === 'playground' ? 'page' : undefined}>
            Playground
          </a>
          <a href={href.jobs()} aria-current={route.view === 'jobs' ? 'page' : undefined}>
            Jobs
          </a>
          {who.state === 'done' && who.value.may.changePolicies && (
            <a href={href.ingest()} aria-current={route.view === 'ingest' ? 'page' : undefined}>
              Ingest
            </a>
          )}
        </nav>
        {who.state === 'done' && (
          <span class="who">
            {who.value.name} ({who.value.roles.join(', ')})
          </span>
        )}
        <button type="button" class="link" onClick={onForget}>
          Forget token
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <View route={route} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
