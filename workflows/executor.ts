/**
 * Carries out the rules' commands: provider operations (one in flight per integration,
 * integrations in parallel), status reads, and the audit records, purges and notifications
 * that run in the background. What an activity answers goes back to the rules as an event.
 * Deterministic workflow code: never sees a credential (activities take IDs).
 */
import * as wf from '@temporalio/workflow';
import type { NotificationEvent } from '../catalog/notifications';
import { AUDIT_ACTIVITY, NOTIFY_ACTIVITY, PURGE_ACTIVITY, type AuditEntry, type OperationFailureDetails, type OperationResult } from './activity-names';
import type { Command } from './decide';
import type { ManualOutcomes } from './manual-actions';
import type { BookkeepingTask, OperationRetryOptions } from './messages';
import { notificationQueue } from './notification-queue';
import { AUDIT_TRAIL_PATCH, NOTIFICATIONS_PATCH, OPERATION_AUDIT_PATCH } from './patches';
import type { ActivityProxies } from './proxies';
import type { Run } from './run';
import { MAX_NOTIFIED_INCIDENTS, firstIncidents, providerFacts, type Operation, type OperationError } from './state';

/** A workflow event for the workspace's channels; the executor adds who, where and when. */
export type WorkflowNotification = Omit<NotificationEvent, 'id' | 'workspaceId' | 'workflowId' | 'incidents' | 'at' | 'integration'> & { integrationId: string };

export interface Executor {
  dispatch(command: Command): void;
  audit(entry: Omit<AuditEntry, 'workspace'>): void;
  /** Sends a workflow event to the workspace's channels, in the background, when it has any. */
  notify(event: WorkflowNotification): void;
  inBackground(task: BookkeepingTask): void;
  /** Provider operations, status reads and background tasks not finished yet. */
  readonly inFlight: { operations: number; reads: number; unfinished: ReadonlyMap<number, BookkeepingTask> };
}

