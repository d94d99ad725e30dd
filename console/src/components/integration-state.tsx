/** One integration's live state (GET …/scrubbing), every field the workflow reports, as text. */
import type { ComponentChildren, JSX } from 'preact';
import { clock, countdown, isoTitle, rate } from '../format';
import type { IntegrationState, Me } from '../types';
import { WorkflowLink } from './links';

function Row({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

function Time({ at, now }: { at: string | null | undefined; now: number }) {
  return <time dateTime={isoTitle(at)}>{clock(at, now)}</time>;
}

export function StateBadge({ state, testId }: { state: string; testId?: string }) {
  return (
    <span class={`state state-${state.replace(/[^a-z_]/g, '')}`} data-testid={testId}>
      {state}
    </span>
  );
}

export function IntegrationStateCard({ state: s, me, now, controls }: { state: IntegrationState; me: Me; now: number; controls?: JSX.Element | null }) {
  const title = s.name ?? s.id;
  const headingId = `state-${s.id}`;
  const gate = s.telemetry;
  return (
    <article class="card" data-testid={`integration-${s.id}`} aria-labelledby={headingId}>
      <header class="card-head">
        <h3 id={headingId}>{title}</h3>
        <span class="muted">{s.type}</span>
        {s.dryRun && <span class="badge">dry run</span>}
        {s.removed && <span class="badge">being removed</span>}
        <WorkflowLink me={me} subject={title} />
        {controls}
      </header>
      <dl class="facts">
        <Row label="Desired / actual">
          {s.desired} / <StateBadge state={s.actual} testId={`actual-${s.id}`} /> since <Time at={s.since} now={now} />
        </Row>
        <Row label="Manual override">{s.manual ?? 'none'}</Row>
        <Row label="Auto-divert">
          {s.autoDivert ? 'on' : 'off'}; scope {s.scope === 'workspace' ? 'whole workspace' : s.scope.join(', ')}
        </Row>
        {s.holdDownUntil && (
          <Row label="Hold-down">
            until <Time at={s.holdDownUntil} now={now} /> ({countdown(s.holdDownUntil, now)}){s.holdDownReason ? `: ${s.holdDownReason}` : ''}
          </Row>
        )}
        {s.activationWaitsUntil && (
          <Row label="Activation waits">
            until <Time at={s.activationWaitsUntil} now={now} /> ({countdown(s.activationWaitsUntil, now)}){s.waitReason ? `: ${s.waitReason}` : ''}
          </Row>
        )}
        {s.provider && (
          <Row label="Provider says">
            {s.provider.observed}
            {s.provider.observed === 'pending' ? ' (change in progress)' : ''}: {s.provider.detail} (checked <Time at={s.provider.checkedAt} now={now} />)
          </Row>
        )}
        {s.drift && (
          <Row label="Drift">
            {s.drift.open ? 'open' : 'closed'}: expected {s.drift.expected}, found {s.drift.observed}; {s.drift.action} ({s.drift.count}×, last <Time at={s.drift.detectedAt} now={now} />)
          </Row>
        )}
        <Row label="Last error">{s.lastError ? `${s.lastError.type}: ${s.lastError.message}${s.lastError.nonRetryable ? ' (not retried)' : ''} after ${s.attempts} attempt(s)` : 'none'}</Row>
        {gate && (
          <Row label="Calm gate">
            {gate.status}
            {gate.reason ? `: ${gate.reason}` : ''}
            {gate.withdrawHeld && (
              <>
                ; withdrawal held since <Time at={gate.withdrawHeld.since} now={now} />: {gate.withdrawHeld.reason} (at most until <Time at={gate.withdrawHeld.maxWaitUntil} now={now} />)
              </>
            )}
            {gate.lastReading && (
              <>
                ; last reading {rate(gate.lastReading.droppedBps, 'bit/s')}, {rate(gate.lastReading.droppedPps, 'pps')} dropped (read <Time at={gate.lastReading.readAt} now={now} />)
              </>
            )}
          </Row>
        )}
        {s.dots !== undefined && <Row label="DOTS status">{s.dots ? `${s.dots.status} (${s.dots.code})` : 'never diverted'}</Row>}
      </dl>
    </article>
  );
}
