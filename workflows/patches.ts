/**
 * The workflow's patches (`patched()`): each guards a change in what a run records, so a history
 * recorded before it replays. A run takes a patch the first time it reaches it; every run that
 * starts after the change has it. Pure constants: the executor and the run decide where each is asked.
 *
 * A `workspaceScrubbingV2` run has every patch below without asking (`TAKEN_BY_V2`): it records no
 * patch marker for them and no `TemporalChangeVersion` upsert beside each marker (Core sends one per
 * first ask, deprecated or not). Only `workspaceScrubbing` runs (begun before V2, workspace.ts) ask them.
 */

/** Whether the run has a patch: `wf.patched` for a `workspaceScrubbing` run (workspace.ts). */
export type PatchCheck = (patchId: string) => boolean;

/** Histories recorded before the audit trail and purge existed replay without them. */
export const AUDIT_TRAIL_PATCH = 'audit-trail-v1';
/** Likewise for the search attributes the Temporal UI filters on. */
export const SEARCH_ATTRIBUTES_PATCH = 'search-attributes-v1';
/** Likewise for notifications. */
export const NOTIFICATIONS_PATCH = 'notifications-v1';
/**
 * The provider-aware rules (reconciliation, provider windows, flap damping, dry run): a run that
 * starts with it follows them (decide.ts); a run from before follows workflows/first-generation.ts.
 */
export const PROVIDER_POLICY_PATCH = 'provider-policy-v1';
/** Notifications, status reads and bookkeeping on the background task queue; runs recorded before it keep the workflow's queue. */
export const BACKGROUND_QUEUE_PATCH = 'background-task-queue-v1';
/** A run that starts without a predecessor reads the incident record (runs recorded before it did not). */
export const RECOVERY_PATCH = 'recover-incidents-v1';
/**
 * `ScrubbingState` shows what the provider shows (idle, diverted, failed): a diversion counts once
 * made, a withdrawal once done, so an operation costs one search-attribute upsert, not two (each is
 * a visibility write in Temporal). Runs recorded before it also published `diverting` and `withdrawing`.
 * Runs with it also ask the executor's patches (audit trail, notifications, operation audit) as they
 * start (run.ts), so no patch marker and its search-attribute upsert land in a run's first diversion;
 * runs recorded before it ask them where the executor first needs them.
 */
export const SETTLED_SCRUBBING_STATE_PATCH = 'settled-scrubbing-state-v1';
/**
 * A provider operation's success is audited by its activity (runs recorded before it audit it with a
 * separate bookkeeping activity, whose completion cost a workflow task on the attack path).
 */
export const OPERATION_AUDIT_PATCH = 'operation-audit-v1';
/**
 * At most 10 notification activities in flight per run, the rest waiting (at most 200, oldest dropped
 * beyond): workflows/notification-queue.ts. Asked as every run starts (run.ts); a run recorded before
 * it started as many as it had events.
 */
export const BOUNDED_NOTIFICATIONS_PATCH = 'bounded-notifications-v1';

/** Every patch above: a `workspaceScrubbingV2` run has them all and asks none (a patch added later is asked by both types). An array: the SDK freezes it, not a Set's contents. */
export const TAKEN_BY_V2: readonly string[] = [
  AUDIT_TRAIL_PATCH,
  SEARCH_ATTRIBUTES_PATCH,
  NOTIFICATIONS_PATCH,
  PROVIDER_POLICY_PATCH,
  BACKGROUND_QUEUE_PATCH,
  RECOVERY_PATCH,
  SETTLED_SCRUBBING_STATE_PATCH,
  OPERATION_AUDIT_PATCH,
  BOUNDED_NOTIFICATIONS_PATCH,
];
