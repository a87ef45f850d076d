/**
 * Jobs: start a generation job (engineer, admin) or an audit job (auditor,
 * admin) of a policy, and follow every unfinished job's progress from its
 * event stream (GET /v1/jobs/{id}/events). A token sees only the forms its
 * roles permit; the server checks anyway.
 */

import { useEffect, useState } from 'preact/hooks';
import { getJson, postJson, readEvents } from '../api.js';
import { useLoad } from '../load.js';
import { Await, When } from '../parts.js';
import { session, type Session } from '../session.js';
import type { Job, Page, PolicySummary } from '../types.js';
import { href } from '../router.js';

const STAGES = ['Baseline', 'AfterTraining', 'BeforeRelease', 'ProductionMonitoring'] as const;
const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

/** The jobs, newest first, each kept up to date from its event stream while it is unfinished. */
function useJobs(initial: Job[]): [Job[], (job: Job) => void] {
  const [jobs, setJobs] = useState(initial);
  const put = (job: Job) => setJobs((list) => (list.some((j) => j.id === job.id) ? list.map((j) => (j.id === job.id ? job : j)) : [job, ...list]));
  const open = jobs.filter((j) => !FINISHED.has(j.state)).map((j) => j.id);
  useEffect(() => {
    const stop = new AbortController();
    for (const id of open) {
      readEvents(
        `/v1/jobs/${id}/events`,
        (type, data) => {
          const value = JSON.parse(data) as Job | Job['progress'];
          if (type === 'state') put(value as Job);
          else if (type === 'progress') setJobs((list) => list.map((j) => (j.id === id ? { ...j, progress: value as Job['progress'] } : j)));
        },
        stop.signal,
      ).catch(() => {
        // Aborted, or the stream broke: the list still shows the job as last seen.
      });
    }
    return () => stop.abort();
  }, [open.join(' ')]);
  return [jobs, put];
}

