/**
 * The workspace workflow's contract with its clients (API, detectors, tests):
 * workflow ID, task queue, signal/query/update definitions and their payloads.
 * Imported by the workflow and by clients; it must stay free of Node built-ins
 * and of anything that could carry a credential.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { IncidentStart, IntegrationConfig, IntegrationView, WorkspaceState, WorkspaceView } from './state';
import type { ProviderFacts, WorkspacePolicy } from './policy';
import type { AuditEntry, IntegrationRef } from './activity-names';
import type { NotificationEvent } from '../catalog/notifications';

export type { IncidentStart, IntegrationConfig, IntegrationView, WorkspaceView } from './state';

export const TASK_QUEUE = 'scrubbing';
/** The workspace workflow every run starts as (workflows/workspace.ts); it records no patch marker. */
export const WORKFLOW_TYPE = 'workspaceScrubbingV2';
/** Runs begun before V2 keep this type until they continue as new (into `WORKFLOW_TYPE`). */
export const LEGACY_WORKFLOW_TYPE = 'workspaceScrubbing';

/**
 * Notifications, status reads, audit records and purges run on their own task queue (and
 * worker slots), so a flood of channels that never answer cannot delay a provider operation.
 */
export function backgroundTaskQueue(taskQueue: string): string {
  return `${taskQueue}-background`;
}

/** One workflow per workspace: `scrubbing-<workspaceId>`. */
export function workspaceWorkflowId(workspaceId: string): string {
  return `scrubbing-${workspaceId}`;
}

/** The non-secret configuration of a workspace, as a versioned snapshot. */
export interface WorkspaceConfig {
  /** Monotonic (e.g. a counter or an updatedAt in ms); older snapshots are ignored. */
  version: number;
  holdDownSeconds: number;
  integrations: IntegrationConfig[];
  /** The workspace has notification channels: the workflow sends its events to them. */
  notifications?: boolean;
  /** Reconciliation and flap damping knobs; each absent one has its default (workflows/policy.ts). */
  policy?: Partial<WorkspacePolicy>;
  /** For each provider type of `integrations`, what the catalog says of it (absent: `LEGACY_PROVIDER_FACTS`). */
  providers?: Record<string, ProviderFacts>;
}

/** Knobs for provider operations; defaults follow the issue (1 s, x2, 30 s cap). */
export interface OperationRetryOptions {
  initialIntervalMs: number;
  maximumIntervalMs: number;
  maximumAttempts: number;
  /** Per provider attempt. */
  startToCloseTimeoutMs: number;
  /** A provider call whose worker stops heartbeating for this long is retried elsewhere (a lost worker costs seconds, not the whole attempt). */
  heartbeatTimeoutMs?: number;
}

export interface WorkspaceWorkflowInput {
  workspaceId: string;
  /**
   * The configuration to start from. Absent, the run reads it (`config.load`) before it decides
   * anything: an incident report's start input then carries only the workspace's ID.
   */
  config?: WorkspaceConfig;
  retry?: Partial<OperationRetryOptions>;
  /** Continue-as-new once history reaches this many events (tests); Temporal's suggestion always applies. */
  continueAsNewAfterEvents?: number;
  /** Set by continue-as-new only: the state carried from the previous run. */
  carried?: WorkspaceState;
  /** Set by continue-as-new only: audit records, purges and notifications the previous run had not finished; sent again. */
  bookkeeping?: BookkeepingTask[];
}

/** A background task that must outlive a continue-as-new: it is carried to the next run and sent again. */
export type BookkeepingTask = { kind: 'audit'; entry: AuditEntry } | { kind: 'purge'; ref: IntegrationRef } | { kind: 'notify'; event: NotificationEvent };

export interface IncidentResolved {
  incidentId: string;
  resolvedAt?: string;
}

export interface ManualActionRequest {
  integrationId: string;
  /** Who asked (API key id); recorded in state, never a secret. */
  actor?: string;
  reason?: string;
  /** The API request that asked, for log correlation. */
  requestId?: string;
}

/** One incident report as the API received it (`requestId` for log correlation only). */
export type IncidentReport = { kind: 'started'; payload: IncidentStart & { requestId?: string } } | { kind: 'resolved'; payload: IncidentResolved };

/**
 * What a report's signal may carry beside the report: the workspace's configuration version,
 * when the API process sending it has not announced that version yet. The workflow reads the
 * configuration unless it has that version (as on `configPublished`), so a report never needs a
 * second signal. Not part of the incident.
 */
export interface Announcement {
  configVersion?: number;
}

/**
 * Reports of one workspace in the order the API received them. Under a flood the API sends
 * the reports that arrived while its previous signal was in flight as one signal: Temporal
 * force-fails a workflow task when 100 events buffer behind it, and caps a run at 10,000 signals.
 */
export interface IncidentReportBatch extends Announcement {
  reports: IncidentReport[];
}
/** Reports one `incidentReports` signal carries at most (about 100 KB at the largest report). */
export const MAX_REPORTS_PER_SIGNAL = 200;

export const incidentStartedSignal = defineSignal<[IncidentStart & Announcement]>('incidentStarted');
export const incidentReportsSignal = defineSignal<[IncidentReportBatch]>('incidentReports');
export const incidentResolvedSignal = defineSignal<[IncidentResolved & Announcement]>('incidentResolved');
export const integrationsChangedSignal = defineSignal<[WorkspaceConfig]>('integrationsChanged');
/** A new configuration version exists: the workflow reads it (`config.load`); the snapshot itself never rides on a message. */
export interface ConfigPublished {
  version: number;
}
export const configPublishedSignal = defineSignal<[ConfigPublished]>('configPublished');
export const stateQuery = defineQuery<WorkspaceView>('state');
export const activateUpdate = defineUpdate<IntegrationView, [ManualActionRequest]>('activate');
export const withdrawUpdate = defineUpdate<IntegrationView, [ManualActionRequest]>('withdraw');
