/**
 * The pure decision module: (state, event) -> (new state, commands).
 * Every scrubbing rule lives here so it can be table-tested without a server.
 * It must never import Temporal, read the clock or do I/O: time comes in the event.
 */
import type { TelemetryResult } from '../catalog/contract';
import { holdsWithdrawal, recordReadings, release, scheduleTelemetry, type CalmCommand } from './calm-gate';
import { addressInAnyCidr, isValidAddress } from './cidr';
import { effectiveHoldDown, recentWaves, workspacePolicy, type ProviderFacts, type WorkspacePolicy } from './policy';
import {
  ActiveIncident,
  IncidentStart,
  IntegrationConfig,
  IntegrationState,
  MAX_ACTIVE_INCIDENTS,
  MAX_REMEMBERED_INCIDENT_IDS,
  Operation,
  OperationError,
  WorkspaceState,
  type DriftRecord,
  incidentKey,
  integrationTiming,
  newIntegrationState,
  normaliseConfig,
} from './state';

export * from './state';

export type WorkspaceEvent =
  | { type: 'incidentStarted'; now: number; incident: IncidentStart }
  | { type: 'incidentResolved'; now: number; incidentId: string }
  /**
   * A run that started without a predecessor read the incident record: the incidents still
   * active; `readProviders` when a run came before it (the provider's state is read, not assumed).
   */
  | { type: 'incidentsRecovered'; now: number; incidents: IncidentStart[]; readProviders: boolean }
  | {
      type: 'configChanged';
      now: number;
      config: { version: number; holdDownSeconds: number; integrations: IntegrationConfig[]; policy?: Partial<WorkspacePolicy>; providers?: Record<string, ProviderFacts> };
    }
  | { type: 'operationFinished'; now: number; integrationId: string; seq: number; diverted: boolean; attempts: number }
  | { type: 'operationFailed'; now: number; integrationId: string; seq: number; error: OperationError; attempts: number }
  | { type: 'timerFired'; now: number }
  | { type: 'manualAction'; now: number; integrationId: string; action: Operation }
  // Provider policy: the answer to a `checkStatus` command.
  | { type: 'statusObserved'; now: number; integrationId: string; diverted: boolean; pending: boolean; detail: string }
  | { type: 'statusCheckFailed'; now: number; integrationId: string; error: string }
  // The calm gate (calm-gate.ts): the answer to a `readTelemetry` command, or its failure.
  | { type: 'telemetryRead'; now: number; results: TelemetryResult[] }
  | { type: 'telemetryFailed'; now: number; integrationIds: string[]; error: string };

export type Command =
  /** `dryRun`: record that the operation would run, without calling the provider. */
  | { kind: 'runOperation'; integrationId: string; op: Operation; seq: number; dryRun?: true }
  | { kind: 'startHoldDown'; integrationId: string; until: number; reason?: string }
  | { kind: 'cancelHoldDown'; integrationId: string }
  | { kind: 'forgetIntegration'; integrationId: string }
  // Provider policy.
  | { kind: 'checkStatus'; integrationId: string }
  | { kind: 'driftDetected'; integrationId: string; drift: DriftRecord; detail: string }
  | { kind: 'activationDeferred'; integrationId: string; until: number; reason: string }
  /** A run without a predecessor found the provider diverted: taken as ours (withdrawn after the hold-down if nothing triggers it). */
  | { kind: 'diversionAdopted'; integrationId: string; detail: string }
  /** The workspace has MAX_ACTIVE_INCIDENTS active incidents: this start (the first refused since it reached them) and later ones are refused. */
  | { kind: 'incidentLimitReached'; incidentId: string; limit: number }
  // The calm gate: telemetry reads, held and released withdrawals.
  | CalmCommand;

export interface Decision {
  state: WorkspaceState;
  commands: Command[];
}

/** Applies one event and reconciles every integration. Never mutates its input. */
export function decide(previous: WorkspaceState, event: WorkspaceEvent): Decision {
  return decideInPlace(JSON.parse(JSON.stringify(previous)) as WorkspaceState, event);
}

/**
 * The same decision, made on `state` itself: the workflow owns its state and keeps only the
 * result, so nothing is copied and an event costs the same whatever the attack's size (the
 * incident map is updated in place; which integrations incidents trigger is counted as they
 * come and go).
 */
