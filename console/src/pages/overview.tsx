/** The workspace at a glance, refreshed every 3 s: active incidents, and each integration's live state. */
import { get, wsPath } from '../api';
import { useIntegrationActions } from '../components/integration-actions';
import { IntegrationStateCard } from '../components/integration-state';
import { WorkflowLink } from '../components/links';
import { Problem } from '../components/problem';
import { clock, countdown, isoTitle, rate } from '../format';
import { useApi, useNow } from '../hooks';
import type { Me, Scrubbing } from '../types';

export const POLL_MS = 3000;

export function OverviewPage({ me }: { me: Me }) {
  const now = useNow();
  const state = useApi(() => get<Scrubbing>(wsPath(me.workspaceId, 'scrubbing')), [me.workspaceId], POLL_MS);
  const s = state.data;
  const actions = useIntegrationActions(me, () => void state.reload());
  return (
    <>
      <h1>Overview</h1>
      <p class="muted" aria-live="off">
        Refreshed every {POLL_MS / 1000} s{state.at ? `; last read ${clock(state.at, now)}` : ''}.
      </p>
      <Problem error={state.error} />
      {actions.view}
      {!s && state.loading && <p>Loading…</p>}
      {s && (
        <>
          <section aria-labelledby="incidents-heading">
            <h2 id="incidents-heading">
              Active incidents: <span data-testid="incident-count">{s.activeIncidentCount}</span>
            </h2>
            {s.refusedIncidents ? <p class="warning">{s.refusedIncidents} incident start(s) refused: the workspace is at its limit of active incidents.</p> : null}
            {s.activeIncidents.length > 0 ? (
              <div class="table-wrap">
                <table>
                  <caption class="sr-only">Active incidents, oldest first{s.activeIncidentCount > s.activeIncidents.length ? ` (first ${s.activeIncidents.length})` : ''}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Incident</th>
                      <th scope="col">Target</th>
                      <th scope="col">Severity</th>
                      <th scope="col">Source</th>
                      <th scope="col">Peak</th>
                      <th scope="col">Received</th>
                    </tr>
                  </thead>
                  <tbody>
                    {s.activeIncidents.map((incident) => (
                      <tr key={incident.incidentId} data-testid={`incident-${incident.incidentId}`}>
                        <td>{incident.incidentId}</td>
                        <td>{incident.target ?? '—'}</td>
                        <td>{incident.severity ?? '—'}</td>
                        <td>{incident.source ?? '—'}</td>
                        <td>{incident.peakBps !== undefined || incident.peakPps !== undefined ? `${rate(incident.peakBps, 'bit/s')} / ${rate(incident.peakPps, 'pps')}` : '—'}</td>
                        <td>
                          <time dateTime={isoTitle(incident.receivedAt)}>{clock(incident.receivedAt, now)}</time>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <p>No active incident.</p>
            )}
          </section>
          <section aria-labelledby="workspace-heading">
            <h2 id="workspace-heading">Workspace</h2>
            <dl class="facts">
              <dt>Workflow</dt>
              <dd>
                {s.running ? 'running' : 'not running (starts with the first incident or change)'} <WorkflowLink me={me} />
              </dd>
              <dt>Hold-down</dt>
              <dd>
                {s.holdDown ? `${s.holdDown.seconds} s (base ${s.holdDown.baseSeconds} s, ${s.holdDown.waves} wave(s)): ${s.holdDown.reason}` : `${s.holdDownSeconds} s`}
                {s.pendingHoldDowns.length > 0 && ` — ${s.pendingHoldDowns.length} running`}
              </dd>
              {s.pendingHoldDowns.map((pending) => (
                <dd key={pending.integrationId}>
                  {s.integrations.find((i) => i.id === pending.integrationId)?.name ?? pending.integrationId}: withdrawal {countdown(pending.until, now)}
                </dd>
              ))}
              <dt>Intake queue</dt>
              <dd>{s.intake.queuedReports === 0 ? 'empty' : `${s.intake.queuedReports} report(s) waiting for Temporal since ${clock(s.intake.oldestQueuedAt, now)}`}</dd>
              {s.nextReconcileAt && (
                <>
                  <dt>Next provider check</dt>
                  <dd>{countdown(s.nextReconcileAt, now)}</dd>
                </>
              )}
            </dl>
          </section>
          <section aria-labelledby="integrations-heading">
            <h2 id="integrations-heading">Integrations</h2>
            {s.integrations.length === 0 && <p>No integration yet.</p>}
            <div class="cards">
              {s.integrations.map((integration) => (
                <IntegrationStateCard
                  key={integration.id}
                  state={integration}
                  me={me}
                  now={now}
                  controls={integration.removed ? null : actions.buttons({ id: integration.id, name: integration.name ?? integration.id }, ['test', 'activate', 'withdraw'])}
                />
              ))}
            </div>
          </section>
        </>
      )}
    </>
  );
}
