/**
 * The worker's activities, built by a factory from their dependencies so tests
 * can swap any of them. Activities take IDs, load credentials themselves and
 * turn provider errors into Temporal failures: non-retryable where retrying
 * cannot help, with the provider's Retry-After as the next retry delay.
 * They never return or log a credential.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  AUDIT_ACTIVITY,
  LOAD_CONFIG_ACTIVITY,
  NOTIFY_ACTIVITY,
  PURGE_ACTIVITY,
  RECOVER_ACTIVITY,
  type AuditEntry,
  type RecoveredIncidents,
  type RecoverInput,
  type IntegrationRef,
  type OperationActivity,
  type TelemetryActivity,
  type WorkflowActivities,
  OperationFailureDetails,
  OperationResult,
} from '../workflows/activity-names';
import type { IntegrationStore } from './integration-store';
import type { WorkspaceConfig } from '../workflows/messages';
import { configFingerprint } from '../workflows/state';
import { createNotifyActivity, type DeliveryReport, type NotificationOptions } from './notifications';
import type { NotificationEvent } from '../catalog/notifications';
import type { WorkerMetrics } from './metrics';
import { operationActivityNames, telemetryActivityNames } from '../catalog';
import { ProviderConfigError, ProviderError } from '../catalog/errors';
import type { ProviderAdapter, ProviderRegistry, ProviderTestResult } from '../catalog/contract';

export interface AuditSink {
  record(entry: AuditEntry): Promise<void>;
}

/** The incident record (store/incidents.ts); without it, a run that starts fresh recovers nothing. */
export interface IncidentRecord {
  recover(workspaceId: string, known: string[], limit: number, page?: Pick<RecoverInput, 'after' | 'manualHolds'>): Promise<RecoveredIncidents>;
}

/** Where the workflow reads the workspace's configuration (store/workspaces.ts `configSnapshot`). */
export interface ConfigSource {
  configSnapshot(workspaceId: string): Promise<WorkspaceConfig | undefined>;
}

/** Incidents a recovery page carries (a page stays far below Temporal's payload limit). */
export const RECOVERY_PAGE = 2_000;

export interface ActivityDependencies {
  integrations: IntegrationStore;
  incidents?: IncidentRecord;
  /** Without it, a `configPublished` signal changes nothing (tests that hand the workflow whole snapshots). */
  configs?: ConfigSource;
  providers: ProviderRegistry;
  audit: AuditSink;
  /** Where events go; without it, the notification activity delivers nothing. */
  notifications?: NotificationOptions;
  metrics?: WorkerMetrics;
}

export type { OperationActivity } from '../workflows/activity-names';

/**
 * Operation activities by `<provider>.<operation>` name, plus the others: those the workflow calls
 * (its contract, `WorkflowActivities`) and the integration Test the API runs.
 */
export type ScrubbingActivities = Record<string, OperationActivity> &
  WorkflowActivities & {
    testIntegration(ref: IntegrationRef): Promise<ProviderTestResult>;
    [NOTIFY_ACTIVITY]: (event: NotificationEvent) => Promise<DeliveryReport>;
  };