export function decideInPlace(state: WorkspaceState, event: WorkspaceEvent): Decision {
  const commands: Command[] = [];
  applyEvent(state, event, commands);
  // Flap damping: the hold-down this event's waves give (shown in the view, used by every integration).
  state.holdDown = effectiveHoldDown(state.holdDownSeconds, state.waves ?? [], event.now, policyOf(state));
  for (const integration of Object.values(state.integrations)) {
    reconcileIntegration(state, integration, event.now, commands);
  }
  scheduleReconciliation(state, event.now, commands);
  scheduleTelemetry(state, event.now, commands);
  return { state, commands };
}

/** The rules a run follows, chosen once when it starts (workflows/run.ts). */
export interface RuleSet {
  decide(state: WorkspaceState, event: WorkspaceEvent): Decision;
  /** Continue as new only at a quiet moment (no background work running), however long that takes. */
  continuesOnlyWhenQuiet: boolean;
}

/** Every run that starts now: a channel that keeps failing cannot keep the history growing (workspace.ts). */
export const PROVIDER_AWARE_RULES: RuleSet = { decide: decideInPlace, continuesOnlyWhenQuiet: false };

const policyOf = (state: WorkspaceState): WorkspacePolicy => state.policy ?? workspacePolicy();

/** Whether `incident` triggers `integration` automatically (README, How it decides). */
export function triggers(integration: IntegrationState, incident: IncidentStart): boolean {
  const { autoDivert, scope } = integration.config;
  if (!autoDivert || integration.removed) return false;
  if (scope === 'workspace') return true;
  // Without a usable target we cannot rule the integration out: divert rather than miss an attack.
  if (incident.target === undefined || !isValidAddress(incident.target)) return true;
  return addressInAnyCidr(incident.target, scope);
}

/**
 * Whether an active incident triggers the integration. The count is kept as incidents start and
 * resolve and recounted only when the integration's configuration changes (or for a state carried
 * from a run before it), so an event costs the same with one incident or thousands.
 */
export function isTriggered(state: WorkspaceState, integration: IntegrationState): boolean {
  return triggerCount(state, integration) > 0;
}

function triggerCount(state: WorkspaceState, integration: IntegrationState): number {
  if (integration.triggeredBy === undefined) {
    let count = 0;
    for (const incident of Object.values(state.incidents)) if (triggers(integration, incident)) count++;
    integration.triggeredBy = count;
  }
  return integration.triggeredBy;
}

/** Applies the event to the state; shared with the rules of runs from before provider-policy-v1 (first-generation.ts). */
export function applyEvent(state: WorkspaceState, event: WorkspaceEvent, commands: Command[]): void {
  switch (event.type) {
    case 'incidentStarted':
      return startIncident(state, event.incident, event.now, commands);
    case 'statusObserved':
      return observeStatus(state, event, commands);
    case 'statusCheckFailed':
      return statusUnknown(state, event.integrationId, event.error, event.now);
    case 'incidentResolved':
      return resolveIncident(state, event.incidentId);
    case 'incidentsRecovered':
      return recoverIncidents(state, event, commands);
    case 'configChanged':
      return changeConfig(state, event.config, event.now);
    case 'operationFinished':
    case 'operationFailed':
      return finishOperation(state, event);
    case 'manualAction':
      return takeManualAction(state, event.integrationId, event.action);
    case 'telemetryRead':
      return recordReadings(state, event.results, event.now);
    case 'telemetryFailed':
      return recordReadings(
        state,
        event.integrationIds.map((integrationId) => ({ integrationId, unavailable: event.error })),
        event.now,
      );
    case 'timerFired':
      return; // Expired hold-downs are found by reconcileIntegration from `now`.
  }
}