export function createExecutor(run: Run, proxies: ActivityProxies, retry: OperationRetryOptions, manual: ManualOutcomes): Executor {
  const inFlight = { operations: 0, reads: 0, unfinished: new Map<number, BookkeepingTask>() };
  let tasksStarted = 0;
  let eventsSent = 0;

  /** Runs with BOUNDED_NOTIFICATIONS_PATCH: notifications in flight are bounded (notification-queue.ts). */
  const notifications = run.boundedNotifications ? notificationQueue<number>() : undefined;

  /** Runs a background task; a notification may wait for a slot (it stays unfinished, so continue-as-new carries it). */
  function inBackground(task: BookkeepingTask): void {
    const id = ++tasksStarted;
    inFlight.unfinished.set(id, task);
    if (task.kind !== 'notify' || !notifications) return start(id, task);
    const { start: startNow, dropped } = notifications.offer(id);
    if (dropped !== undefined) {
      const event = inFlight.unfinished.get(dropped);
      inFlight.unfinished.delete(dropped);
      wf.log.warn('notification dropped: too many waiting for the channels', { event: event?.kind === 'notify' ? event.event.event : undefined, waiting: notifications.waiting });
    }
    if (startNow !== undefined) start(startNow, task);
  }

  function start(id: number, task: BookkeepingTask): void {
    void runTask(task)
      .catch((err: unknown) => wf.log.warn('bookkeeping failed', { error: messageOf(err) }))
      .finally(() => {
        inFlight.unfinished.delete(id);
        if (task.kind !== 'notify' || !notifications) return;
        const next = notifications.finished();
        if (next !== undefined) start(next, inFlight.unfinished.get(next)!);
      });
  }

  function runTask(task: BookkeepingTask): Promise<void> {
    switch (task.kind) {
      case 'audit':
        return proxies.bookkeeping[AUDIT_ACTIVITY](task.entry);
      case 'purge':
        return proxies.bookkeeping[PURGE_ACTIVITY](task.ref);
      case 'notify':
        return proxies.notifications[NOTIFY_ACTIVITY](task.event).then(() => undefined);
    }
  }

  function audit(entry: Omit<AuditEntry, 'workspace'>): void {
    if (!run.patched(AUDIT_TRAIL_PATCH)) return;
    inBackground({ kind: 'audit', entry: { workspace: run.state.workspaceId, ...entry } });
  }

  function notify(event: WorkflowNotification): void {
    if (!run.notificationsOn || !run.patched(NOTIFICATIONS_PATCH)) return;
    const { integrationId, ...rest } = event;
    const { state } = run;
    const integration = state.integrations[integrationId];
    const info = wf.workflowInfo();
    inBackground({
      kind: 'notify',
      event: {
        id: `${info.workflowId}/${info.runId}/${++eventsSent}`,
        workspaceId: state.workspaceId,
        workflowId: info.workflowId,
        integration: { id: integrationId, type: integration?.config.type ?? 'unknown', ...(integration?.config.name ? { name: integration.config.name } : {}) },
        incidents: firstIncidents(state, MAX_NOTIFIED_INCIDENTS).map((incident) => incident.incidentId),
        incidentCount: state.incidentCount ?? Object.keys(state.incidents).length,
        at: new Date(Date.now()).toISOString(),
        ...rest,
      },
    });
  }

  /** A command kind without a case here does not compile. */
  function dispatch(command: Command): void {
    switch (command.kind) {
      case 'runOperation': {
        inFlight.operations++;
        const manualUpTo = run.state.integrations[command.integrationId]?.inFlight?.manualUpTo;
        void runOperation(command.integrationId, command.op, command.seq, command.dryRun === true, manualUpTo).finally(() => inFlight.operations--);
        return;
      }
      case 'checkStatus':
        inFlight.reads++;
        void checkStatus(command.integrationId).finally(() => inFlight.reads--);
        return;
      case 'driftDetected': {
        const { drift, integrationId, detail } = command;
        const repair = drift.action === 'repaired';
        const found = `provider shows ${drift.observed.replace('_', ' ')}, expected ${drift.expected.replace('_', ' ')}: ${detail}`;
        wf.log.warn('drift', { integrationId, expected: drift.expected, observed: drift.observed, action: drift.action });
        audit({ actor: 'workflow', action: 'drift', integration: integrationId, outcome: 'ok', detail: `${found}; ${repair ? 're-applying our state' : 'report only: left as found'}` });
        notify({ event: 'drift', integrationId, detail: found, ...(repair ? { operation: drift.expected === 'diverted' ? 'activate' : 'withdraw' } : {}) });
        return;
      }
      case 'activationDeferred': {
        const detail = `activation waits until ${new Date(command.until).toISOString()}: ${command.reason}`;
        audit({ actor: 'workflow', action: 'divert.deferred', integration: command.integrationId, outcome: 'requested', detail });
        notify({ event: 'activation_deferred', integrationId: command.integrationId, operation: 'activate', detail });
        return;
      }
      case 'diversionAdopted': {
        const detail = `the provider shows a diversion a run before this one made (${command.detail}); kept as ours, withdrawn after the hold-down once nothing triggers it`;
        wf.log.info('diversion adopted', { integrationId: command.integrationId });
        audit({ actor: 'workflow', action: 'divert.adopted', integration: command.integrationId, outcome: 'ok', detail });
        return;
      }
      case 'incidentLimitReached': {
        const detail = `the workspace has ${command.limit} active incidents, its limit: incident ${command.incidentId} and later starts are refused until some resolve`;
        wf.log.warn('incident limit reached', { incidentId: command.incidentId, limit: command.limit });
        audit({ actor: 'workflow', action: 'incident.refused', outcome: 'failed', detail });
        return;
      }
      case 'forgetIntegration':
        if (run.patched(AUDIT_TRAIL_PATCH)) inBackground({ kind: 'purge', ref: { workspaceId: run.state.workspaceId, integrationId: command.integrationId } });
        else wf.log.info(`decision ${command.kind}`, { ...command });
        return;
      case 'readTelemetry':
        inFlight.reads++;
        void readTelemetry(command.activity, command.integrationIds).finally(() => inFlight.reads--);
        return;
      case 'withdrawHeld': {
        const detail = `withdrawal held: ${command.reason}`;
        wf.log.info('withdrawal held', { integrationId: command.integrationId, reason: command.reason });
        audit({ actor: 'workflow', action: 'withdraw.held', integration: command.integrationId, outcome: 'requested', detail });
        notify({ event: 'withdraw_held', integrationId: command.integrationId, operation: 'withdraw', detail });
        return;
      }
      case 'providerCalm':
        audit({ actor: 'workflow', action: 'provider.calm', integration: command.integrationId, outcome: 'ok', detail: `${command.detail}: withdrawing` });
        notify({ event: 'provider_calm', integrationId: command.integrationId, operation: 'withdraw', detail: command.detail });
        return;
      case 'calmWaitExpired':
        wf.log.warn('calm gate: maximum wait passed', { integrationId: command.integrationId, outcome: command.outcome });
        audit({ actor: 'workflow', action: 'withdraw.held-expired', integration: command.integrationId, outcome: command.outcome === 'withdraw' ? 'ok' : 'requested', detail: command.detail });
        notify({ event: 'calm_wait_expired', integrationId: command.integrationId, operation: 'withdraw', detail: command.detail });
        return;
      case 'telemetryUnavailable':
        wf.log.warn('provider telemetry unavailable', { integrationId: command.integrationId });
        audit({ actor: 'workflow', action: 'telemetry.unavailable', integration: command.integrationId, outcome: 'failed', detail: command.reason });
        notify({ event: 'telemetry_unavailable', integrationId: command.integrationId, operation: 'withdraw', detail: command.reason });
        return;
      case 'startHoldDown':
      case 'cancelHoldDown':
        // Timers follow the state: the workflow sleeps until the earliest deadline (nextDeadline).
        wf.log.info(`decision ${command.kind}`, { ...command });
        return;
      default: {
        const unknown: never = command;
        wf.log.warn('unknown decision', { command: unknown });
      }
    }
  }

  /** One provider operation; in dry run, its decision is recorded as if the provider had done it, and nothing is called. */
  async function runOperation(integrationId: string, op: Operation, seq: number, dryRun: boolean, manualUpTo?: number): Promise<void> {
    const { state } = run;
    const type = state.integrations[integrationId]?.config.type ?? 'unknown';
    // The catalog names the activity (it came with the configuration): the workflow knows no provider.
    const activity = proxies.operations[providerFacts(state, type)?.operations[op] ?? `${type}.${op}`]!;
    const verb = op === 'activate' ? 'divert' : 'withdraw';
    try {
      const incidents = Object.values(state.incidents);
      const firstIncidentAt = incidents.reduce<number | undefined>((first, i) => (first === undefined || i.receivedAt < first ? i.receivedAt : first), undefined);
      const context = { activeIncidents: incidents.length, ...(firstIncidentAt === undefined ? {} : { firstIncidentAt }) };
      // The success's audit record goes with the call: the activity writes it with the provider's detail.
      const success = { actor: 'workflow', action: dryRun ? `dry-run.${verb}` : verb, integration: integrationId, outcome: 'ok' as const };
      const result: OperationResult = dryRun
        ? await Promise.resolve({ diverted: op === 'activate', pending: false, detail: `dry run: would ${verb}; no provider call`, attempt: 0 })
        : await activity({ workspaceId: state.workspaceId, integrationId, operation: op, context, audit: { workspace: state.workspaceId, ...success } });
      manual.record(integrationId, manualUpTo, op, null);
      run.apply({ type: 'operationFinished', now: Date.now(), integrationId, seq, diverted: result.diverted, attempts: result.attempt });
      if (!(result.audited === true && run.patched(OPERATION_AUDIT_PATCH))) audit({ ...success, detail: result.detail });
      notify(
        dryRun
          ? { event: 'dry_run', integrationId, operation: op, detail: result.detail }
          : { event: op === 'activate' ? 'diverted' : 'withdrawn', integrationId, operation: op, detail: result.detail },
      );
    } catch (err) {
      const error = toOperationError(err);
      manual.record(integrationId, manualUpTo, op, error);
      run.apply({ type: 'operationFailed', now: Date.now(), integrationId, seq, error, attempts: failedAttempts(err, retry) });
      audit({ actor: 'workflow', action: verb, integration: integrationId, outcome: 'failed', detail: `${error.type}: ${error.message}` });
      notify({ event: 'operation_failed', integrationId, operation: op, error: { type: error.type, message: error.message } });
    }
  }

  /** Reconciliation: one status read; its answer goes to the rules. */
  async function checkStatus(integrationId: string): Promise<void> {
    try {
      const observed = await proxies.status.integrationStatus({ workspaceId: run.state.workspaceId, integrationId });
      run.apply({ type: 'statusObserved', now: Date.now(), integrationId, diverted: observed.diverted, pending: observed.pending, detail: observed.detail });
    } catch (err) {
      const error = toOperationError(err);
      run.apply({ type: 'statusCheckFailed', now: Date.now(), integrationId, error: `${error.type}: ${error.message}` });
    }
  }

  /** The calm gate: one telemetry read for integrations of one provider type; the answer goes to the rules. */
  async function readTelemetry(activity: string, integrationIds: string[]): Promise<void> {
    try {
      const { results } = await proxies.telemetry[activity]!({ workspaceId: run.state.workspaceId, integrationIds });
      run.apply({ type: 'telemetryRead', now: Date.now(), results });
    } catch (err) {
      const error = toOperationError(err);
      run.apply({ type: 'telemetryFailed', now: Date.now(), integrationIds, error: `${error.type}: ${error.message}` });
    }
  }

  return { dispatch, audit, notify, inBackground, inFlight };
}

export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function toOperationError(err: unknown): OperationError {
  const cause = err instanceof wf.ActivityFailure ? (err.cause ?? err) : err;
  if (cause instanceof wf.ApplicationFailure) {
    return { type: cause.type ?? 'ApplicationFailure', message: cause.message, nonRetryable: cause.nonRetryable ?? false };
  }
  if (cause instanceof wf.TimeoutFailure) {
    return { type: 'Timeout', message: `provider call timed out (${cause.timeoutType})`, nonRetryable: false };
  }
  return { type: 'OperationFailed', message: messageOf(cause), nonRetryable: false };
}

function failedAttempts(err: unknown, retry: OperationRetryOptions): number {
  const cause = err instanceof wf.ActivityFailure ? err.cause : undefined;
  if (cause instanceof wf.ApplicationFailure) {
    const details = cause.details?.[0] as Partial<OperationFailureDetails> | undefined;
    if (typeof details?.attempt === 'number') return details.attempt;
  }
  return retry.maximumAttempts;
}