function StartForm({ kind, policies, onStarted }: { kind: 'generation' | 'audit'; policies: PolicySummary[]; onStarted: (job: Job) => void }) {
  const [policy, setPolicy] = useState(policies[0]?.policy ?? '');
  const [seed, setSeed] = useState('1');
  const [stage, setStage] = useState<string>('Baseline');
  const [limit, setLimit] = useState('');
  const [message, setMessage] = useState<{ text: string; failed: boolean } | null>(null);
  const [busy, setBusy] = useState(false);
  const id = (name: string) => `${kind}-${name}`;
  const submit = async (event: Event) => {
    event.preventDefault();
    const seedNumber = Number(seed);
    const limitNumber = Number(limit);
    if (!Number.isInteger(seedNumber) || seedNumber < 0) return setMessage({ text: 'The seed is a whole number, 0 or more.', failed: true });
    if (limit !== '' && (!Number.isInteger(limitNumber) || limitNumber < 1)) return setMessage({ text: 'The limit is a whole number, 1 or more, or empty for every scenario.', failed: true });
    const body = kind === 'generation' ? { kind, policy, seed: seedNumber } : { kind, policy, seed: seedNumber, stage, ...(limit !== '' ? { limit: limitNumber } : {}) };
    setBusy(true);
    try {
      const job = await postJson<Job>('/v1/jobs', body);
      setMessage({ text: `Started ${kind} job ${job.id}.`, failed: false });
      onStarted(job);
    } catch (error) {
      setMessage({ text: `Not started: ${(error as Error).message}`, failed: true });
    } finally {
      setBusy(false);
    }
  };
  const title = kind === 'generation' ? 'Generate data' : 'Audit the model';
  return (
    <form class="start-job" onSubmit={submit} aria-labelledby={id('heading')}>
      <h2 id={id('heading')}>{title}</h2>
      <div class="filter">
        <label for={id('policy')}>Policy</label>
        <select id={id('policy')} value={policy} onChange={(e) => setPolicy((e.currentTarget as HTMLSelectElement).value)}>
          {policies.map((p) => (
            <option key={p.policy} value={p.policy}>
              {p.title ?? p.policy}
            </option>
          ))}
        </select>
      </div>
      <div class="filter">
        <label for={id('seed')}>Seed</label>
        <input id={id('seed')} inputMode="numeric" value={seed} onInput={(e) => setSeed((e.currentTarget as HTMLInputElement).value)} />
      </div>
      {kind === 'audit' && (
        <>
          <div class="filter">
            <label for={id('stage')}>Stage</label>
            <select id={id('stage')} value={stage} onChange={(e) => setStage((e.currentTarget as HTMLSelectElement).value)}>
              {STAGES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div class="filter">
            <label for={id('limit')}>Scenarios (at most)</label>
            <input id={id('limit')} inputMode="numeric" value={limit} placeholder="all" onInput={(e) => setLimit((e.currentTarget as HTMLInputElement).value)} />
          </div>
        </>
      )}
      <div class="actions">
        <button type="submit" disabled={busy || !policy}>
          {busy ? 'Starting…' : kind === 'generation' ? 'Start generation' : 'Start audit'}
        </button>
      </div>
      {message && (
        <p role={message.failed ? 'alert' : 'status'} class={message.failed ? 'error' : 'notice'}>
          {message.text}
        </p>
      )}
    </form>
  );
}

function mayCancel(job: Job, who: Session): boolean {
  return !FINISHED.has(job.state) && (job.kind === 'audit' ? who.may.startAudits : job.kind === 'generation' ? who.may.changePolicies : false);
}

function JobList({ initial, policies, who }: { initial: Job[]; policies: PolicySummary[]; who: Session }) {
  const [jobs, put] = useJobs(initial);
  const titles = new Map(policies.map((p) => [p.policy, p.title ?? p.policy]));
  const cancel = async (job: Job) => {
    try {
      await postJson<Job>(`/v1/jobs/${job.id}/cancel`);
    } catch {
      // Finished meanwhile (409): its stream says so.
    }
  };
  return (
    <>
      {(who.may.changePolicies || who.may.startAudits) && (
        <div class="start-forms">
          {who.may.changePolicies && <StartForm kind="generation" policies={policies} onStarted={put} />}
          {who.may.startAudits && <StartForm kind="audit" policies={policies} onStarted={put} />}
        </div>
      )}
      <p role="status" class="count">
        {jobs.length} jobs
      </p>
      {jobs.length > 0 && (
        <table class="jobs">
          <caption class="visually-hidden">Jobs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Policy</th>
              <th scope="col">State</th>
              <th scope="col">Progress</th>
              <th scope="col">Started by</th>
              <th scope="col">Created</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((job) => {
              const policy = String(job.params.policy ?? '');
              const { phase, done, total } = job.progress;
              const run = typeof job.result?.run === 'string' ? job.result.run : null;
              return (
                <tr key={job.id} data-job={job.id}>
                  <th scope="row">
                    {job.kind} <code>{job.id.slice(0, 8)}</code>
                  </th>
                  <td>{titles.get(policy) ?? policy}</td>
                  <td>
                    <span class={`badge job-${job.state}`}>{job.state}</span>
                  </td>
                  <td>
                    <progress max={Math.max(total, 1)} value={done} aria-label={`${job.kind} job ${job.id.slice(0, 8)}: ${phase}, ${done} of ${total}`} />{' '}
                    <span class="phase">
                      {phase} {done}/{total}
                    </span>
                  </td>
                  <td>{job.startedBy}</td>
                  <td>
                    <When at={job.createdAt} />
                  </td>
                  <td>
                    {job.problem ? (
                      `${job.problem.title}: ${job.problem.detail}`
                    ) : run ? (
                      <a href={href.run(run, { policy })}>its run</a>
                    ) : job.kind === 'generation' && job.state === 'succeeded' ? (
                      <a href={href.coverage(policy)}>{String(job.result?.items ?? '')} items: coverage</a>
                    ) : mayCancel(job, who) ? (
                      <button type="button" onClick={() => cancel(job)}>
                        Cancel
                      </button>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}

export function JobsView() {
  const loaded = useLoad('jobs', () => Promise.all([getJson<Page<Job>>('/v1/jobs?limit=100'), getJson<Page<PolicySummary>>('/v1/policies'), session()]));
  return (
    <>
      <h1>Jobs</h1>
      <Await loaded={loaded} what="the jobs">
        {([jobs, policies, who]) => <JobList initial={jobs.items} policies={policies.items} who={who} />}
      </Await>
    </>
  );
}