function startIncident(state: WorkspaceState, incident: IncidentStart, now: number, commands: Command[]): void {
  const id = incidentKey(incident.incidentId);
  // Idempotent on the ID; a start after its resolve (late duplicate or out of order) is ignored.
  if (state.incidents[id] || state.closedIncidentIds.includes(id)) return;
  const active: ActiveIncident = { ...incident, receivedAt: now };
  // A new attack wave: the first incident while none is active (flap damping counts them).
  const count = incidentCount(state);
  if (count >= MAX_ACTIVE_INCIDENTS) {
    // The cap: refused (the API answers 429 before this; a client that signals directly lands here).
    state.refusedIncidents = (state.refusedIncidents ?? 0) + 1;
    if (state.refusedIncidents === 1) commands.push({ kind: 'incidentLimitReached', incidentId: incident.incidentId, limit: MAX_ACTIVE_INCIDENTS });
    return;
  }
  if (count === 0) {
    state.waves = [...recentWaves(state.waves ?? [], now, policyOf(state)), now];
  }
  for (const integration of Object.values(state.integrations)) {
    const before = triggerCount(state, integration); // counted without this incident
    if (!triggers(integration, active)) continue;
    integration.triggeredBy = before + 1;
    // A new attack ends a manual withdraw and retries a failed operation.
    if (integration.manual === 'withdraw') integration.manual = null;
    if (integration.actual === 'failed') integration.retryRequested = true;
  }
  state.incidents[id] = active;
  state.incidentCount = count + 1;
}

function recoverIncidents(state: WorkspaceState, event: Extract<WorkspaceEvent, { type: 'incidentsRecovered' }>, commands: Command[]): void {
  // Each is an ordinary start: one already known, or resolved in this run, changes nothing.
  for (const incident of event.incidents) startIncident(state, incident, event.now, commands);
  if (!event.readProviders) return;
  // Read every integration's provider state now (scheduleReconciliation sends the reads); a
  // diversion found is taken as ours, so it is withdrawn only after the hold-down.
  for (const integration of Object.values(state.integrations)) {
    delete integration.checkStartedAt;
    integration.adoptOnRead = true;
  }
  state.nextReconcileAt = event.now;
}

/** Active incidents, counted as they come and go (counting a map's keys grows with the attack). */
function incidentCount(state: WorkspaceState): number {
  state.incidentCount ??= Object.keys(state.incidents).length;
  return state.incidentCount;
}

function resolveIncident(state: WorkspaceState, resolvedId: string): void {
  const incidentId = incidentKey(resolvedId);
  const incident = state.incidents[incidentId];
  if (incident) {
    for (const integration of Object.values(state.integrations)) {
      const before = triggerCount(state, integration); // counted with this incident
      if (triggers(integration, incident)) integration.triggeredBy = before - 1;
    }
    const count = incidentCount(state); // counted with this incident
    delete state.incidents[incidentId];
    state.incidentCount = count - 1;
    if (state.refusedIncidents && count - 1 < MAX_ACTIVE_INCIDENTS) delete state.refusedIncidents;
  } else if (state.closedIncidentIds.includes(incidentId)) return;
  state.closedIncidentIds.push(incidentId);
  if (state.closedIncidentIds.length > MAX_REMEMBERED_INCIDENT_IDS) {
    state.closedIncidentIds.splice(0, state.closedIncidentIds.length - MAX_REMEMBERED_INCIDENT_IDS);
  }
}

function changeConfig(state: WorkspaceState, config: Extract<WorkspaceEvent, { type: 'configChanged' }>['config'], now: number): void {
  if (config.version <= state.configVersion) return; // stale snapshot
  state.configVersion = config.version;
  state.holdDownSeconds = config.holdDownSeconds;
  state.policy = workspacePolicy(config.policy);
  // Kept for every type seen: an integration removed from the configuration is still withdrawn.
  if (config.providers) state.providers = { ...state.providers, ...config.providers };
  const present = new Set(config.integrations.map((i) => i.id));
  for (const integrationConfig of config.integrations) {
    const existing = state.integrations[integrationConfig.id];
    if (existing) {
      const config = normaliseConfig(integrationConfig);
      // What an incident is matched against changed: count again at the next look.
      if (existing.removed || !sameTriggers(existing.config, config)) delete existing.triggeredBy;
      existing.config = config;
      existing.removed = false;
    } else {
      state.integrations[integrationConfig.id] = newIntegrationState(integrationConfig, now);
    }
  }
  for (const integration of Object.values(state.integrations)) {
    if (present.has(integration.config.id)) continue;
    integration.removed = true;
    integration.manual = null;
    integration.triggeredBy = 0; // a removed integration is triggered by nothing
  }
}

function sameTriggers(a: IntegrationState['config'], b: IntegrationState['config']): boolean {
  if (a.autoDivert !== b.autoDivert) return false;
  if (a.scope === 'workspace' || b.scope === 'workspace') return a.scope === b.scope;
  return a.scope.length === b.scope.length && a.scope.every((cidr, i) => cidr === (b.scope as string[])[i]);
}

