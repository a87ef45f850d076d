/** The loaded policies, each with links to its rules, coverage, conflicts and audits. */

import { getJson } from '../api.js';
import { useLoad } from '../load.js';
import { Await, When } from '../parts.js';
import { href } from '../router.js';
import type { Page, PolicySummary } from '../types.js';

export function PoliciesView() {
  const loaded = useLoad('policies', () => getJson<Page<PolicySummary>>('/v1/policies?limit=500'));
  return (
    <>
      <h1>Policies</h1>
      <Await loaded={loaded} what="the policies">
        {(page) =>
          page.items.length === 0 ? (
            <p>No policy is loaded. Load one with <code>studio load</code> or <code>POST /v1/policies</code>.</p>
          ) : (
            <table>
              <caption>{page.total} policies loaded</caption>
              <thead>
                <tr>
                  <th scope="col">Policy</th>
                  <th scope="col">Source</th>
                  <th scope="col" class="num">Triples</th>
                  <th scope="col">Loaded</th>
                  <th scope="col">Views</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((p) => (
                  <tr key={p.policy}>
                    <th scope="row">
                      <a href={href.rules(p.policy)}>{p.title ?? p.policy}</a>
                    </th>
                    <td>{p.source}</td>
                    <td class="num">{p.triples.toLocaleString()}</td>
                    <td>
                      <When at={p.loadedAt} />
                    </td>
                    <td class="links">
                      <a href={href.coverage(p.policy)} aria-label={`Coverage of ${p.title ?? p.policy}`}>Coverage</a>{' '}
                      <a href={href.conflicts(p.policy)} aria-label={`Conflicts of ${p.title ?? p.policy}`}>Conflicts</a>{' '}
                      <a href={href.audits(p.policy)} aria-label={`Audits of ${p.title ?? p.policy}`}>Audits</a>{' '}
                      <a href={href.graph(p.policy)} aria-label={`Graph of ${p.title ?? p.policy}`}>Graph</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Await>
    </>
  );
}
