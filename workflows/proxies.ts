/**
 * The activities a workspace run calls, each kind with the timeouts and retries its job needs,
 * typed from the activity contract (`WorkflowActivities`, which the worker's factory builds on).
 * Provider operations keep the workflow's task queue; everything else runs on the background
 * queue, so it never takes a slot a provider operation needs.
 */
import * as wf from '@temporalio/workflow';
import { AUDIT_ACTIVITY, LOAD_CONFIG_ACTIVITY, NOTIFY_ACTIVITY, PURGE_ACTIVITY, RECOVER_ACTIVITY, type OperationActivity, type TelemetryActivity, type WorkflowActivities } from './activity-names';
import { backgroundTaskQueue, type OperationRetryOptions } from './messages';
import { BACKGROUND_QUEUE_PATCH, type PatchCheck } from './patches';

export const DEFAULT_OPERATION_RETRY: OperationRetryOptions = {
  initialIntervalMs: 1_000,
  maximumIntervalMs: 30_000,
  maximumAttempts: 20,
  startToCloseTimeoutMs: 60_000,
  heartbeatTimeoutMs: 10_000,
};

export type ActivityProxies = ReturnType<typeof activityProxies>;

/** Creates the proxies; asks the background-queue patch, so it runs first in a run, as it always has. */
export function activityProxies(retry: OperationRetryOptions, patched: PatchCheck) {
  const operations = wf.proxyActivities<Record<string, OperationActivity>>({
    startToCloseTimeout: retry.startToCloseTimeoutMs,
    ...(retry.heartbeatTimeoutMs ? { heartbeatTimeout: retry.heartbeatTimeoutMs } : {}),
    retry: {
      initialInterval: retry.initialIntervalMs,
      backoffCoefficient: 2,
      maximumInterval: retry.maximumIntervalMs,
      maximumAttempts: retry.maximumAttempts,
    },
  });

  const background = patched(BACKGROUND_QUEUE_PATCH) ? { taskQueue: backgroundTaskQueue(wf.workflowInfo().taskQueue) } : {};

  // Bookkeeping never blocks a diversion and is retried until the database answers.
  const bookkeeping = wf.proxyActivities<Pick<WorkflowActivities, typeof AUDIT_ACTIVITY | typeof PURGE_ACTIVITY>>({
    ...background,
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  });

  // Notifications have their own, bounded retries: a channel that stays down is given up.
  const notifications = wf.proxyActivities<Pick<WorkflowActivities, typeof NOTIFY_ACTIVITY>>({
    ...background,
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
  });

  // A status read is a snapshot: a few quick attempts, and the next reconciliation tries again.
  const status = wf.proxyActivities<Pick<WorkflowActivities, 'integrationStatus'>>({
    ...background,
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 3 },
  });

  // Telemetry for the calm gate: a snapshot too; a read that fails leaves the hold-down rule to decide.
  const telemetry = wf.proxyActivities<Record<string, TelemetryActivity>>({
    ...background,
    startToCloseTimeout: '45 seconds',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 2 },
  });

  // The incident record and the configuration: local activities, so they cost no extra round trip through Temporal.
  const local = wf.proxyLocalActivities<Pick<WorkflowActivities, typeof RECOVER_ACTIVITY | typeof LOAD_CONFIG_ACTIVITY>>({
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 5 },
  });

  return { operations, bookkeeping, notifications, status, telemetry, local };
}