function finishOperation(state: WorkspaceState, event: Extract<WorkspaceEvent, { type: 'operationFinished' | 'operationFailed' }>): void {
  const integration = state.integrations[event.integrationId];
  if (!integration || integration.inFlight?.seq !== event.seq) return; // stale or unknown
  const op = integration.inFlight.op;
  integration.inFlight = null;
  integration.opsFinished = event.seq;
  integration.attempts = event.attempts;
  integration.since = event.now;
  if (event.type === 'operationFinished') {
    integration.actual = event.diverted ? 'active' : 'inactive';
    integration.lastError = null;
    integration.failedOp = null;
    if (event.diverted) integration.activatedAt = event.now;
    else integration.withdrawnAt = event.now;
  } else {
    integration.actual = 'failed';
    integration.lastError = event.error;
    integration.failedOp = op;
  }
}

function takeManualAction(state: WorkspaceState, integrationId: string, action: Operation): void {
  const integration = state.integrations[integrationId];
  if (!integration) return; // the update validator rejects these before they reach history
  if (integration.removed && action === 'activate') return;
  integration.manual = action;
  integration.forceRun = true;
  integration.manualTickets = (integration.manualTickets ?? 0) + 1;
}

/** Sets desired state and hold-down, then starts an operation if one is due (README, How it decides). */
function reconcileIntegration(state: WorkspaceState, integration: IntegrationState, now: number, commands: Command[]): void {
  const previousHoldDown = integration.holdDownUntil;
  /** The calm gate holds the withdrawal (the provider still drops, or has not been calm long enough). */
  let held = false;
  if (integration.removed || integration.manual === 'withdraw') {
    setDesired(integration, 'inactive');
  } else if (integration.manual === 'activate' || isTriggered(state, integration)) {
    setDesired(integration, 'active');
  } else if (integration.desired === 'active') {
    if (integration.holdDownUntil === null && state.holdDownSeconds > 0) {
      // Flap damping sets the length (decideInPlace computed it for this event).
      const holdDown = state.holdDown ?? effectiveHoldDown(state.holdDownSeconds, [], now, policyOf(state));
      integration.holdDownUntil = now + holdDown.seconds * 1000;
      integration.holdDownReason = holdDown.reason;
    } else if (integration.holdDownUntil === null || now >= integration.holdDownUntil) {
      // Provider timing: a diversion stays on for the provider's minimum once it was confirmed.
      const minimum = minimumOnTime(state, integration);
      if (minimum && now < minimum.until) {
        integration.holdDownUntil = minimum.until;
        integration.holdDownReason = minimum.reason;
      } else if (holdsWithdrawal(state, integration, now, commands)) {
        held = true;
      } else setDesired(integration, 'inactive');
    }
  }
  if (!held) release(integration);
  holdDownCommands(integration, previousHoldDown, commands);

  const due = integration.inFlight === null && operationDue(integration);
  const op: Operation = integration.desired === 'active' ? 'activate' : 'withdraw';
  // Provider timing: an automatic activation waits for the re-activation window; an operator's does not.
  const window = due && op === 'activate' && !integration.forceRun ? reactivationWindow(state, integration, now) : null;
  if ((window?.until ?? null) !== (integration.waitingUntil ?? null)) {
    integration.waitingUntil = window?.until ?? null;
    integration.waitReason = window?.reason ?? null;
    if (window) commands.push({ kind: 'activationDeferred', integrationId: integration.config.id, until: window.until, reason: window.reason });
  }
  if (due && !window) startOperation(integration, op, now, integration.config.dryRun === true, commands);
  forgetWhenWithdrawn(state, integration, commands);
}

/** The desired state, with no hold-down pending. */
export function setDesired(integration: IntegrationState, desired: IntegrationState['desired']): void {
  integration.desired = desired;
  integration.holdDownUntil = null;
}

/** A hold-down that started, or one that a new trigger cancelled while the integration stays diverted. */
export function holdDownCommands(integration: IntegrationState, previousHoldDown: number | null, commands: Command[]): void {
  const integrationId = integration.config.id;
  if (integration.holdDownUntil !== null && previousHoldDown === null) {
    const reason = integration.holdDownReason ? { reason: integration.holdDownReason } : {};
    commands.push({ kind: 'startHoldDown', integrationId, until: integration.holdDownUntil, ...reason });
  } else if (integration.holdDownUntil === null && previousHoldDown !== null && integration.desired === 'active') {
    commands.push({ kind: 'cancelHoldDown', integrationId });
  }
}

