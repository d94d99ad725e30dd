/**
 * Notification contracts shared by the workflow (what it emits), the store (channels) and the
 * notification activity: what the workflow tells the activity, and what a channel is. No
 * secrets in events. The senders are in activities/notifications.
 */
export const NOTIFICATION_EVENTS = [
  'diverted',
  'withdrawn',
  'operation_failed',
  'manual_action',
  'drift',
  'dry_run',
  'activation_deferred',
  // The calm gate (workflows/calm-gate.ts).
  'withdraw_held',
  'provider_calm',
  'calm_wait_expired',
  'telemetry_unavailable',
] as const;
export type NotificationEventName = (typeof NOTIFICATION_EVENTS)[number];
export const CHANNEL_TYPES = ['webhook', 'slack', 'pagerduty'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export interface NotificationEvent {
  /** Unique per event and stable across retries: receivers can drop duplicates by it. */
  id: string;
  event: NotificationEventName;
  workspaceId: string;
  workflowId: string;
  integration: { id: string; type: string; name?: string };
  /**
   * The provider operation: the one that ran (diverted, withdrawn, operation_failed,
   * manual_action), would have run (dry_run), waits (activation_deferred), or repairs a drift
   * (drift; absent when the integration only reports drift), is held or released by the calm
   * gate (withdraw_held, provider_calm, calm_wait_expired, telemetry_unavailable: withdraw).
   */
  operation?: 'activate' | 'withdraw';
  /** Active incident IDs when it happened, the first 20 in ID order; `incidentCount` counts them all. */
  incidents: string[];
  /** Absent in events sent before it was added: then `incidents` lists them all. */
  incidentCount?: number;
  /** For operation_failed (and a failed manual action): the provider's error class and message. */
  error?: { type: string; message: string };
  /** Who took a manual action (API key id). */
  actor?: string;
  detail?: string;
  /** When it happened (workflow time), ISO 8601. */
  at: string;
}

export interface DeliverableChannel {
  id: string;
  type: ChannelType;
  name: string;
  /** Empty = every event. */
  events: string[];
  settings: Record<string, unknown>;
  secrets: Record<string, unknown>;
}
