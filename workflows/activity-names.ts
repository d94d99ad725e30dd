/**
 * Activity type names and the shapes of their inputs and results. Pure: shared by the workflow
 * (to call) and the worker (to register). Provider operations are named by the catalog
 * (`ProviderDefinition.operations`, e.g. `cloudflare.advertise`), which reaches the workflow
 * with the configuration.
 */
import type { IncidentStart, IntegrationConfig, Operation } from './state';
import type { WorkspaceConfig } from './messages';
import type { ProviderStatus, TelemetryResult } from '../catalog/contract';
import type { NotificationEvent } from '../catalog/notifications';

export interface OperationInput {
  workspaceId: string;
  integrationId: string;
  operation: Operation;
  /** For metrics only: the workspace's active incidents when the operation was dispatched. */
  context?: { activeIncidents: number; firstIncidentAt?: number };
  /**
   * The audit record of the operation's success, written by the activity itself (with the
   * provider's detail) before it returns, so it costs the workflow no activity and no workflow task.
   */
  audit?: Omit<AuditEntry, 'detail'>;
}

export interface OperationResult {
  /** Whether the provider now diverts (or is switching to divert) traffic. */
  diverted: boolean;
  /** The provider accepted the change but has not applied it yet (e.g. BGP convergence). */
  pending: boolean;
  detail: string;
  /** Which attempt succeeded (1 = first try). */
  attempt: number;
  /** The input's audit record was written (false or absent: the workflow records it). */
  audited?: boolean;
}

/** Carried in an operation failure's details so the workflow can show the attempt count. */
export interface OperationFailureDetails {
  attempt: number;
}

/** Bookkeeping activities: the audit trail and removing deleted integrations once forgotten. */
export const AUDIT_ACTIVITY = 'audit.record';
export const PURGE_ACTIVITY = 'integrations.purge';
/** Sends one event to the workspace's notification channels (activities/notifications). */
export const NOTIFY_ACTIVITY = 'notifications.send';

/**
 * The workspace's non-secret configuration as it is now (a local activity): the API announces a
 * new version with a small `configPublished` signal and the workflow reads it, so a snapshot is
 * never carried by every message (null: no such workspace).
 */
export const LOAD_CONFIG_ACTIVITY = 'config.load';

export interface LoadConfigInput {
  workspaceId: string;
  /** The integrations the run has, by `configFingerprint`: those unchanged do not come back. */
  known: Record<string, string>;
}

/** A configuration as a delta against `known`: every integration's ID, in order, and those that differ whole. */
export interface ConfigDelta {
  version: number;
  holdDownSeconds: number;
  policy?: WorkspaceConfig['policy'];
  notifications?: boolean;
  providers?: WorkspaceConfig['providers'];
  ids: string[];
  changed: IntegrationConfig[];
}

/** A run that starts without a predecessor reads the incident record (a local activity). */
export const RECOVER_ACTIVITY = 'incidents.recover';

export interface RecoverInput {
  workspaceId: string;
  /** Incidents the run already has (they need not come back). */
  known: string[];
  /** Where the page starts (the previous page's `next`). */
  after?: string;
  /** The run has integrations: the first page brings the manual Activates that hold some (`manualActivations`). */
  manualHolds?: boolean;
}

export interface RecoveredIncidents {
  /** Active incidents not in `known`, in record order, one page. */
  active: IncidentStart[];
  /** Where the next page starts, when there is more. */
  next?: string;
  /** The workspace has incident records other than `known` (active, or resolved within a week): a run came before. */
  earlier: boolean;
  /** With the first page: integrations whose last manual action was an Activate (store/manual-holds.ts). */
  manualActivations?: string[];
}

export interface AuditEntry {
  workspace: string;
  /** An API key id, or "workflow" for automatic decisions. */
  actor: string;
  action: string;
  integration?: string;
  incident?: string;
  outcome: 'ok' | 'failed' | 'requested';
  detail?: string;
}

export interface IntegrationRef {
  workspaceId: string;
  integrationId: string;
}

/** A provider operation (`<provider>.<operation>`, named by the catalog). */
export type OperationActivity = (input: OperationInput) => Promise<OperationResult>;

/** A provider's telemetry for some of a workspace's integrations (`<provider>.readTelemetry`, named by the catalog). */
export interface TelemetryInput {
  workspaceId: string;
  integrationIds: string[];
}
export interface TelemetryOutput {
  results: TelemetryResult[];
}
export type TelemetryActivity = (input: TelemetryInput) => Promise<TelemetryOutput>;

/**
 * The activities the workflow calls besides provider operations. The worker's factory
 * (`createActivities`) returns a type built on this one, so a proxy and the activity it calls
 * cannot disagree.
 */
export interface WorkflowActivities {
  integrationStatus(ref: IntegrationRef): Promise<ProviderStatus>;
  [AUDIT_ACTIVITY](entry: AuditEntry): Promise<void>;
  [PURGE_ACTIVITY](ref: IntegrationRef): Promise<void>;
  [NOTIFY_ACTIVITY](event: NotificationEvent): Promise<unknown>;
  [RECOVER_ACTIVITY](input: RecoverInput): Promise<RecoveredIncidents>;
  [LOAD_CONFIG_ACTIVITY](input: LoadConfigInput): Promise<ConfigDelta | null>;
}