/** Starts the next operation: one at a time per integration, numbered, serving the manual actions taken so far. */
export function startOperation(integration: IntegrationState, op: Operation, now: number, dryRun: boolean, commands: Command[]): void {
  const seq = integration.opsStarted + 1;
  integration.opsStarted = seq;
  integration.inFlight = { op, seq, ...(integration.manualTickets ? { manualUpTo: integration.manualTickets } : {}) };
  integration.actual = op === 'activate' ? 'activating' : 'withdrawing';
  integration.since = now;
  integration.forceRun = false;
  integration.retryRequested = false;
  commands.push({ kind: 'runOperation', integrationId: integration.config.id, op, seq, ...(dryRun ? { dryRun: true as const } : {}) });
}

/** A removed integration is forgotten once nothing of it is diverted or in flight. */
export function forgetWhenWithdrawn(state: WorkspaceState, integration: IntegrationState, commands: Command[]): void {
  if (integration.removed && integration.inFlight === null && integration.actual === 'inactive') {
    delete state.integrations[integration.config.id];
    commands.push({ kind: 'forgetIntegration', integrationId: integration.config.id });
  }
}

export function operationDue(integration: IntegrationState): boolean {
  if (integration.forceRun) return true;
  switch (integration.actual) {
    case 'inactive':
      return integration.desired === 'active';
    case 'active':
      return integration.desired === 'inactive';
    case 'failed': {
      const failedTowards = integration.failedOp === 'activate' ? 'active' : 'inactive';
      return integration.retryRequested || integration.desired !== failedTowards;
    }
    default:
      return false; // an operation is in flight
  }
}

/** Until when the provider's minimum on-time keeps a confirmed diversion on, or null. */
function minimumOnTime(state: WorkspaceState, integration: IntegrationState): { until: number; reason: string } | null {
  const timing = integrationTiming(state, integration.config);
  if (integration.actual !== 'active' || !integration.activatedAt || timing.minActiveSeconds <= 0) return null;
  return {
    until: integration.activatedAt + timing.minActiveSeconds * 1000,
    reason: `minimum on-time of ${timing.minActiveSeconds} s after the provider confirmed the diversion (${timing.why})`,
  };
}

/** Until when the provider's re-activation window delays an activation, or null when it may run now. */
function reactivationWindow(state: WorkspaceState, integration: IntegrationState, now: number): { until: number; reason: string } | null {
  const timing = integrationTiming(state, integration.config);
  if (!integration.withdrawnAt || timing.reactivateAfterSeconds <= 0) return null;
  const until = integration.withdrawnAt + timing.reactivateAfterSeconds * 1000;
  if (now >= until) return null;
  return {
    until,
    reason: `withdrawn ${Math.round((now - integration.withdrawnAt) / 1000)} s ago; ${timing.why}, so the activation waits ${timing.reactivateAfterSeconds} s after a withdrawal (an operator's Activate does not wait)`,
  };
}

/**
 * Reconciliation: the workspace's timer ticks every `reconcileActiveSeconds` while anything is
 * or should be diverted, else every `reconcileIdleSeconds`. Each tick reads the integrations that
 * are (or should be) diverted, or failed in a way a retry can fix; the others are read once per
 * idle interval, so a workspace with many integrations does not read them all every minute.
 * Dry-run and removed integrations are not read.
 */
function scheduleReconciliation(state: WorkspaceState, now: number, commands: Command[]): void {
  const policy = policyOf(state);
  const live = Object.values(state.integrations).filter((i) => !i.removed && i.config.dryRun !== true);
  if (live.length === 0) {
    state.nextReconcileAt = null;
    return;
  }
  const idle = policy.reconcileIdleSeconds * 1000;
  const interval = live.some(isBusy) ? policy.reconcileActiveSeconds * 1000 : idle;
  const next = state.nextReconcileAt ?? null;
  if (next !== null && now >= next) {
    for (const integration of live) {
      if (integration.checking || integration.inFlight !== null) continue;
      // Half an active interval of slack, so a read is not skipped for a timer that fired a moment early.
      const lastRead = integration.checkStartedAt ?? -Infinity;
      if (!isBusy(integration) && now - lastRead < idle - interval / 2) continue;
      integration.checking = true;
      integration.checkStartedAt = now;
      integration.checkedOps = integration.opsStarted;
      commands.push({ kind: 'checkStatus', integrationId: integration.config.id });
    }
    state.nextReconcileAt = now + interval;
  } else if (next === null || next > now + interval) {
    state.nextReconcileAt = now + interval;
  }
}