export function createActivities(deps: ActivityDependencies): ScrubbingActivities {
  /** `fresh`: read the integration whatever the worker remembers (an operator's Test); a retry always reads it afresh. */
  async function withAdapter<T>(
    ref: IntegrationRef,
    run: (adapter: ProviderAdapter, integration: Awaited<ReturnType<IntegrationStore['loadForOperation']>>) => Promise<T>,
    { fresh = false } = {},
  ): Promise<T> {
    const attempt = Context.current().info.attempt;
    try {
      const integration = await deps.integrations.loadForOperation(ref.workspaceId, ref.integrationId, { fresh: fresh || attempt > 1 });
      const adapter = deps.providers[integration.type];
      if (!adapter) throw new ProviderConfigError(`no provider adapter for type ${integration.type}`);
      return await run(adapter, integration);
    } catch (err) {
      throw toActivityFailure(err, attempt);
    }
  }

  /**
   * The operation's audit record, written before the result goes back; if the database refuses
   * it, the workflow records it in the background instead (the diversion does not wait or fail).
   */
  async function recordOutcome(entry: AuditEntry): Promise<boolean> {
    try {
      await deps.audit.record(entry);
      return true;
    } catch (err) {
      Context.current().log.warn('audit record left to the workflow', { error: err instanceof Error ? err.message : String(err) });
      return false;
    }
  }

  /** Registered under every `<provider>.<operation>` name; the input says which operation. */
  const runProviderOperation: OperationActivity = async (input) => {
    const { attempt, activityType } = Context.current().info;
    const provider = activityType.split('.')[0] ?? 'unknown';
    const started = Date.now();
    const seconds = () => (Date.now() - started) / 1000;
    try {
      const status = await heartbeating(() => withAdapter(input, (adapter, integration) => (input.operation === 'activate' ? adapter.activate(integration) : adapter.withdraw(integration))));
      deps.metrics?.providerCall({ provider, operation: input.operation, outcome: 'ok', seconds: seconds() });
      deps.metrics?.operationSucceeded({
        workspaceId: input.workspaceId,
        integrationId: input.integrationId,
        provider,
        operation: input.operation,
        diverted: status.diverted,
        ...(input.context ? { activeIncidents: input.context.activeIncidents } : {}),
        ...(input.context?.firstIncidentAt === undefined ? {} : { divertLatencySeconds: (Date.now() - input.context.firstIncidentAt) / 1000 }),
      });
      const result: OperationResult = { diverted: status.diverted, pending: status.pending, detail: status.detail, attempt };
      return input.audit ? { ...result, audited: await recordOutcome({ ...input.audit, detail: status.detail }) } : result;
    } catch (err) {
      const retryable = !(err instanceof ApplicationFailure && err.nonRetryable);
      deps.metrics?.providerCall({ provider, operation: input.operation, outcome: retryable ? 'retryable_error' : 'failed', seconds: seconds() });
      throw err;
    }
  };

  const operations: Record<string, OperationActivity> = Object.fromEntries(operationActivityNames().map((name) => [name, runProviderOperation]));

  /**
   * Registered under every `<provider>.readTelemetry` name: loads the integrations (credentials
   * decrypted here, never in the workflow) and asks the adapter once for all of them, so it can
   * group them by account. An integration it cannot load is `unavailable`, with the reason.
   */
  const readTelemetry: TelemetryActivity = async ({ workspaceId, integrationIds }) => {
    const provider = Context.current().info.activityType.split('.')[0] ?? 'unknown';
    const adapter = deps.providers[provider];
    const loaded = await Promise.all(
      integrationIds.map((id) =>
        deps.integrations.loadForOperation(workspaceId, id).then(
          (integration) => ({ id, integration }),
          (err: unknown) => ({ id, error: err instanceof ProviderError ? err.message : 'the integration could not be loaded' }),
        ),
      ),
    );
    const failed = loaded.flatMap((l) => ('error' in l ? [{ integrationId: l.id, unavailable: l.error }] : []));
    const integrations = loaded.flatMap((l) => ('integration' in l ? [l.integration] : []));
    if (!adapter?.readTelemetry) return { results: [...failed, ...integrations.map((i) => ({ integrationId: i.id, unavailable: `no telemetry for provider type ${provider}` }))] };
    const read = integrations.length > 0 ? await adapter.readTelemetry(integrations, new Date()) : [];
    return { results: [...failed, ...read] };
  };
  const telemetry: Record<string, TelemetryActivity> = Object.fromEntries(telemetryActivityNames().map((name) => [name, readTelemetry]));

  const others: Pick<
    ScrubbingActivities,
    'integrationStatus' | 'testIntegration' | typeof AUDIT_ACTIVITY | typeof PURGE_ACTIVITY | typeof NOTIFY_ACTIVITY | typeof RECOVER_ACTIVITY | typeof LOAD_CONFIG_ACTIVITY
  > = {
    integrationStatus: (ref) => withAdapter(ref, (adapter, integration) => adapter.status(integration)),
    testIntegration: (ref) => withAdapter(ref, (adapter, integration) => adapter.test(integration), { fresh: true }),
    [AUDIT_ACTIVITY]: (entry) => deps.audit.record(entry),
    [PURGE_ACTIVITY]: (ref) => deps.integrations.purge(ref.workspaceId, ref.integrationId),
    [NOTIFY_ACTIVITY]: createNotifyActivity(deps.notifications, deps.metrics),
    [LOAD_CONFIG_ACTIVITY]: async ({ workspaceId, known }) => {
      if (!deps.configs) throw ApplicationFailure.create({ type: 'NoConfigSource', message: 'this worker has no configuration source', nonRetryable: true });
      const snapshot = await deps.configs.configSnapshot(workspaceId);
      if (!snapshot) return null;
      const { integrations, ...rest } = snapshot;
      return { ...rest, ids: integrations.map((i) => i.id), changed: integrations.filter((i) => known[i.id] !== configFingerprint(i)) };
    },
    [RECOVER_ACTIVITY]: (input) => (deps.incidents ? deps.incidents.recover(input.workspaceId, input.known, RECOVERY_PAGE, input) : Promise.resolve({ active: [], earlier: false })),
  };
  // The telemetry activities sit beside the operations under their catalog names; the index type
  // names only operations (what callers look up by name), so they are added untyped.
  return Object.assign<Record<string, OperationActivity>, typeof others>(Object.assign(operations, telemetry as Record<string, unknown> as Record<string, OperationActivity>), others);
}

/**
 * Runs `fn` while heartbeating a third of the heartbeat timeout apart, so Temporal notices a
 * lost worker within that timeout and retries the call on another (the adapters read before
 * they write, so the retry makes no second change). A call that ends sooner sends none.
 */
async function heartbeating<T>(fn: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timeout = context.info.heartbeatTimeoutMs;
  if (!timeout) return fn();
  const timer = setInterval(() => context.heartbeat(), Math.max(200, Math.floor(timeout / 3)));
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

/** Maps an error to the failure Temporal sees; unknown errors stay retryable. */
function toActivityFailure(err: unknown, attempt: number): ApplicationFailure {
  const details: OperationFailureDetails = { attempt };
  if (err instanceof ProviderError) {
    return ApplicationFailure.create({
      type: err.name,
      message: err.message,
      nonRetryable: !err.retryable,
      ...(err.retryable && err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
      details: [details],
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.create({ type: 'UnexpectedError', message, nonRetryable: false, details: [details] });
}