/** Read at the active pace: diverted or about to be, changing, or failed in a way a retry can fix. */
function isBusy(integration: IntegrationState): boolean {
  const refused = integration.actual === 'failed' && integration.lastError?.nonRetryable === true;
  return !refused && (integration.desired === 'active' || integration.actual !== 'inactive');
}

/**
 * Compares the provider's status with our state. A provider still applying a change is
 * pending, not drift; so is anything read while an operation of ours runs. A difference is a
 * drift: re-applied (our `actual` takes the provider's value, so the usual rules run the
 * operation back to `desired`) unless the integration only reports drift.
 */
function observeStatus(state: WorkspaceState, event: Extract<WorkspaceEvent, { type: 'statusObserved' }>, commands: Command[]): void {
  const integration = state.integrations[event.integrationId];
  if (!integration) return;
  integration.checking = false;
  const observed = event.diverted ? 'diverted' : 'not_diverted';
  integration.provider = { observed: event.pending ? 'pending' : observed, detail: event.detail, checkedAt: event.now };
  const adopt = integration.adoptOnRead === true;
  delete integration.adoptOnRead;
  // A read that an operation of ours overtook, or one taken while ours runs, says nothing about drift.
  const current = (integration.checkedOps ?? integration.opsStarted) === integration.opsStarted && integration.inFlight === null;
  if (!current) return;
  if (adopt && event.diverted && integration.actual === 'inactive') {
    // The run before this one diverted it (or is still applying its diversion): ours, as if this
    // run had, so the hold-down runs from now.
    integration.actual = 'active';
    integration.desired = 'active';
    integration.since = event.now;
    commands.push({ kind: 'diversionAdopted', integrationId: event.integrationId, detail: event.detail });
    return;
  }
  if (event.pending) return;
  if (integration.actual === 'failed') return reconcileFailed(integration, observed, event.now);
  const expected = integration.actual === 'active' ? 'diverted' : 'not_diverted';
  const previous = integration.drift ?? null;
  if (observed === expected) {
    if (previous?.open) integration.drift = { ...previous, open: false };
    return;
  }
  const report = integration.config.onDrift === 'report';
  if (previous?.open && previous.observed === observed && report) return; // already reported
  integration.drift = {
    detectedAt: event.now,
    expected,
    observed,
    action: report ? 'reported' : 'repaired',
    open: report,
    count: (previous?.count ?? 0) + 1,
  };
  if (!report) {
    integration.actual = event.diverted ? 'active' : 'inactive';
    integration.since = event.now;
  }
  commands.push({ kind: 'driftDetected', integrationId: event.integrationId, drift: integration.drift, detail: event.detail });
}

/**
 * A failed operation meets a status read: the provider may hold what we want after all (an
 * activation that timed out but took effect), then that is our state; otherwise a retryable
 * failure is tried again now, so reconciliation keeps repairing. A refusal that retrying cannot
 * help (credentials, configuration) waits for an operator or a new incident, as before.
 */
function reconcileFailed(integration: IntegrationState, observed: 'diverted' | 'not_diverted', now: number): void {
  const wanted = integration.desired === 'active' ? 'diverted' : 'not_diverted';
  if (observed === wanted) {
    integration.actual = integration.desired;
    integration.lastError = null;
    integration.failedOp = null;
    integration.since = now;
  } else if (integration.lastError?.nonRetryable === false && integration.config.onDrift !== 'report') {
    integration.retryRequested = true;
  }
}

function statusUnknown(state: WorkspaceState, integrationId: string, error: string, now: number): void {
  const integration = state.integrations[integrationId];
  if (!integration) return;
  integration.checking = false;
  delete integration.adoptOnRead;
  integration.provider = { observed: 'unknown', detail: error, checkedAt: now };
}
